// `agnes snapshot create|list|drop|refresh|prune`: slices of big (or remote) tables fetched from the server into the
// workspace as parquet, queried locally as views that survive `agnes pull`.
import AgnesClient
import ArgumentParser
import Foundation

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Fetch a filtered slice of a table into the workspace, and manage those slices.",
            discussion: "Example: agnes snapshot create web_sessions --select session_id,channel --where \"channel = 'ios'\" --as ios",
        subcommands: [SnapshotCreateCommand.self, SnapshotListCommand.self, SnapshotDropCommand.self, SnapshotRefreshCommand.self,
                      SnapshotPruneCommand.self])
}

struct SnapshotCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Fetch the rows of <table> matching --where (columns --select) as a local view.",
        discussion: """
            The server first estimates what the scan reads and returns (shown unless --no-estimate); --estimate stops there.

            With --from-query the snapshot holds the rows of one query instead (run on the server with your grants and \
            access policies, as `agnes query --remote`, without its row cap); <table> is then the snapshot's name. \
            --ttl 7d|12h|30m makes `agnes pull` (and `snapshot prune --expired`) drop it once that time has passed.

            Examples:
              agnes snapshot create web_sessions --select session_id,channel --where "started_at >= DATE '2025-03-01'" --as march
              agnes snapshot create paid_by_day --from-query "SELECT ordered_at::DATE AS day, count(*) AS n FROM orders GROUP BY 1"
            """)

    @Argument(help: "The table id (with --from-query: the snapshot's name).") var table: String
    @Option(help: "Columns, comma-separated (default: all).") var select: String?
    @Option(help: "A filter over the table's columns (SQL expression).") var `where`: String?
    @Option(help: "Rows at most.") var limit: Int?
    @Option(name: .customLong("order-by"), help: "Columns to order by, comma-separated (`col` or `col DESC`).") var orderBy: String?
    @Option(name: .customLong("as"), help: "The snapshot's name (default: <table>_snapshot).") var name: String?
    @Flag(help: "Only print the estimate.") var estimate = false
    @Flag(help: "Skip the estimate.") var noEstimate = false
    @Flag(help: "Replace a snapshot of the same name.") var force = false
    @Option(help: "Drop it this long after it is made: 7d, 12h or 30m (agnes pull and `snapshot prune --expired` drop it).") var ttl: String?
    @Option(name: .customLong("from-query"), help: "The rows of this SELECT, instead of a slice of a table.") var fromQuery: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let timeToLive = try ttl.map(parsedTimeToLive)
        if fromQuery != nil, select != nil || `where` != nil || orderBy != nil || limit != nil || estimate {
            throw ClientError(.usage, "--from-query cannot be combined with --select, --where, --order-by, --limit or --estimate")
        }
        let (settings, api) = try clientSettings()
        let snapshots = Snapshots(api: api, workspace: Workspace(root: settings.workspace))
        if let fromQuery {
            var draft = Snapshot(name: name ?? table, tableId: name ?? table, select: nil, where: nil, orderBy: nil, limit: nil, createdAt: Date(),
                                 rows: 0, bytes: 0)
            draft.fromQuery = fromQuery
            let snapshot = try await snapshots.create(draft, replace: force, timeToLive: timeToLive)
            if json { return try printJSON(snapshot) }
            return print("Snapshot \(snapshot.name): \(snapshot.rows) rows from the query; query it with agnes query \"SELECT * FROM \(snapshot.name)\"")
        }
        func list(_ text: String?) -> [String]? { text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } }
        let id = try tablePath(table)
        let draft = Snapshot(name: name ?? "\(id)_snapshot", tableId: id, select: list(select), where: `where`,
                             orderBy: list(orderBy), limit: limit, createdAt: Date(), rows: 0, bytes: 0)
        if !noEstimate {
            let figures = try await snapshots.estimate(draft)
            let rows = figures.estimatedResultRows.map(String.init) ?? "?"
            let scan = String(format: "%.1f MB", Double(figures.estimatedScanBytes) / 1_048_576)
            if estimate {
                if json { try printJSON(figures) } else { print("estimate: up to \(rows) rows, \(scan) to scan") }
                return
            }
            if !json { FileHandle.standardError.write(Data("estimate: up to \(rows) rows, \(scan) to scan\n".utf8)) }
        }
        let snapshot = try await snapshots.create(draft, replace: force, timeToLive: timeToLive)
        if json { return try printJSON(snapshot) }
        print("Snapshot \(snapshot.name): \(snapshot.rows) rows, \(String(format: "%.1f MB", Double(snapshot.bytes) / 1_048_576)); "
              + "query it with agnes query \"SELECT * FROM \(snapshot.name)\"")
    }
}

struct SnapshotListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The workspace's snapshots.",
            discussion: "Example: agnes snapshot list --json")
    @Flag(help: "Print JSON.") var json = false

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let settings = ClientSettings.load()
        let all = Snapshots(api: APIClient(baseURL: settings.serverURL, token: nil), workspace: Workspace(root: settings.workspace)).list()
        if json { return try printJSON(all) }
        let formatter = ISO8601DateFormatter()
        printTable(["name", "table", "rows", "size", "created", "expires", "where"], all.map {
            [$0.name, $0.tableId, String($0.rows), String(format: "%.1f MB", Double($0.bytes) / 1_048_576), formatter.string(from: $0.createdAt),
             $0.expiresAt.map { formatter.string(from: $0) } ?? "never", $0.where]
        })
    }
}

struct SnapshotDropCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "drop", abstract: "Remove a snapshot (its file and its view).",
            discussion: "Example: agnes snapshot drop ios")
    @Argument(help: "The snapshot's name.") var name: String

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let settings = ClientSettings.load()
        try Snapshots(api: APIClient(baseURL: settings.serverURL, token: nil), workspace: Workspace(root: settings.workspace)).drop(name)
        print("Dropped snapshot \(name).")
    }
}

struct SnapshotRefreshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "refresh", abstract: "Fetch a snapshot again with the same filter.",
            discussion: "Example: agnes snapshot refresh ios")
    @Argument(help: "The snapshot's name.") var name: String
    @Option(help: "A new time to live from now: 7d, 12h or 30m (without it the snapshot keeps its expiry).") var ttl: String?

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let timeToLive = try ttl.map(parsedTimeToLive)
        let (settings, api) = try clientSettings()
        let snapshots = Snapshots(api: api, workspace: Workspace(root: settings.workspace))
        guard let existing = snapshots.list().first(where: { $0.name == name }) else {
            throw ClientError(.denied, "no snapshot '\(name)' (see `agnes snapshot list`)")
        }
        let snapshot = try await snapshots.create(existing, replace: true, timeToLive: timeToLive)
        print("Snapshot \(snapshot.name) refreshed: \(snapshot.rows) rows.")
    }
}

struct SnapshotPruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune", abstract: "Drop snapshots older or larger than a bound.",
        discussion: "Example: agnes snapshot prune --older-than 30 --dry-run")
    @Option(help: "Days.") var olderThan: Int?
    @Option(help: "Megabytes.") var largerThan: Double?
    @Flag(help: "Snapshots past their --ttl.") var expired = false
    @Flag(help: "Only say what would be dropped.") var dryRun = false

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        guard olderThan != nil || largerThan != nil || expired else {
            throw ClientError(.usage, "give --older-than DAYS, --larger-than MB and/or --expired")
        }
        let settings = ClientSettings.load()
        let snapshots = Snapshots(api: APIClient(baseURL: settings.serverURL, token: nil), workspace: Workspace(root: settings.workspace))
        let now = Date()
        let chosen = snapshots.list().filter { snapshot in
            olderThan.map { now.timeIntervalSince(snapshot.createdAt) > Double($0) * 86_400 } == true
                || largerThan.map { Double(snapshot.bytes) > $0 * 1_048_576 } == true
                || expired && snapshot.isExpired(at: now)
        }
        for snapshot in chosen {
            if !dryRun { try snapshots.drop(snapshot.name) }
            print("\(dryRun ? "would drop" : "dropped") \(snapshot.name)")
        }
        if chosen.isEmpty { print("Nothing to prune.") }
    }
}

/// A `--ttl` value, or a usage error (exit 2) before anything reaches the server.
func parsedTimeToLive(_ text: String) throws -> TimeInterval {
    guard let seconds = Snapshots.timeToLive(text) else {
        throw ClientError(.usage, "--ttl '\(text)' is not a time to live: give a number and d, h or m (7d, 12h, 30m)")
    }
    return seconds
}
