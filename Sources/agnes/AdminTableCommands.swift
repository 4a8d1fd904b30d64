// `agnes admin register-table | update-table | unregister-table | list-tables`, `agnes admin sources …` and
// `agnes admin sync`: the table registry, the data sources it reads from, and running syncs.
import AgnesAPI
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

    /// The registry fields the options give (a `@file` query read from the file).
    func fields(name: String? = nil) throws -> TableFields {
        let query = try self.query.map(argumentText)
        return TableFields(name: name, sourceName: source, sourceType: sourceType, bucket: bucket, sourceTable: sourceTable, sourceQuery: query,
                           queryMode: try queryMode.map { try choice($0, QueryMode.self, option: "--query-mode") },
                           syncStrategy: try syncStrategy.map { try choice($0, SyncStrategy.self, option: "--sync-strategy") },
                           syncSchedule: syncSchedule, primaryKey: commaList(primaryKey), incrementalColumn: incrementalColumn,
                           partitionBy: partitionBy, folder: folder, description: description)
    }

    func choice<T: RawRepresentable & CaseIterable>(_ text: String, _ type: T.Type, option: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw ClientError(.usage, "\(option) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}

struct RegisterTableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register-table", abstract: "Register a table so it syncs and can be granted.",
        discussion: """
            The id is derived from the name. --dry-run asks the server to check the registration and read the source as a \
            sync would, and stores nothing.

            Examples:
              agnes admin register-table orders --source shop --source-table orders.csv --description "All orders"
              agnes admin register-table orders --source shop --source-table orders.csv --dry-run
              agnes admin register-table events --source pg --source-table public.events --sync-strategy incremental \\
                --incremental-column updated_at --primary-key id --sync-schedule "every 15m"
            """)

    @Argument(help: "The table's name.") var name: String
    @OptionGroup var fields: TableFieldOptions
    @Flag(help: "Check the registration on the server and show the source's columns; store nothing.") var dryRun = false
    @Flag(help: "Print the server's JSON.") var json = false

    func run() async throws {
        try await reporting {
            let request = try fields.fields(name: name)
            if dryRun {
                let checked = try await signedInAPI().precheckTable(request)
                if json { return try printJSON(checked) }
                print("\(checked.table.id): the registration passes; nothing was stored.")
                if let columns = checked.columns { print("columns: " + columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")) }
                for warning in checked.warnings { FileHandle.standardError.write(Data("warn: \(warning)\n".utf8)) }
                return
            }
            let registered = try await signedInAPI().registerTable(request)
            if json { return try printJSON(registered) }
            print("Registered \(name) as \(registered.id). Run `agnes admin sync --table \(registered.id)` to load it now.")
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
            let request = try fields.fields(name: name)
            guard !request.given.isEmpty else { throw ClientError(.usage, "nothing to change: give at least one option (see --help)") }
            let updated = try await signedInAPI().updateTable(id, request)
            if json { return try printJSON(updated) }
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
            try await signedInAPI().unregisterTable(id)
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
            let registry = try await signedInAPI().registry()
            try printRows(registry.tables, of: registry, json: json, [
                Column("id") { $0.table.id }, Column("source_name") { $0.table.sourceName }, Column("source_table") { $0.table.sourceTable },
                Column("query_mode") { $0.table.queryMode.rawValue }, Column("sync_strategy") { $0.table.syncStrategy.rawValue },
                Column("sync_schedule") { $0.table.syncSchedule }, Column("last_sync_error") { $0.lastSyncError },
            ])
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
                let sources = try await signedInAPI().sources()
                try printRows(sources, of: sources, json: json, [
                    Column("name") { $0.name }, Column("type") { $0.type },
                    Column("config") { (try? JSONCoding.encoder.encode($0.config)).map { String(decoding: $0, as: UTF8.self) } },
                    Column("secret_env") { $0.secretEnv.joined(separator: ", ") },
                ])
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
                let text = try argumentText(config)
                guard let object = try? JSONCoding.decoder.decode(JSONValue.self, from: Data(text.utf8)), case .object = object else {
                    throw ClientError(.usage, "--config must be a JSON object")
                }
                let api = try signedInAPI()
                let exists = try await api.sources().contains { $0.name == name }
                _ = try await api.saveSource(SourceRequest(name: name, type: type, config: object, secretEnv: commaList(secretEnv) ?? []),
                                             replacing: exists ? name : nil)
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
                try await signedInAPI().deleteSource(name)
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
                let answer = try await signedInAPI().testSource(name)
                guard answer.ok else { throw ClientError(.failure, "\(name): \(answer.error ?? "failed")") }
                print("\(name): ok — \(answer.message ?? "")")
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
            let triggered = try await api.triggerSync(tables: tables.isEmpty ? nil : tables)
            guard wait else {
                if json { return try printJSON(triggered) }
                let ids = triggered.tables
                return print("Started syncing \(ids.count) tables: \(ids.joined(separator: ", ")). `agnes admin sync --wait` waits for the end.")
            }
            while try await api.syncStatus().locked {
                try await Task.sleep(for: .milliseconds(250))
            }
            var results: [SyncOutcome] = []
            for id in triggered.tables {
                let latest = try await api.syncHistory(table: id, limit: 1).first
                results.append(SyncOutcome(table: id, status: latest?.status.rawValue ?? "unknown", rows: latest?.rows, error: latest?.error))
            }
            if json { return try printJSON(SyncReport(tables: results, durationSeconds: Date().timeIntervalSince(started))) }
            printTable(["table", "status", "rows", "error"], results.map { [$0.table, $0.status, $0.rows.map(String.init), $0.error] })
            if results.contains(where: { $0.status == "error" }) { throw ExitCode(1) }
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
            let userId = try await user.asyncMap { try await AdminDirectory(api: api).userId($0) }
            let page = try await api.audit(since: try since.map { try Self.sinceDate($0) }, userId: userId, actionPrefix: action, resource: resource,
                                           limit: limit)
            try printRows(page.rows, of: page, json: json, [
                Column("timestamp") { timestamp($0.timestamp) }, Column("user_id") { $0.userId }, Column("action") { $0.action },
                Column("resource") { $0.resource }, Column("result") { $0.result }, Column("duration_ms") { $0.durationMs.map(String.init) },
            ])
        }
    }
}

/// One table's result in `agnes admin sync --wait --json`.
struct SyncOutcome: Encodable {
    let table: String
    let status: String
    @Nullable var rows: Int64?
    @Nullable var error: String?
}

/// `agnes admin sync --wait --json`.
struct SyncReport: Encodable {
    let tables: [SyncOutcome]
    let durationSeconds: Double

    enum CodingKeys: String, CodingKey {
        case tables
        case durationSeconds = "duration_s"
    }
}
