// Checks an access policy and rewrites it for the engine, from DuckDB's own parse tree (`json_serialize_sql`):
// exactly one SELECT; tables only the policied table itself and its listed mapping tables, plainly named; no table
// functions or functions that reach outside (the query guard's rules); variables only `$user_email`, `$user_id`,
// `$user_groups`, and only as values — never where they would name a column or act as a LIKE / regular-expression
// pattern. The checked tree then has each variable replaced by `getvariable('agnes_<name>')` and is turned back into
// SQL by DuckDB (`json_deserialize_sql`), so no caller value is ever written into SQL text.
import DuckDB
import Foundation

public enum PolicySQL {
    /// Functions whose second and later arguments are patterns: a caller value there could widen what matches.
    static let patternFunctions: Set<String> = ["~~", "!~~", "~~*", "!~~*", "~~~", "!~~~", "like_escape", "not_like_escape", "ilike_escape",
                                                "not_ilike_escape", "glob", "similar_to", "regexp_full_match", "regexp_matches",
                                                "regexp_replace", "regexp_extract", "regexp_extract_all", "regexp_split_to_array"]
    /// Functions whose arguments name things (columns, fields, variables).
    static let namingFunctions: Set<String> = ["struct_extract", "struct_extract_at", "getvariable", "columns"]

    /// Checks `sql`, the policy of `tableId` that may also read `mapping`, and prepares it (throws `PolicyRejection`).
    public static func prepare(_ sql: String, tableId: String, mapping: [String], using connection: Connection) throws -> PreparedPolicy {
        let tree = try parse(sql, using: connection)
        let tables: Set<String>
        do {
            tables = try QueryGuard.tables(in: sql, using: connection)
        } catch let rejection as QueryRejection {
            switch rejection {
            case .notASingleSelect: throw PolicyRejection("policy_not_single_select", rejection.description)
            case let .qualifiedTable(name): throw PolicyRejection("policy_unlisted_table_reference", "'\(name)' is qualified: name tables by their id only")
            case .forbiddenFunction, .catalogListing: throw PolicyRejection("policy_disallowed_construct", rejection.description)
            }
        }
        let allowed = Set([tableId.lowercased()] + mapping.map { $0.lowercased() })
        if let unlisted = tables.subtracting(allowed).sorted().first {
            throw PolicyRejection("policy_unlisted_table_reference",
                                  "the policy reads '\(unlisted)', which is neither the table '\(tableId)' nor listed in policy_mapping")
        }
        var variables: Set<PolicyVariable> = []
        let rewritten = try rewrite(tree, in: .value, variables: &variables)
        let json = try JSONSerialization.data(withJSONObject: rewritten)
        guard let body = try connection.scalar(String.self, "SELECT json_deserialize_sql($1::JSON)", String(decoding: json, as: UTF8.self)) else {
            throw PolicyRejection("policy_untranspilable", "DuckDB could not render the checked policy back to SQL")
        }
        return PreparedPolicy(sql: sql, mapping: mapping, body: body, variables: variables)
    }

    /// The parse tree of `sql`, or the reason it is not one SELECT.
    static func parse(_ sql: String, using connection: Connection) throws -> [String: Any] {
        guard let text = try connection.scalar(String.self, "SELECT CAST(json_serialize_sql($1::VARCHAR) AS VARCHAR)", sql),
              let tree = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw PolicyRejection("policy_not_single_select", "the policy could not be parsed")
        }
        if tree["error"] as? Bool == true {
            let message = tree["error_message"] as? String ?? "not a SELECT"
            if message.contains("Only SELECT") { throw PolicyRejection("policy_forbidden_statement", "a policy is one SELECT statement") }
            throw PolicyRejection("policy_not_single_select", message)
        }
        guard let statements = tree["statements"] as? [Any], statements.count == 1 else {
            throw PolicyRejection("policy_not_single_select", "a policy is exactly one SELECT statement")
        }
        return tree
    }

    /// Where in an expression a node stands: a value, (inside) a pattern, or (inside) something that names a column.
    enum Position {
        case value, pattern(String), naming(String)
    }

    /// The tree with every variable replaced by its `getvariable` call; refuses variables in naming or pattern positions
    /// (anywhere below a pattern argument, so `LIKE concat($user_email, '%')` is refused too).
    static func rewrite(_ node: Any, in position: Position, variables: inout Set<PolicyVariable>) throws -> Any {
        if let list = node as? [Any] {
            return try list.map { try rewrite($0, in: position, variables: &variables) }
        }
        guard var object = node as? [String: Any] else { return node }
        let nodeClass = object["class"] as? String
        if nodeClass == "PARAMETER" {
            let name = object["identifier"] as? String ?? "?"
            guard let variable = PolicyVariable(rawValue: name) else {
                throw PolicyRejection("policy_unknown_variable", "'$\(name)' is not a policy variable: use $user_email, $user_id or $user_groups")
            }
            switch position {
            case .value: break
            case let .naming(what):
                throw PolicyRejection("policy_var_in_identifier_position", "$\(name) cannot name a column or field (\(what))")
            case let .pattern(function):
                throw PolicyRejection("policy_var_in_pattern_position",
                                      "$\(name) cannot be part of a LIKE or regular-expression pattern (\(function)): compare with = or list_contains")
            }
            variables.insert(variable)
            return variableCall(variable, alias: object["alias"] as? String ?? "", location: object["query_location"] ?? 0)
        }
        let function = nodeClass == "FUNCTION" ? (object["function_name"] as? String)?.lowercased() : nil
        if function == "getvariable" {
            throw PolicyRejection("policy_disallowed_construct", "getvariable() is not allowed in a policy: use $user_email, $user_id or $user_groups")
        }
        for (key, value) in object {
            var inner = position
            if nodeClass == "STAR", key == "expr" {
                inner = .naming("COLUMNS(…)")
            } else if let function, key == "children", case .value = position, let arguments = value as? [Any] {
                // A function's arguments: the first is a value; the others may be patterns or names.
                let rest: Position = namingFunctions.contains(function) ? .naming(function)
                    : patternFunctions.contains(function) || function.hasPrefix("regexp_") ? .pattern(function) : .value
                let first: Position = namingFunctions.contains(function) ? .naming(function) : .value
                object[key] = try arguments.enumerated().map { index, argument in
                    try rewrite(argument, in: index == 0 ? first : rest, variables: &variables)
                }
                continue
            }
            object[key] = try rewrite(value, in: inner, variables: &variables)
        }
        return object
    }

    /// `getvariable('agnes_<name>')` as DuckDB serializes a function call.
    static func variableCall(_ variable: PolicyVariable, alias: String, location: Any) -> [String: Any] {
        [
            "class": "FUNCTION", "type": "FUNCTION", "alias": alias, "query_location": location, "function_name": "getvariable",
            "schema": "", "catalog": "", "filter": NSNull(), "distinct": false, "is_operator": false, "export_state": false,
            "order_bys": ["type": "ORDER_MODIFIER", "orders": [Any]()] as [String: Any],
            "children": [[
                "class": "CONSTANT", "type": "VALUE_CONSTANT", "alias": "", "query_location": location,
                "value": ["type": ["id": "VARCHAR", "type_info": NSNull()] as [String: Any], "is_null": false, "value": variable.variableName] as [String: Any],
            ] as [String: Any]],
        ]
    }
}

extension PolicySQL {
    /// Binds `policy` over the engine's raw views (on `connection`): refuses references DuckDB cannot resolve and
    /// output columns named twice (which a later SELECT could not tell apart).
    public static func checkOutput(of policy: PreparedPolicy, using connection: Connection) throws {
        struct Column: Decodable { let column_name: String }
        let columns: [Column]
        do {
            columns = try connection.query("DESCRIBE \(policy.body)").decode(Column.self)  // not wrapped: a wrapper renames duplicates
        } catch let error as DuckDBError {
            throw PolicyRejection("policy_invalid", error.message)
        }
        var seen: Set<String> = []
        for column in columns where !seen.insert(column.column_name.lowercased()).inserted {
            throw PolicyRejection("policy_duplicate_output_column", "the policy returns the column '\(column.column_name)' more than once")
        }
    }
}
