// Decides whether a user's SQL may run (SPEC §8.4), from DuckDB's own parse tree (`json_serialize_sql`), not from
// substrings: exactly one statement, a SELECT (DuckDB serializes nothing else), table functions only from a short list
// of harmless generators, no functions that reach outside, and every table it reads named plainly (no catalog or
// schema), so the caller can check each against the registry and the user's grants.
import DuckDB
import Foundation

/// Why a query was refused.
public enum QueryRejection: Error, CustomStringConvertible, Equatable {
    case notASingleSelect(String)
    case forbiddenFunction(String)
    case qualifiedTable(String)

    public var description: String {
        switch self {
        case let .notASingleSelect(reason): "Only single SELECT queries are allowed (\(reason))"
        case let .forbiddenFunction(name): "Function '\(name)' is not allowed in queries"
        case let .qualifiedTable(name): "Access denied to table '\(name)'"
        }
    }
}

public enum QueryGuard {
    /// Table functions a query may use: they generate rows and touch nothing.
    static let allowedTableFunctions: Set<String> = ["range", "generate_series", "unnest"]
    /// Scalar functions that reach outside the query (environment, files, settings, other queries).
    static let forbiddenFunctions: Set<String> = ["getenv", "current_setting", "read_text", "read_blob", "read_csv", "read_csv_auto",
                                                  "read_parquet", "read_json", "read_json_auto", "glob", "query", "query_table", "which_secret"]

    /// The plain table names `sql` reads (CTE names excluded). Throws `QueryRejection` when it may not run at all.
    public static func tables(in sql: String, using connection: Connection) throws -> Set<String> {
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
        try visitor.visit(statements[0])
        return visitor.tables.subtracting(visitor.cteNames)
    }

    struct Visitor {
        var tables: Set<String> = []
        var cteNames: Set<String> = []

        mutating func visit(_ node: Any) throws {
            if let list = node as? [Any] {
                for element in list { try visit(element) }
                return
            }
            guard let object = node as? [String: Any] else { return }
            if let map = (object["cte_map"] as? [String: Any])?["map"] as? [[String: Any]] {
                for entry in map { if let key = entry["key"] as? String { cteNames.insert(key.lowercased()) } }
            }
            switch object["type"] as? String {
            case "BASE_TABLE":
                let name = (object["table_name"] as? String ?? "").lowercased()
                let schema = object["schema_name"] as? String ?? "", catalog = object["catalog_name"] as? String ?? ""
                // A plain id only: no catalog or schema, and no file path read by a replacement scan ('x.parquet').
                if !schema.isEmpty || !catalog.isEmpty || name.contains(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
                    throw QueryRejection.qualifiedTable([catalog, schema, name].filter { !$0.isEmpty }.joined(separator: "."))
                }
                tables.insert(name)
            case "TABLE_FUNCTION":
                let function = (object["function"] as? [String: Any])?["function_name"] as? String ?? "?"
                guard QueryGuard.allowedTableFunctions.contains(function.lowercased()) else { throw QueryRejection.forbiddenFunction(function) }
            default:
                break
            }
            if object["class"] as? String == "FUNCTION", let name = (object["function_name"] as? String)?.lowercased(),
               QueryGuard.forbiddenFunctions.contains(name) {
                throw QueryRejection.forbiddenFunction(name)
            }
            for value in object.values { try visit(value) }
        }
    }
}
