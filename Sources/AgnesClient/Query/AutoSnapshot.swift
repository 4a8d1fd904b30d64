// `agnes query --remote --auto-snapshot` (upstream's): when the server refuses a query because the remote tables it
// reads hold more than its scan cap (`remote_scan_too_large`), each table the refusal names is snapshotted whole — a
// from-query snapshot `SELECT * FROM <table>` named `auto_<first 8 hex digits of sha256(lower-cased table)>`, expiring
// after 24 hours and reused until then — and the query runs on the workspace's DuckDB with its references to those
// tables pointed at the snapshots. The references are changed in DuckDB's own parse tree (a table keeps its name as
// the alias, so `live.id` still reads), never by searching the SQL text.
import AgnesAPI
import DuckDB
import Foundation

public struct AutoSnapshot {
    /// How long an automatic snapshot is kept (and reused).
    public static let timeToLive: TimeInterval = 86_400
    public let snapshots: Snapshots

    public init(snapshots: Snapshots) { self.snapshots = snapshots }

    /// The snapshot a table is materialized into: `auto_` and the first 8 hex digits of the sha256 of its lower-cased id.
    public static func name(for table: String) throws -> String {
        let connection = try Database().connect()
        defer { connection.close() }
        let digest = try connection.scalar(String.self, "SELECT sha256(lower($1::VARCHAR))", table) ?? ""
        return "auto_" + digest.prefix(8)
    }

    /// Snapshots every table `refusal` names as a target (reusing unexpired ones), then returns `sql` reading the
    /// snapshots instead; `note` gets a line for each step.
    public func localize(_ sql: String, after refusal: RemoteScanTooLarge, note: (String) -> Void) async throws -> String {
        guard !refusal.viewTargets.isEmpty else { throw ClientError(.failure, refusal.description) }
        var replacements: [String: String] = [:]
        let existing = Dictionary(snapshots.list().map { ($0.name, $0) }) { first, _ in first }
        for table in refusal.viewTargets {
            let name = try Self.name(for: table)
            let query = "SELECT * FROM \(SQL.identifier(table))"
            if let kept = existing[name], !kept.isExpired(), kept.fromQuery == query {
                note("[auto-snapshot] reusing \(name) for \(table) (made \(kept.createdAt.formatted(.iso8601)), \(kept.rows) rows)")
            } else {
                note("[auto-snapshot] \(table) is over the server's remote scan limit: snapshotting it whole as \(name) (kept 24 h)")
                var draft = Snapshot(name: name, tableId: name, select: nil, where: nil, orderBy: nil, limit: nil, createdAt: Date(), rows: 0, bytes: 0)
                draft.fromQuery = query
                let made = try await snapshots.create(draft, replace: true, timeToLive: Self.timeToLive)
                note("[auto-snapshot] \(name): \(made.rows) rows, \(made.bytes) bytes")
            }
            replacements[table.lowercased()] = name
        }
        let rewritten = try Self.rewrite(sql, replacing: replacements)
        note("[auto-snapshot] running locally: \(rewritten)")
        return rewritten
    }

    /// `sql` with every unqualified reference to a table in `replacements` (lower-cased names) reading its replacement
    /// instead, under the table's name as alias (a CTE of the same name is left alone, as is everything it shadows).
    public static func rewrite(_ sql: String, replacing replacements: [String: String]) throws -> String {
        let connection = try Database().connect()
        defer { connection.close() }
        guard let serialized = try connection.scalar(String.self, "SELECT CAST(json_serialize_sql($1::VARCHAR) AS VARCHAR)", sql),
              var tree = try JSONSerialization.jsonObject(with: Data(serialized.utf8)) as? [String: Any] else {
            throw ClientError(.failure, "the query cannot be read")
        }
        if tree["error"] as? Bool == true { throw ClientError(.failure, "the query cannot be read: \(tree["error_message"] as? String ?? "")") }
        tree = redirect(tree, replacements, shadowed: []) as? [String: Any] ?? tree
        let json = String(decoding: try JSONSerialization.data(withJSONObject: tree), as: UTF8.self)
        guard let rendered = try connection.scalar(String.self, "SELECT json_deserialize_sql($1::JSON)", json) else {
            throw ClientError(.failure, "the rewritten query cannot be rendered")
        }
        return rendered
    }

    /// The tree with base-table references redirected; names a CTE defines are not redirected below it.
    private static func redirect(_ node: Any, _ replacements: [String: String], shadowed: Set<String>) -> Any {
        if let list = node as? [Any] { return list.map { redirect($0, replacements, shadowed: shadowed) } }
        guard var object = node as? [String: Any] else { return node }
        var hidden = shadowed
        // A query's CTEs: each sees the ones before it; the rest of the query sees all of them.
        if var cteMap = object["cte_map"] as? [String: Any], var map = cteMap["map"] as? [[String: Any]] {
            for index in map.indices {
                map[index]["value"] = map[index]["value"].map { redirect($0, replacements, shadowed: hidden) }
                hidden.insert((map[index]["key"] as? String ?? "").lowercased())
            }
            cteMap["map"] = map
            object["cte_map"] = cteMap
        }
        if object["type"] as? String == "BASE_TABLE", (object["schema_name"] as? String ?? "").isEmpty,
           (object["catalog_name"] as? String ?? "").isEmpty, let name = object["table_name"] as? String,
           !hidden.contains(name.lowercased()), let replacement = replacements[name.lowercased()] {
            object["table_name"] = replacement
            if (object["alias"] as? String ?? "").isEmpty { object["alias"] = name }
            return object
        }
        for (key, value) in object where key != "cte_map" { object[key] = redirect(value, replacements, shadowed: hidden) }
        return object
    }
}
