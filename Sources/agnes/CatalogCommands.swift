// Discovery: `agnes catalog`, `agnes schema <id>`, `agnes describe <id>`, `agnes sample <id>` — what tables exist, what
// they hold and how fresh they are, before querying.
import AgnesClient
import ArgumentParser
import DuckDB
import Foundation

/// Prints `rows` as a terminal table (strings as they are).
func printTable(_ columns: [String], _ rows: [[String?]]) {
    let values = rows.map { $0.map { $0.map(DuckDBValue.string) ?? .null } }
    print(ResultFormatter.render(columns: columns, rows: values, format: .table, width: 200), terminator: "")
}

/// A JSON value as one line of text.
func text(_ value: Any?) -> String? {
    switch value {
    case nil, is NSNull: return nil
    case let string as String: return string
    case let number as NSNumber where String(cString: number.objCType) == "c": return number.boolValue ? "true" : "false"
    case let number as NSNumber: return number.stringValue
    case let other?:
        let data = (try? JSONSerialization.data(withJSONObject: other, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Writes the server's JSON answer as it came.
func printRaw(_ reply: APIClient.Reply) {
    print(String(decoding: reply.body, as: UTF8.self))
}

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "The tables you may read: id, mode, rows, size, freshness.",
        discussion: """
            Start here, then `agnes schema <id>` and `agnes describe <id>`. Before computing a business metric, look up its
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
        let reply = try await api.call(.GET, "/api/v2/catalog")
        if json { return printRaw(reply) }
        let tables = reply.object["tables"] as? [[String: Any]] ?? []
        printTable(["id", "mode", "rows", "size", "freshness", "description"], tables.map { table in
            [text(table["id"]), text(table["query_mode"]), text(table["rows"]), text(table["rough_size_hint"]), text(table["metadata_freshness"]),
             text(table["description"])]
        })
    }
}

extension CatalogCommand {
    func listMetrics(_ api: APIClient) async throws {
        if let show {
            let reply = try await api.call(.GET, "/api/metrics/\(show)")
            if json { return printRaw(reply) }
            let metric = reply.object
            print("\(text(metric["id"]) ?? show): \(text(metric["display_name"]) ?? "")")
            for key in ["description", "type", "unit", "grain", "expression", "time_column"] {
                if let value = text(metric[key]), !value.isEmpty { print("\(key): \(value)") }
            }
            for key in ["tables", "dimensions", "filters", "synonyms", "notes"] {
                if let values = metric[key] as? [String], !values.isEmpty { print("\(key): \(values.joined(separator: "; "))") }
            }
            if let sql = metric["sql"] as? String { print("sql:\n\(sql)") }
            return
        }
        let reply = try await api.call(.GET, "/api/metrics")
        printRows(reply.object["metrics"] as? [[String: Any]] ?? [], reply: reply, json: json, columns: ["id", "display_name", "unit", "grain", "description"])
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
        let reply = try await api.call(.GET, "/api/v2/schema/\(try tablePath(table))")
        if json { return printRaw(reply) }
        let columns = reply.object["columns"] as? [[String: Any]] ?? []
        printTable(["column", "type", "nullable", "description"], columns.map {
            [text($0["name"]), text($0["type"]), ($0["nullable"] as? Bool ?? true) ? "yes" : "no", text($0["description"])]
        })
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
        let reply = try await api.call(.GET, "/api/v2/sample/\(try tablePath(table))?n=\(n)")
        if json { return printRaw(reply) }
        printSample(reply.object["rows"] as? [[String: Any]] ?? [], columns: nil)
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
        let schema = try await api.call(.GET, "/api/v2/schema/\(id)").object
        let profile = try await api.call(.GET, "/api/catalog/profile/\(id)", accepting: [404])
        let sample = try await api.call(.GET, "/api/v2/sample/\(id)?n=\(n)").object
        if json {
            let object: [String: Any] = ["schema": schema, "profile": profile.status == 404 ? NSNull() : profile.object, "sample": sample["rows"] ?? []]
            print(text(object) ?? "{}")
            return
        }
        let profiled = Dictionary((profile.object["columns"] as? [[String: Any]] ?? []).compactMap { column in
            (column["name"] as? String).map { ($0, column) }
        }, uniquingKeysWith: { first, _ in first })
        if let rows = profile.object["rows"] { print("\(id): \(text(rows) ?? "?") rows") }
        let columns = schema["columns"] as? [[String: Any]] ?? []
        printTable(["column", "type", "nulls", "distinct", "min", "max", "description"], columns.map { column in
            let name = column["name"] as? String ?? ""
            let stats = profiled[name] ?? [:]
            let nulls = (stats["null_fraction"] as? Double).map { String(format: "%.1f%%", $0 * 100) }
            return [name, text(column["type"]), nulls, text(stats["distinct_estimate"]), text(stats["min"]), text(stats["max"]), text(column["description"])]
        })
        print("")
        printSample(sample["rows"] as? [[String: Any]] ?? [], columns: columns.compactMap { $0["name"] as? String })
    }
}

/// Sample rows (objects) as a table, in the schema's column order when known.
func printSample(_ rows: [[String: Any]], columns: [String]?) {
    let names = columns ?? rows.first.map { $0.keys.sorted() } ?? []
    printTable(names, rows.map { row in names.map { text(row[$0]) } })
}

/// A table id fit for a URL path (ids are plain slugs; anything else is refused before asking the server).
func tablePath(_ id: String) throws -> String {
    guard !id.isEmpty, id.count <= 63, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
        throw ClientError(.usage, "'\(id)' is not a table id (letters, digits and _)")
    }
    return id.lowercased()
}
