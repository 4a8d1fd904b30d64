// Snapshot scans (`POST /api/v2/scan` and `/scan/estimate`, upstream §1.6): a projection, a predicate, an order and a
// limit over one table. The predicate is parsed on its own by DuckDB as the WHERE of a probe statement, and the probe
// must be exactly that statement with nothing else (no QUALIFY, window, sample, set operation, modifier, CTE); its
// expression is checked as upstream does with sqlglot: the table's own columns, literals and a short list of scalar
// functions, no subqueries and no other tables. What runs is not the caller's text but DuckDB's rendering of the
// checked tree (`json_deserialize_sql`), checked once more, so a predicate cannot close its parentheses and add clauses.
import AgnesAPI
import DuckDB
import Foundation

/// Why a scan was refused: `validator` is upstream's `validator_rejected` (kind and details); `invalid` a plain 400.
public enum ScanRejection: Error, Equatable, CustomStringConvertible {
    case validator(kind: String, details: [String: String])
    case invalid(String)

    public var description: String {
        switch self {
        case let .validator(kind, details): "validator_rejected: \(kind) \(details)"
        case let .invalid(message): message
        }
    }
}

/// A column of the scanned table.
public struct ScanColumn: Sendable, Equatable {
    public var name: String
    public var type: String
    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// A validated scan, ready to become SQL over any relation holding the table's rows.
public struct ScanPlan: Sendable, Equatable {
    public var columns: [String]
    public var predicate: String?
    public var orderBy: [String]
    public var limit: Int?
    /// The parsed predicate's simple bounds (`column op constant`), for row-group pruning.
    public var bounds: [ColumnBound]
    /// Every column the predicate reads.
    public var predicateColumns: Set<String>

    /// The most rows a scan may ask for.
    public static let maximumLimit = 10_000_000

    /// `SELECT … FROM <relation> AS agnes_scan WHERE (…) ORDER BY … LIMIT …`.
    public func sql(from relation: String) -> String {
        var sql = "SELECT \(columns.map(SQL.identifier).joined(separator: ", ")) FROM \(relation) AS agnes_scan"
        if let predicate { sql += " WHERE (\n\(predicate)\n)" }
        if !orderBy.isEmpty { sql += " ORDER BY " + orderBy.joined(separator: ", ") }
        if let limit { sql += " LIMIT \(limit)" }
        return sql
    }

    /// Checks `request` against the table's `schema`, parsing the predicate with DuckDB on `connection`.
    public static func make(_ request: ScanRequest, schema: [ScanColumn], using connection: Connection) throws -> ScanPlan {
        let known = Set(schema.map(\.name))
        let columns = request.select ?? schema.map(\.name)
        if let bad = columns.first(where: { !isPlainName($0) }) { throw ScanRejection.invalid("invalid column name: '\(bad)'") }
        let unknown = columns.filter { !known.contains($0) }
        guard unknown.isEmpty else { throw ScanRejection.invalid("unknown columns: [\(unknown.map { "'\($0)'" }.joined(separator: ", "))]") }
        guard !columns.isEmpty else { throw ScanRejection.invalid("select must name at least one column") }

        var orderBy: [String] = []
        for entry in request.orderBy ?? [] {
            let parts = entry.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard (1...2).contains(parts.count), isPlainName(parts[0]), parts.count == 1 || ["ASC", "DESC"].contains(parts[1].uppercased()) else {
                throw ScanRejection.invalid("invalid order_by entry: '\(entry)' (use 'column' or 'column ASC|DESC')")
            }
            guard known.contains(parts[0]) else { throw ScanRejection.invalid("unknown order_by column: '\(parts[0])'") }
            orderBy.append(SQL.identifier(parts[0]) + (parts.count == 2 ? " " + parts[1].uppercased() : ""))
        }
        if let limit = request.limit, !(1...maximumLimit).contains(limit) {
            throw ScanRejection.invalid("limit must be between 1 and \(maximumLimit)")
        }

        var plan = ScanPlan(columns: columns, predicate: nil, orderBy: orderBy, limit: request.limit, bounds: [], predicateColumns: [])
        if let predicate = request.where?.trimmingCharacters(in: .whitespacesAndNewlines), !predicate.isEmpty {
            let checker = try PredicateChecker(predicate, columns: known, using: connection)
            // The text that runs is DuckDB's rendering of the checked tree, and it must pass the same checks.
            let rendered = try checker.rendered(using: connection)
            _ = try PredicateChecker(rendered, columns: known, using: connection)
            plan.predicate = rendered
            plan.bounds = checker.bounds
            plan.predicateColumns = checker.columns
        }
        return plan
    }

    static func isPlainName(_ name: String) -> Bool { ExtractLayout.isValidSourceName(name) }
}

/// `column op constant`, as found at the top of a predicate (joined by AND).
public struct ColumnBound: Sendable, Equatable {
    public enum Operator: String, Sendable { case equal = "=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=" }
    public var column: String
    public var op: Operator
    /// The constant as a SQL literal.
    public var literal: String
}

/// Walks a predicate's parse tree: refuses what upstream refuses and collects columns and simple bounds.
struct PredicateChecker {
    /// Functions a predicate may call (DuckDB's names for upstream's list, and the operators they parse into).
    static let allowedFunctions: Set<String> = [
        "current_date", "current_timestamp", "now", "today", "date", "date_trunc", "date_part", "datepart", "date_diff", "datediff",
        "date_add", "date_sub", "extract", "strftime", "strptime", "epoch", "epoch_ms", "make_date", "year", "month", "day",
        "concat", "length", "lower", "upper", "substr", "substring", "trim", "ltrim", "rtrim", "replace", "starts_with", "ends_with",
        "contains", "prefix", "suffix", "regexp_matches", "regexp_extract", "regexp_full_match",
        "abs", "ceil", "ceiling", "floor", "round", "mod", "power", "pow", "sqrt", "log", "ln", "exp", "sign", "greatest", "least",
        "coalesce", "ifnull", "nullif", "if",
        "+", "-", "*", "/", "//", "%", "||", "~~", "!~~", "~~*", "!~~*", "like_escape", "ilike_escape",
    ]
    static let allowedClasses: Set<String> = ["CONSTANT", "COLUMN_REF", "COMPARISON", "CONJUNCTION", "OPERATOR", "FUNCTION", "CAST",
                                                "CASE", "BETWEEN"]

    var columns: Set<String> = []
    var bounds: [ColumnBound] = []
    let known: Set<String>
    /// The probe statement's parse tree, whose WHERE is the checked predicate.
    let tree: [String: Any]

    /// The probe: the predicate as the WHERE of a statement that has nothing else.
    static let probePrefix = "SELECT 1 FROM agnes_scan WHERE "

    init(_ predicate: String, columns known: Set<String>, using connection: Connection) throws {
        self.known = known
        let tree = try Self.parse(Self.probePrefix + "(\n\(predicate)\n)", using: connection)
        // The probe must be the reference statement but for its WHERE: anything else (QUALIFY, a window, a sample,
        // a set operation, a modifier, a CTE, another FROM) means the text left its parentheses.
        let reference = try Self.referenceStatement(using: connection)
        guard let statements = tree["statements"] as? [[String: Any]], statements.count == 1 else {
            throw ScanRejection.validator(kind: "multi_statement", details: [:])
        }
        guard let node = statements[0]["node"] as? [String: Any], let clause = node["where_clause"] as? [String: Any],
              NSDictionary(dictionary: Self.withoutLocations(statements[0].merging(["node": node.merging(["where_clause": NSNull()]) { $1 }]) { $1 }))
                .isEqual(reference) else {
            throw ScanRejection.validator(kind: "disallowed_node", details: ["node": "the predicate must be one expression"])
        }
        self.tree = tree
        try visit(clause)
        collectBounds(clause)
    }

    /// `sql`'s parse tree; a statement DuckDB cannot parse is upstream's `parse_error`.
    static func parse(_ sql: String, using connection: Connection) throws -> [String: Any] {
        guard let text = try connection.scalar(String.self, "SELECT CAST(json_serialize_sql($1::VARCHAR) AS VARCHAR)", sql),
              let tree = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ScanRejection.validator(kind: "parse_error", details: ["message": "the predicate could not be parsed"])
        }
        if tree["error"] as? Bool == true {
            let message = tree["error_message"] as? String ?? "not an expression"
            throw ScanRejection.validator(kind: "parse_error", details: ["message": PublicErrorMessage.withoutPaths(message)])
        }
        return tree
    }

    /// The probe statement's tree with no WHERE, to compare a probe against.
    static func referenceStatement(using connection: Connection) throws -> NSDictionary {
        let tree = try parse(probePrefix + "(TRUE)", using: connection)
        guard let statement = (tree["statements"] as? [[String: Any]])?.first, let node = statement["node"] as? [String: Any] else {
            throw ScanRejection.invalid("the scan could not be prepared")
        }
        return NSDictionary(dictionary: withoutLocations(statement.merging(["node": node.merging(["where_clause": NSNull()]) { $1 }]) { $1 }))
    }

    /// `value` without the `query_location` fields, which differ between texts of the same tree.
    static func withoutLocations(_ value: [String: Any]) -> [String: Any] {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { $0.key != "query_location" }.mapValues(strip)
            }
            if let list = value as? [Any] { return list.map(strip) }
            return value
        }
        return strip(value) as? [String: Any] ?? [:]
    }

    /// The checked predicate as DuckDB writes it back from the tree (`json_deserialize_sql`).
    func rendered(using connection: Connection) throws -> String {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: tree), as: UTF8.self)
        guard let text = try connection.scalar(String.self, "SELECT json_deserialize_sql($1::JSON)", json), text.hasPrefix(Self.probePrefix) else {
            throw ScanRejection.validator(kind: "parse_error", details: ["message": "the predicate could not be rendered"])
        }
        return String(text.dropFirst(Self.probePrefix.count))
    }

    mutating func visit(_ node: [String: Any]) throws {
        let kind = node["class"] as? String ?? "?"
        if kind == "SUBQUERY" { throw ScanRejection.validator(kind: "nested_select", details: [:]) }
        guard Self.allowedClasses.contains(kind) else { throw ScanRejection.validator(kind: "disallowed_node", details: ["node": kind]) }
        switch kind {
        case "COLUMN_REF":
            let names = node["column_names"] as? [String] ?? []
            if names.count > 1, names.dropLast().last?.lowercased() != "agnes_scan" {
                throw ScanRejection.validator(kind: "cross_table_reference", details: ["reference": names.joined(separator: ".")])
            }
            guard let name = names.last, known.contains(name) else {
                throw ScanRejection.validator(kind: "unknown_column", details: ["column": names.last ?? ""])
            }
            columns.insert(name)
        case "FUNCTION":
            let name = (node["function_name"] as? String ?? "").lowercased()
            guard (node["schema"] as? String ?? "").isEmpty, (node["catalog"] as? String ?? "").isEmpty, Self.allowedFunctions.contains(name) else {
                throw ScanRejection.validator(kind: "unknown_function", details: ["function": name])
            }
            if let filter = node["filter"], !(filter is NSNull) { throw ScanRejection.validator(kind: "disallowed_node", details: ["node": "FILTER"]) }
        default:
            break
        }
        for value in node.values { try visitChildren(value) }
    }

    mutating func visitChildren(_ value: Any) throws {
        if let object = value as? [String: Any] {
            if object["class"] is String { try visit(object) } else { for inner in object.values { try visitChildren(inner) } }
        } else if let list = value as? [Any] {
            for element in list { try visitChildren(element) }
        }
    }

    /// Bounds of the conjuncts at the top of the predicate.
    mutating func collectBounds(_ node: [String: Any]) {
        switch node["type"] as? String {
        case "CONJUNCTION_AND":
            for child in node["children"] as? [[String: Any]] ?? [] { collectBounds(child) }
        case "COMPARE_BETWEEN":
            guard let column = Self.column(node["input"]), let lower = Self.literal(node["lower"]), let upper = Self.literal(node["upper"]) else { return }
            bounds.append(ColumnBound(column: column, op: .greaterOrEqual, literal: lower))
            bounds.append(ColumnBound(column: column, op: .lessOrEqual, literal: upper))
        case let type?:
            let operators: [String: (ColumnBound.Operator, ColumnBound.Operator)] = [
                "COMPARE_EQUAL": (.equal, .equal), "COMPARE_LESSTHAN": (.less, .greater), "COMPARE_LESSTHANOREQUALTO": (.lessOrEqual, .greaterOrEqual),
                "COMPARE_GREATERTHAN": (.greater, .less), "COMPARE_GREATERTHANOREQUALTO": (.greaterOrEqual, .lessOrEqual),
            ]
            guard let (op, flipped) = operators[type] else { return }
            if let column = Self.column(node["left"]), let literal = Self.literal(node["right"]) {
                bounds.append(ColumnBound(column: column, op: op, literal: literal))
            } else if let column = Self.column(node["right"]), let literal = Self.literal(node["left"]) {
                bounds.append(ColumnBound(column: column, op: flipped, literal: literal))
            }
        default:
            return
        }
    }

    static func column(_ node: Any?) -> String? {
        guard let node = node as? [String: Any], node["class"] as? String == "COLUMN_REF" else { return nil }
        return (node["column_names"] as? [String])?.last
    }

    /// A constant (or a cast of one) as a SQL literal; nil for anything else.
    static func literal(_ node: Any?) -> String? {
        guard let node = node as? [String: Any] else { return nil }
        if node["class"] as? String == "CAST" { return literal(node["child"]) }
        guard node["class"] as? String == "CONSTANT", let value = node["value"] as? [String: Any], value["is_null"] as? Bool == false,
              let type = (value["type"] as? [String: Any])?["id"] as? String else { return nil }
        switch (type, value["value"]) {
        case let ("VARCHAR", text as String): return SQL.literal(text)
        case let ("DECIMAL", number as NSNumber):
            let scale = ((value["type"] as? [String: Any])?["type_info"] as? [String: Any])?["scale"] as? Int ?? 0
            return String(number.doubleValue / pow(10, Double(scale)))
        case let (_, number as NSNumber) where ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                                                 "UBIGINT", "FLOAT", "DOUBLE"].contains(type):
            return number.stringValue
        default: return nil
        }
    }
}
