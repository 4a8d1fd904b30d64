// Discovery: `agnes catalog`, `agnes schema <id>`, `agnes describe <id>`, `agnes sample <id>` — what tables exist, what
// they hold and how fresh they are, before querying.
import AgnesAPI
import AgnesClient
import ArgumentParser
import DuckDB
import Foundation

/// Prints `rows` as a terminal table (strings as they are).
func printTable(_ columns: [String], _ rows: [[String?]]) {
    let values = rows.map { $0.map { $0.map(DuckDBValue.string) ?? .null } }
    print(ResultFormatter.render(columns: columns, rows: values, format: .table, width: 200), terminator: "")
}

/// A result value as one line of text (nil for SQL NULL).
func text(_ cell: ResultCell) -> String? {
    switch cell {
    case .null: nil
    case let .bool(value): value ? "true" : "false"
    case let .integer(value): String(value)
    case let .number(value): String(value)
    case let .text(value): value
    }
}

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "The tables you may read: id, mode, rows, size, freshness.",
        discussion: """
            Start here, then `agnes schema <id>` and `agnes describe <id>`. Before computing a business metric, look up its \
            definition: `agnes catalog --metrics`, then `agnes catalog --metrics --show revenue/gross_revenue`.
            Examples: agnes catalog · agnes catalog --json · agnes catalog --metrics --show revenue/gross_revenue
            """)

    @Flag(help: "Print the server's JSON.") var json = false
    @Flag(help: "List metric definitions instead of tables.") var metrics = false
    @Option(help: "With --metrics: one metric in full (its id, e.g. revenue/gross_revenue).") var show: String?

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let (_, api) = try clientSettings()
        if metrics || show != nil { return try await listMetrics(api) }
        let catalog = try await api.catalog()
        try printRows(catalog.tables, of: catalog, json: json, [
            Column("id") { $0.id }, Column("mode") { $0.queryMode }, Column("rows") { $0.rows.map(String.init) }, Column("size") { $0.roughSizeHint },
            Column("freshness") { $0.metadataFreshness }, Column("description") { $0.description },
        ])
    }
}

extension CatalogCommand {
    func listMetrics(_ api: APIClient) async throws {
        if let show {
            let metric = try await api.metric(show)
            if json { return try printJSON(metric) }
            print("\(metric.id): \(metric.displayName ?? "")")
            let fields: [(String, String?)] = [("description", metric.description), ("type", metric.type), ("unit", metric.unit), ("grain", metric.grain),
                                               ("expression", metric.expression), ("time_column", metric.timeColumn)]
            for (key, value) in fields { if let value, !value.isEmpty { print("\(key): \(value)") } }
            let lists = [("tables", metric.tables), ("dimensions", metric.dimensions), ("filters", metric.filters), ("synonyms", metric.synonyms),
                         ("notes", metric.notes)]
            for (key, values) in lists where !values.isEmpty { print("\(key): \(values.joined(separator: "; "))") }
            if let sql = metric.sql { print("sql:\n\(sql)") }
            return
        }
        let list = try await api.metrics()
        try printRows(list.metrics, of: list, json: json, [
            Column("id") { $0.id }, Column("display_name") { $0.displayName }, Column("unit") { $0.unit }, Column("grain") { $0.grain },
            Column("description") { $0.description },
        ])
    }
}

struct SchemaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema", abstract: "A table's columns: name, type, nullable, description.", discussion: "Example: agnes schema orders")

    @Argument(help: "The table id.") var table: String
    @Flag(help: "Print the server's JSON.") var json = false

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let (_, api) = try clientSettings()
        let schema = try await api.schema(of: try tablePath(table))
        try printRows(schema.columns, of: schema, json: json, [
            Column("column") { $0.name }, Column("type") { $0.type }, Column("nullable") { $0.nullable ? "yes" : "no" },
            Column("description") { $0.description },
        ])
    }
}

struct SampleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sample", abstract: "A few rows of a table, from the server.",
                                                    discussion: "Example: agnes sample orders -n 10")

    @Argument(help: "The table id.") var table: String
    @Option(name: .short, help: "Rows (1–100).") var n: Int = 5
    @Flag(help: "Print the server's JSON.") var json = false

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let (_, api) = try clientSettings()
        let sample = try await api.sample(of: try tablePath(table), rows: n)
        if json { return try printJSON(sample) }
        printSample(sample.rows, columns: nil)
    }
}

struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe", abstract: "Everything about a table: columns with their profile (nulls, distinct values, range), then sample rows.",
        discussion: "Example: agnes describe orders -n 3")

    @Argument(help: "The table id.") var table: String
    @Option(name: .short, help: "Sample rows (1–100).") var n: Int = 5
    @Flag(help: "Print JSON: {schema, profile, sample}.") var json = false

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let (_, api) = try clientSettings()
        let id = try tablePath(table)
        let schema = try await api.schema(of: id)
        let profile = try await api.profile(of: id)
        let sample = try await api.sample(of: id, rows: n)
        if json { return try printJSON(Description(schema: schema, profile: profile, sample: sample.rows)) }
        let profiled = Dictionary((profile?.columns ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        if let rows = profile?.rows { print("\(id): \(rows) rows") }
        printTable(["column", "type", "nulls", "distinct", "min", "max", "description"], schema.columns.map { column in
            let stats = profiled[column.name]
            return [column.name, column.type, stats.map { String(format: "%.1f%%", $0.nullFraction * 100) }, stats.map { String($0.distinctEstimate) },
                    stats?.min, stats?.max, column.description]
        })
        print("")
        printSample(sample.rows, columns: schema.columns.map(\.name))
    }

    /// `agnes describe --json`.
    struct Description: Encodable {
        let schema: TableSchema
        @Nullable var profile: CatalogProfile?
        let sample: [SampleRow]
    }
}

/// Sample rows as a table, in the schema's column order when known.
func printSample(_ rows: [SampleRow], columns: [String]?) {
    let names = columns ?? rows.first?.columns ?? []
    printTable(names, rows.map { row in names.map { row[$0].flatMap(text) } })
}

/// A table id fit for a URL path (ids are plain slugs; anything else is refused before asking the server).
func tablePath(_ id: String) throws -> String {
    guard !id.isEmpty, id.count <= 63, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
        throw ClientError(.usage, "'\(id)' is not a table id (letters, digits and _)")
    }
    return id.lowercased()
}
