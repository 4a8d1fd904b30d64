// The structured form of a policy compiled to its SQL: an explicit column list (each column once, masked as asked)
// over the table, and the row rules as a WHERE clause. Caller values are the policy variables; the administrator's
// constants are literals. The result is then checked like any hand-written policy.
import AgnesAPI
import DuckDB
import Foundation

public enum PolicyCompiler {
    /// A column of the table: its name and DuckDB type.
    public typealias Column = (name: String, type: String)

    /// The SQL of `request` over table `tableId` with `columns`, and warnings; throws `PolicyRejection` for rules that
    /// name unknown columns or lack their value.
    public static func compile(_ request: PolicyCompileRequest, tableId: String, columns: [Column]) throws -> CompiledPolicy {
        let known = Set(columns.map(\.name))
        var warnings: [String] = []
        for name in (request.columnMasks ?? [:]).keys.sorted() where !known.contains(name) {
            throw PolicyRejection("policy_unknown_column", "column_masks names '\(name)', which the table does not have")
        }
        var projection: [String] = []
        for column in columns {
            let name = SQL.identifier(column.name)
            let mask = request.columnMasks?[column.name] ?? PolicyColumnMask(mask: .show)
            switch mask.mask {
            case .show: projection.append(name)
            case .hide: continue
            case .nullify: projection.append("CAST(NULL AS \(column.type)) AS \(name)")
            case .hash: projection.append("md5(CAST(\(name) AS VARCHAR)) AS \(name)")
            case .unmask:
                let groups = mask.groups ?? []
                if groups.isEmpty { warnings.append("'\(column.name)' is unmasked for no group: nobody sees its values") }
                let masked = column.type == "VARCHAR" ? "'*****'" : "CAST(NULL AS \(column.type))"
                projection.append("CASE WHEN list_has_any($user_groups, \(list(groups))) THEN \(name) ELSE \(masked) END AS \(name)")
            }
        }
        guard !projection.isEmpty else { throw PolicyRejection("policy_no_columns", "every column is hidden: the policy would show nothing") }
        var conditions: [String] = []
        for rule in request.rowRules {
            guard known.contains(rule.column) else {
                throw PolicyRejection("policy_unknown_column", "a row rule names '\(rule.column)', which the table does not have")
            }
            let name = SQL.identifier(rule.column)
            switch rule.op {
            case .inCallerGroups: conditions.append("list_contains($user_groups, CAST(\(name) AS VARCHAR))")
            case .eqCallerEmail: conditions.append("\(name) = $user_email")
            case .eqCallerId: conditions.append("\(name) = $user_id")
            case .eq:
                guard let value = rule.value, let literal = literal(value) else {
                    throw PolicyRejection("policy_rule_value", "the eq rule on '\(rule.column)' needs a text, number or boolean value")
                }
                conditions.append("\(name) = \(literal)")
            case .in:
                guard case let .array(values)? = rule.value, !values.isEmpty else {
                    throw PolicyRejection("policy_rule_value", "the in rule on '\(rule.column)' needs a non-empty list value")
                }
                let literals = values.compactMap(literal)
                guard literals.count == values.count else {
                    throw PolicyRejection("policy_rule_value", "the in rule on '\(rule.column)' takes texts, numbers or booleans")
                }
                conditions.append("\(name) IN (\(literals.joined(separator: ", ")))")
            }
        }
        if conditions.isEmpty { warnings.append("no row rules: every row is visible to everyone who may read the table") }
        let joiner = request.rowCombine == .or ? " OR " : " AND "
        var sql = "SELECT \(projection.joined(separator: ", ")) FROM \(SQL.identifier(tableId))"
        if !conditions.isEmpty { sql += " WHERE " + conditions.map { "(\($0))" }.joined(separator: joiner) }
        return CompiledPolicy(sql: sql, warnings: warnings)
    }

    static func literal(_ value: JSONValue) -> String? {
        switch value {
        case let .string(text): SQL.literal(text)
        case let .number(number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case let .bool(flag): flag ? "true" : "false"
        default: nil
        }
    }

    static func list(_ texts: [String]) -> String {
        "[" + texts.map(SQL.literal).joined(separator: ", ") + "]::VARCHAR[]"
    }
}
