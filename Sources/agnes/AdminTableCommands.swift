// `agnes admin register-table | update-table | unregister-table | list-tables`, `agnes admin sources …` and
// `agnes admin sync`: the table registry, the data sources it reads from, and running syncs.
import AgnesClient
import ArgumentParser
import Foundation

/// The registry fields both `register-table` and `update-table` take.
struct TableFieldOptions: ParsableArguments {
    @Option(help: "The data source to read from (see `agnes admin sources list`).") var source: String?
    @Option(help: "The source's type (files, postgres, sqlite; informational for files-based sources).") var sourceType: String?
    @Option(help: "The table, file or glob in the source.") var sourceTable: String?
    @Option(help: "A query to run in the source instead of a table (SQL, or @file.sql).") var query: String?
    @Option(help: "local, materialized or remote.") var queryMode: String?
    @Option(help: "full_refresh, incremental or partitioned.") var syncStrategy: String?
    @Option(help: "every 15m, every 6h, or daily 05:00[,17:00] (UTC).") var syncSchedule: String?
    @Option(help: "Primary key columns, comma-separated (incremental merges on them).") var primaryKey: String?
    @Option(help: "The column an incremental sync continues from.") var incrementalColumn: String?
    @Option(help: "The date column a partitioned table is split on by month.") var partitionBy: String?
    @Option(help: "The bucket (upstream's Keboola bucket; kept for compatibility).") var bucket: String?
    @Option(help: "A folder; a grant on the folder covers the table.") var folder: String?
    @Option(help: "What the table holds.") var description: String?

    func body() throws -> [String: Any] {
        var body: [String: Any] = [:]
        let query = try self.query.map { text -> String in
            guard text.hasPrefix("@") else { return text }
            let path = (String(text.dropFirst()) as NSString).expandingTildeInPath
            guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else { throw ClientError(.usage, "cannot read \(path)") }
            return contents
        }
        let fields: [(String, Any?)] = [
            ("source_name", source), ("source_type", sourceType), ("source_table", sourceTable), ("source_query", query),
            ("query_mode", queryMode), ("sync_strategy", syncStrategy), ("sync_schedule", syncSchedule),
            ("primary_key", commaList(primaryKey)), ("incremental_column", incrementalColumn), ("partition_by", partitionBy),
            ("bucket", bucket), ("folder", folder), ("description", description),
        ]
        for (key, value) in fields { if let value { body[key] = value } }
        return body
    }
}

struct RegisterTableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register-table", abstract: "Register a table so it syncs and can be granted.",
        discussion: """
            The id is derived from the name. Examples:
              agnes admin register-table orders --source shop --source-table orders.csv --description "All orders"
              agnes admin register-table events --source pg --source-table public.events --sync-strategy incremental \\
                --incremental-column updated_at --primary-key id --sync-schedule "every 15m"
            """)

    @Argument(help: "The table's name.") var name: String
    @OptionGroup var fields: TableFieldOptions
    @Flag(help: "Print the request instead of sending it.") var dryRun = false
    @Flag(help: "Print the server's JSON.") var json = false

    func run() async throws {
        try await reporting {
            var body = try fields.body()
            body["name"] = name
            if dryRun { return try printJSONObject(body) }
            let reply = try await signedInAPI().call(.POST, "/api/admin/register-table", json: body)
            if json { return printRaw(reply) }
            print("Registered \(name) as \(text(reply.object["id"]) ?? "?"). Run `agnes admin sync --table \(text(reply.object["id"]) ?? name)` to load it now.")
        }
    }
}

struct UpdateTableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update-table", abstract: "Change a registered table's settings (only the options given).",
        discussion: "Example: agnes admin update-table orders --sync-schedule \"every 1h\" --description \"Orders, hourly\"")

    @Argument(help: "The table's id.") var id: String
    @Option(help: "A new display name.") var name: String?
    @OptionGroup var fields: TableFieldOptions
    @Flag(help: "Print the server's JSON.") var json = false

    func run() async throws {
        try await reporting {
            var body = try fields.body()
            if let name { body["name"] = name }
            guard !body.isEmpty else { throw ClientError(.usage, "nothing to change: give at least one option (see --help)") }
            let reply = try await signedInAPI().call(.PUT, "/api/admin/registry/\(id)", json: body)
            if json { return printRaw(reply) }
            print("Updated \(id).")
        }
    }
}

struct UnregisterTableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unregister-table", abstract: "Remove a table from the registry (and from every manifest and the query engine).",
            discussion: "Example: agnes admin unregister-table old_orders --yes")
    @Argument(help: "The table's id.") var id: String
    @Flag(name: .shortAndLong, help: "Do not ask for confirmation.") var yes = false

    func run() async throws {
        try await reporting {
            try confirm("Unregister \(id)? Analysts lose it at their next pull.", yes: yes)
            _ = try await signedInAPI().call(.DELETE, "/api/admin/registry/\(id)")
            print("Unregistered \(id).")
        }
    }
}

struct ListTablesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list-tables", abstract: "Every registered table with its source and sync settings.",
            discussion: "Example: agnes admin list-tables --json")
    @Flag(help: "Print the server's JSON.") var json = false

    func run() async throws {
        try await reporting {
            let reply = try await signedInAPI().call(.GET, "/api/admin/registry")
            printRows(reply.object["tables"] as? [[String: Any]] ?? [], reply: reply, json: json,
                      columns: ["id", "source_name", "source_table", "query_mode", "sync_strategy", "sync_schedule", "last_sync_error"])
        }
    }
}

struct SourcesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sources", abstract: "Data sources: connector instances tables are read from.",
        discussion: """
            Secrets are never sent: a source names the environment variables (on the server) that hold them.
            Example: agnes admin sources add pg --type postgres \\
                       --config '{"host":"db.internal","database":"shop","user":"agnes","password_env":"PG_PASSWORD"}' --secret-env PG_PASSWORD
            """,
        subcommands: [List.self, Add.self, Remove.self, Test.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every data source.",
            discussion: "Example: agnes admin sources list")
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let reply = try await signedInAPI().call(.GET, "/api/admin/sources")
                printRows(reply.array, reply: reply, json: json, columns: ["name", "type", "config", "secret_env"])
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add or replace a data source.",
            discussion: "Example: agnes admin sources add shop --type files --config '{\"directory\":\"/srv/exports\"}'")
        @Argument(help: "The source's name (letters, digits, _).") var name: String
        @Option(help: "files, postgres or sqlite.") var type: String
        @Option(help: "The connector's configuration as a JSON object (or @file.json).") var config: String
        @Option(help: "Environment variables on the server that hold secrets, comma-separated.") var secretEnv: String?

        func run() async throws {
            try await reporting {
                let text = config.hasPrefix("@") ? try String(contentsOfFile: String(config.dropFirst()), encoding: .utf8) : config
                guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                    throw ClientError(.usage, "--config must be a JSON object")
                }
                let api = try signedInAPI()
                let body: [String: Any] = ["name": name, "type": type, "config": object, "secret_env": commaList(secretEnv) ?? []]
                let exists = try await api.call(.GET, "/api/admin/sources").array.contains { $0["name"] as? String == name }
                _ = try await api.call(exists ? .PUT : .POST, exists ? "/api/admin/sources/\(name)" : "/api/admin/sources", json: body)
                print("\(exists ? "Replaced" : "Added") the source \(name). Check it with `agnes admin sources test \(name)`.")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a data source.",
            discussion: "Example: agnes admin sources remove shop --yes")
        @Argument(help: "The source's name.") var name: String
        @Flag(name: .shortAndLong, help: "Do not ask for confirmation.") var yes = false

        func run() async throws {
            try await reporting {
                try confirm("Remove the source \(name)?", yes: yes)
                _ = try await signedInAPI().call(.DELETE, "/api/admin/sources/\(name)")
                print("Removed the source \(name).")
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "test", abstract: "Check that the server can read a source.",
            discussion: "Example: agnes admin sources test shop")
        @Argument(help: "The source's name.") var name: String

        func run() async throws {
            try await reporting {
                let answer = try await signedInAPI().call(.POST, "/api/admin/sources/\(name)/test", timeout: .minutes(2)).object
                guard answer["ok"] as? Bool == true else { throw ClientError(.failure, "\(name): \(text(answer["error"]) ?? "failed")") }
                print("\(name): ok — \(text(answer["message"]) ?? "")")
            }
        }
    }
}

struct AdminSyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Sync tables now (all due tables, or the ones named).",
        discussion: "Examples: agnes admin sync · agnes admin sync --table orders --table customers --wait")

    @Option(name: .customLong("table"), help: "A table id (repeatable).") var tables: [String] = []
    @Flag(help: "Wait until the sync ends and report each table's result.") var wait = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reporting {
            let api = try signedInAPI()
            let started = Date()
            let reply = try await api.call(.POST, "/api/sync/trigger", json: tables.isEmpty ? ["tables": NSNull()] : ["tables": tables])
            let ids = reply.object["tables"] as? [String] ?? []
            guard wait else {
                if json { return printRaw(reply) }
                return print("Started syncing \(ids.count) tables: \(ids.joined(separator: ", ")). `agnes admin sync --wait` waits for the end.")
            }
            while try await api.call(.GET, "/api/sync/status").object["locked"] as? Bool == true {
                try await Task.sleep(for: .milliseconds(250))
            }
            var results: [[String: Any]] = []
            for id in ids {
                let latest = try await api.call(.GET, "/api/sync/history?table=\(id)&limit=1").array.first ?? [:]
                results.append(["table": id, "status": latest["status"] ?? "unknown", "rows": latest["rows"] ?? NSNull(),
                                "error": latest["error"] ?? NSNull()])
            }
            if json { return try printJSONObject(["tables": results, "duration_s": Date().timeIntervalSince(started)]) }
            printTable(["table", "status", "rows", "error"], results.map { row in ["table", "status", "rows", "error"].map { text(row[$0]) } })
            if results.contains(where: { $0["status"] as? String == "error" }) { throw ExitCode(1) }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit trail, newest first.",
        discussion: "Examples: agnes admin audit --since 24h · agnes admin audit --user ana@example.com --action query --json")

    @Option(help: "How far back: 30m, 24h, 7d, or an ISO-8601 time.") var since: String?
    @Option(help: "Only this user's actions (email or id).") var user: String?
    @Option(help: "Only actions starting with this (e.g. query, user., sync).") var action: String?
    @Option(help: "Only this resource (e.g. table:orders).") var resource: String?
    @Option(help: "At most this many rows (1–1000).") var limit = 50
    @Flag(help: "Print the server's JSON.") var json = false

    /// `30m`, `24h`, `7d` → that long ago; an ISO-8601 time as it is.
    static func sinceDate(_ text: String, now: Date = Date()) throws -> String {
        let units: [Character: Double] = ["m": 60, "h": 3600, "d": 86400]
        if let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0 {
            return ISO8601DateFormatter().string(from: now.addingTimeInterval(-amount * unit))
        }
        guard ISO8601DateFormatter().date(from: text) != nil else { throw ClientError(.usage, "--since takes 30m, 24h, 7d or an ISO-8601 time") }
        return text
    }

    func run() async throws {
        try await reporting {
            let api = try signedInAPI()
            var query = ["limit=\(limit)"]
            func add(_ name: String, _ value: String) {
                query.append("\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)")
            }
            if let since { add("since", try Self.sinceDate(since)) }
            if let user { add("user_id", try await AdminDirectory(api: api).userId(user)) }
            if let action { add("action_prefix", action) }
            if let resource { add("resource", resource) }
            let reply = try await api.call(.GET, "/api/admin/audit?" + query.joined(separator: "&"))
            printRows(reply.object["rows"] as? [[String: Any]] ?? [], reply: reply, json: json,
                      columns: ["timestamp", "user_id", "action", "resource", "result", "duration_ms"])
        }
    }
}

/// Prints a `JSONSerialization` value (sorted keys, one line).
func printJSONObject(_ value: Any) throws {
    print(String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self))
}
