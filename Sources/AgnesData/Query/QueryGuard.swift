// Decides whether a user's SQL may run (SPEC §8.4), from DuckDB's own parse tree (`json_serialize_sql`), not from
// substrings: exactly one statement, a SELECT (DuckDB serializes nothing else), table functions only from a short list
// of harmless generators, no functions that reach outside, catalog listings only of the caller's own tables, and every
// table it reads named plainly (no catalog or schema), so the caller can check each against the registry and the
// user's grants. Names are resolved as DuckDB resolves them: a CTE is visible in the query that defines it (and its
// subqueries), to the CTEs after it, and in its own body only as the recursive part of a recursive CTE; everywhere
// else the same name reads the table. The guard is the first layer: the query then runs in a grant scope that holds
// only the caller's tables, so a mistake here fails closed.
import DuckDB
import Foundation

/// Why a query was refused.
public enum QueryRejection: Error, CustomStringConvertible, Equatable {
    case notASingleSelect(String)
    case forbiddenFunction(String)
    case qualifiedTable(String)
    case catalogListing(String)

    public var description: String {
        switch self {
        case let .notASingleSelect(reason): "Only single SELECT queries are allowed (\(reason))"
        case let .forbiddenFunction(name): "Function '\(name)' is not allowed in queries"
        case let .qualifiedTable(name): "Access denied to table '\(name)'"
        case let .catalogListing(what): "\(what) is not available: list the tables you may read with SHOW TABLES or `agnes catalog`"
        }
    }
}

public enum QueryGuard {
    /// Table functions a query may use: they generate rows and touch nothing.
    static let allowedTableFunctions: Set<String> = ["range", "generate_series", "unnest"]
    /// Scalar functions that reach outside the query (environment, files, settings, other queries).
    static let forbiddenFunctions: Set<String> = ["getenv", "current_setting", "read_text", "read_blob", "read_csv", "read_csv_auto",
                                                  "read_parquet", "read_json", "read_json_auto", "glob", "query", "query_table", "which_secret"]

    /// The plain table names `sql` reads (CTE references resolved away). Throws `QueryRejection` when it may not run.
    public static func tables(in sql: String, using connection: Connection) throws -> Set<String> {
        try analyze(sql, using: connection).tables
    }

    /// What a query reads and the names it defines itself.
    public struct Analysis: Sendable, Equatable {
        /// Plain table names read (CTE references resolved away).
        public var tables: Set<String>
        /// Names of its CTEs, and aliases it gives to tables and subqueries other than the table of the same name.
        public var definedNames: Set<String>
    }

    /// The tables `sql` reads and the names it defines. Throws `QueryRejection` when it may not run.
    public static func analyze(_ sql: String, using connection: Connection) throws -> Analysis {
        guard let text = try connection.scalar(String.self, "SELECT CAST(json_serialize_sql($1::VARCHAR) AS VARCHAR)", sql),
              let tree = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw QueryRejection.notASingleSelect("the statement could not be parsed")
        }
        if tree["error"] as? Bool == true {
            let message = tree["error_message"] as? String ?? "not a SELECT"
            throw QueryRejection.notASingleSelect(message.contains("Only SELECT") ? "not a SELECT" : message)
        }
        guard let statements = tree["statements"] as? [Any], statements.count == 1 else {
            throw QueryRejection.notASingleSelect("exactly one statement is allowed")
        }
        var visitor = Visitor()
        try visitor.visit(statements[0], ctes: [])
        return Analysis(tables: visitor.tables, definedNames: visitor.definedNames)
    }

    /// Walks the tree with the CTE names visible at each point.
    struct Visitor {
        var tables: Set<String> = []
        var definedNames: Set<String> = []

        mutating func visit(_ node: Any, ctes: Set<String>) throws {
            if let list = node as? [Any] {
                for element in list { try visit(element, ctes: ctes) }
                return
            }
            guard let object = node as? [String: Any] else { return }
            // A query node: its CTEs first, each seeing the ones before it; then the rest, seeing all of them.
            if let cteMap = object["cte_map"] as? [String: Any] {
                var visible = ctes
                for entry in cteMap["map"] as? [[String: Any]] ?? [] {
                    let name = (entry["key"] as? String ?? "").lowercased()
                    try visitDefinition(entry["value"] ?? NSNull(), named: name, ctes: visible)
                    visible.insert(name)
                    definedNames.insert(name)
                }
                for (key, value) in object where key != "cte_map" { try visit(value, ctes: visible) }
                try check(object, ctes: visible)
                return
            }
            try check(object, ctes: ctes)
            for value in object.values { try visit(value, ctes: ctes) }
        }

        /// A CTE's body: it sees itself only in the recursive part of a recursive CTE (the right side of its UNION).
        mutating func visitDefinition(_ definition: Any, named name: String, ctes: Set<String>) throws {
            guard let query = (definition as? [String: Any])?["query"] as? [String: Any],
                  let node = query["node"] as? [String: Any], node["type"] as? String == "RECURSIVE_CTE_NODE",
                  (node["cte_name"] as? String)?.lowercased() == name else {
                try visit(definition, ctes: ctes)
                return
            }
            var visible = ctes
            if let cteMap = node["cte_map"] as? [String: Any] {
                for entry in cteMap["map"] as? [[String: Any]] ?? [] {
                    let inner = (entry["key"] as? String ?? "").lowercased()
                    try visitDefinition(entry["value"] ?? NSNull(), named: inner, ctes: visible)
                    visible.insert(inner)
                }
            }
            for (key, value) in node where key != "cte_map" {
                try visit(value, ctes: key == "right" || key == "key_targets" ? visible.union([name]) : visible)
            }
            for (key, value) in query where key != "node" { try visit(value, ctes: ctes) }
        }

        /// The checks on one node of the tree (its children are visited by the caller).
        mutating func check(_ object: [String: Any], ctes: Set<String>) throws {
            if let alias = (object["alias"] as? String)?.lowercased(), !alias.isEmpty, object["class"] == nil,
               alias != (object["table_name"] as? String)?.lowercased() {
                definedNames.insert(alias)  // a table reference (not an expression) named other than what it reads
            }
            switch object["type"] as? String {
            case "BASE_TABLE":
                let name = (object["table_name"] as? String ?? "").lowercased()
                let schema = object["schema_name"] as? String ?? "", catalog = object["catalog_name"] as? String ?? ""
                // A plain id only: no catalog or schema, and no file path read by a replacement scan ('x.parquet').
                if !schema.isEmpty || !catalog.isEmpty || name.isEmpty || name.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
                    throw QueryRejection.qualifiedTable([catalog, schema, name].filter { !$0.isEmpty }.joined(separator: "."))
                }
                if !ctes.contains(name) { tables.insert(name) }
            case "TABLE_FUNCTION":
                let function = (object["function"] as? [String: Any])?["function_name"] as? String ?? "?"
                guard QueryGuard.allowedTableFunctions.contains(function.lowercased()) else { throw QueryRejection.forbiddenFunction(function) }
            case "SHOW_REF":
                // DESCRIBE and SUMMARIZE of a query are checked as that query; of the listings, only SHOW TABLES (the
                // caller's scope holds only their tables). SHOW ALL TABLES and SHOW DATABASES would name attached sources.
                switch object["show_type"] as? String {
                case "DESCRIBE", "SUMMARY":
                    guard let query = object["query"], !(query is NSNull) else { throw QueryRejection.catalogListing("DESCRIBE of a catalog object") }
                case "SHOW_UNQUALIFIED" where (object["table_name"] as? String) == "\"tables\"":
                    break
                default:
                    let listings = ["__show_tables_expanded": "SHOW ALL TABLES", "\"databases\"": "SHOW DATABASES"]
                    throw QueryRejection.catalogListing(listings[object["table_name"] as? String ?? ""] ?? "this listing")
                }
            default:
                break
            }
            if object["class"] as? String == "FUNCTION", let name = (object["function_name"] as? String)?.lowercased(),
               QueryGuard.forbiddenFunctions.contains(name) {
                throw QueryRejection.forbiddenFunction(name)
            }
        }
    }
}
