// What a SQL statement does, as a semantic model needs to judge it: the tables it reads (by the names they are given),
// the column pairs its joins equate, the aggregates it computes over which columns, and the columns its filters
// constrain. Read from DuckDB's own parse tree (`json_serialize_sql`), never from the text.
import DuckDB
import Foundation

/// A column as a statement names it: its table when the statement says which (resolved through aliases), and its name.
public struct ColumnReference: Hashable, Sendable, CustomStringConvertible {
    public var table: String?
    public var column: String

    public init(table: String?, column: String) {
        self.table = table?.lowercased()
        self.column = column.lowercased()
    }

    /// The same column, when the tables are known on both sides or unknown on one.
    public func matches(_ other: ColumnReference) -> Bool {
        column == other.column && (table == nil || other.table == nil || table == other.table)
    }

    public var description: String { table.map { "\($0).\(column)" } ?? column }
}

public struct SemanticQueryAnalysis: Sendable {
    /// An aggregate: its function (lower case), the columns under it, and the columns of its `FILTER (WHERE …)`.
    public struct Aggregate: Sendable, Equatable {
        public var function: String
        public var columns: Set<ColumnReference>
        public var filtered: Set<ColumnReference>
    }

    /// One equality a join condition (or `USING`) makes between two tables' columns.
    public struct JoinPair: Sendable, Equatable {
        public var left: ColumnReference
        public var right: ColumnReference
    }

    /// Base tables read, lower case.
    public var tables: Set<String> = []
    public var joins: [JoinPair] = []
    public var aggregates: [Aggregate] = []
    /// Columns any `WHERE` or `HAVING` of the statement refers to.
    public var filteredColumns: Set<ColumnReference> = []

    /// Nothing read, joined, aggregated or filtered.
    public init() {}

    static let aggregateFunctions: Set<String> = ["sum", "avg", "mean", "count", "count_star", "min", "max", "median", "mode",
                                                  "stddev", "stddev_samp", "stddev_pop", "variance", "var_samp", "var_pop",
                                                  "approx_count_distinct", "quantile", "quantile_cont", "quantile_disc", "any_value",
                                                  "first", "last", "arg_max", "arg_min", "product", "bool_and", "bool_or", "list", "string_agg"]

    /// Analyzes one statement; `defaultTable` is the table of columns named without one when the statement reads no
    /// table (a metric's expression). Throws when DuckDB cannot parse it.
    public static func analyze(_ sql: String, defaultTable: String? = nil, using connection: Connection) throws -> SemanticQueryAnalysis {
        guard let text = try connection.scalar(String.self, "SELECT CAST(json_serialize_sql($1::VARCHAR) AS VARCHAR)", sql),
              let tree = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw SemanticAnalysisError("the statement could not be parsed")
        }
        if tree["error"] as? Bool == true { throw SemanticAnalysisError(tree["error_message"] as? String ?? "not a SELECT") }
        guard let statements = tree["statements"] as? [Any], statements.count == 1 else {
            throw SemanticAnalysisError("exactly one statement is expected")
        }
        var aliases: [String: String] = [:]
        collectTables(statements[0], into: &aliases)
        var analysis = SemanticQueryAnalysis()
        analysis.tables = Set(aliases.values)
        let single = analysis.tables.count == 1 ? analysis.tables.first : defaultTable
        var walker = Walker(aliases: aliases, defaultTable: single)
        walker.visit(statements[0])
        analysis.joins = walker.joins
        analysis.aggregates = walker.aggregates
        analysis.filteredColumns = walker.filtered
        return analysis
    }

    /// Every base table, by the name the statement gives it (its alias, or its own name) → its name.
    static func collectTables(_ node: Any, into aliases: inout [String: String]) {
        if let list = node as? [Any] {
            for element in list { collectTables(element, into: &aliases) }
            return
        }
        guard let object = node as? [String: Any] else { return }
        if object["type"] as? String == "BASE_TABLE", let name = (object["table_name"] as? String)?.lowercased(), !name.isEmpty {
            aliases[name] = name
            if let alias = (object["alias"] as? String)?.lowercased(), !alias.isEmpty { aliases[alias] = name }
        }
        for value in object.values { collectTables(value, into: &aliases) }
    }

    /// The base tables of one side of a join.
    static func baseTables(_ node: Any) -> [String] {
        var aliases: [String: String] = [:]
        collectTables(node, into: &aliases)
        return Array(Set(aliases.values)).sorted()
    }

    struct Walker {
        let aliases: [String: String]
        let defaultTable: String?
        var joins: [JoinPair] = []
        var aggregates: [Aggregate] = []
        var filtered: Set<ColumnReference> = []

        func reference(_ object: [String: Any]) -> ColumnReference? {
            guard object["class"] as? String == "COLUMN_REF", let names = object["column_names"] as? [String], let column = names.last else { return nil }
            if names.count >= 2 {
                let qualifier = names[names.count - 2].lowercased()
                return ColumnReference(table: aliases[qualifier] ?? qualifier, column: column)
            }
            return ColumnReference(table: defaultTable, column: column)
        }

        func columns(in node: Any) -> Set<ColumnReference> {
            if let list = node as? [Any] { return list.reduce(into: []) { $0.formUnion(columns(in: $1)) } }
            guard let object = node as? [String: Any] else { return [] }
            if let found = reference(object) { return [found] }
            return object.values.reduce(into: []) { $0.formUnion(columns(in: $1)) }
        }

        mutating func visit(_ node: Any) {
            if let list = node as? [Any] {
                for element in list { visit(element) }
                return
            }
            guard var object = node as? [String: Any] else { return }
            for key in ["where_clause", "having"] { if let clause = object[key] { filtered.formUnion(columns(in: clause)) } }
            if object["type"] as? String == "JOIN" {
                if let condition = object["condition"] { equalities(condition) }
                if let using = object["using_columns"] as? [String], !using.isEmpty {
                    let left = SemanticQueryAnalysis.baseTables(object["left"] ?? NSNull())
                    let right = SemanticQueryAnalysis.baseTables(object["right"] ?? NSNull())
                    for column in using {
                        joins.append(JoinPair(left: ColumnReference(table: left.count == 1 ? left[0] : nil, column: column),
                                              right: ColumnReference(table: right.count == 1 ? right[0] : nil, column: column)))
                    }
                }
            }
            if object["class"] as? String == "FUNCTION", let name = (object["function_name"] as? String)?.lowercased(),
               SemanticQueryAnalysis.aggregateFunctions.contains(name) {
                aggregates.append(Aggregate(function: name == "count_star" ? "count" : name, columns: columns(in: object["children"] ?? NSNull()),
                                            filtered: columns(in: object["filter"] ?? NSNull())))
                object["children"] = nil
            }
            for value in object.values { visit(value) }
        }

        /// The column = column comparisons of a join condition (through ANDs).
        mutating func equalities(_ node: Any) {
            guard let object = node as? [String: Any] else { return }
            switch object["type"] as? String {
            case "COMPARE_EQUAL":
                if let left = (object["left"] as? [String: Any]).flatMap(reference), let right = (object["right"] as? [String: Any]).flatMap(reference) {
                    joins.append(JoinPair(left: left, right: right))
                }
            case "CONJUNCTION_AND":
                for child in object["children"] as? [Any] ?? [] { equalities(child) }
            default:
                break
            }
        }
    }
}

public struct SemanticAnalysisError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
