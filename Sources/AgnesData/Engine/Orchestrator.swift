// Builds query engines from the table registry and the extracts, and swaps them in atomically: queries already
// running finish on the engine they started on. The registry is the source of truth: an extract's table that is not
// registered is not served, and an id exposed by two sources is reported, never settled by accident.
import AgnesAPI
import AgnesCore
import AgnesState
import DuckDB
import Foundation
import Synchronization

/// What a rebuild did.
public struct RebuildReport: Sendable, Equatable {
    /// Tables served, by id.
    public var served: [String]
    /// Registered tables with no extract yet (never synced, or their source is missing).
    public var missing: [String]
    /// Ids offered by more than one source where the registry does not say which one to use: served by none.
    public var conflicts: [String: [String]]
    /// Sources whose extract could not be read, with DuckDB's message.
    public var unreadableSources: [String: String]
    public var duration: Duration
}

/// Owns the current query engine.
public final class Orchestrator: Sendable {
    public let extractsDirectory: URL
    public let settings: EngineSettings
    /// The engine serving now, with the ticket of the rebuild that made it.
    private let current = Mutex<(engine: QueryEngine?, ticket: UInt64)>((nil, 0))
    /// Held for the whole of a rebuild, so rebuilds run one at a time.
    private let building = Mutex<Void>(())
    private let tickets = Atomic<UInt64>(0)
    /// The lake's catalog, when table data is on a lake.
    private let lakeCatalog: LakeCatalogReader?

    public init(extractsDirectory: URL, settings: EngineSettings = EngineSettings()) {
        self.extractsDirectory = extractsDirectory.standardizedFileURL
        self.settings = settings
        self.lakeCatalog = settings.lake.map(LakeCatalogReader.init)
    }

    /// The engine serving queries now (nil before the first rebuild).
    public var engine: QueryEngine? { current.withLock { $0.engine } }

    /// A number to take *before* reading the registry for a rebuild: of concurrent rebuilds, the engine of the one with
    /// the highest ticket (the one that read the registry last) is the one left serving.
    public func takeTicket() -> UInt64 { tickets.add(1, ordering: .relaxed).newValue }

    /// Builds a new engine for `registry` and swaps it in, unless a rebuild with a later ticket already did. With a
    /// lake, a table with a version in `lakeVersions` is read from the lake at that version.
    @discardableResult
    public func rebuild(registry: [RegisteredTable], sources: [DataSource] = [], lakeVersions: [String: Int64] = [:],
                        ticket: UInt64? = nil) throws -> RebuildReport {
        let ticket = ticket ?? takeTicket()
        return try building.withLock { _ in
            let (engine, report) = try build(registry: registry, sources: sources, lakeVersions: lakeVersions, started: ContinuousClock.now)
            // Queries go on running on the engine serving now while the new one gets the scopes they use.
            if let serving = self.engine { engine.warmScopes(usedOn: serving) }
            current.withLock { current in
                if ticket > current.ticket { current = (engine, ticket) }
            }
            // What the rebuild's own DuckDB held, and the replaced engine unless a query still holds it, goes back to
            // the system.
            FreedMemory.release()
            return report
        }
    }

    private func build(registry: [RegisteredTable], sources: [DataSource], lakeVersions: [String: Int64],
                       started: ContinuousClock.Instant) throws -> (QueryEngine, RebuildReport) {
        // The views are built here to check them (each is bound: its files read, its columns known) and to prepare the
        // policies; queries run in grant scopes built from the resulting list of tables, so this database is closed.
        let database = try Database(configuration: settings.databaseConfiguration)
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        var unreadable: [String: String] = [:]
        // The files of each table's recorded lake version; a table the lake cannot answer for is served from its
        // extract, and the lake is reported unreadable.
        var lakeFiles: [String: [String]] = [:]
        if let lakeCatalog, !lakeVersions.isEmpty {
            do {
                let local = Set(registry.filter { $0.queryMode != .remote }.map(\.id))
                lakeFiles = try lakeCatalog.files(lakeVersions.filter { local.contains($0.key) })
            } catch {
                unreadable[DataLake.alias] = (error as? DuckDBError)?.message ?? String(describing: error)
            }
        }

        // Which source offers which table ids, and the files each offers them from. The extract is attached only to read
        // its `_meta`: the engine's views read the same files directly (the extract's own views are this same
        // `read_parquet`), and an attached catalog of a hundred views costs about a megabyte of memory.
        var offeredBy: [String: [String]] = [:]
        var filesOffered: [String: [String]] = [:]
        for source in try sourceNames() {
            let file = extractsDirectory.appendingPathComponent(source).appendingPathComponent("extract.duckdb")
            do {
                try connection.execute("ATTACH \(SQL.literal(file.path)) AS \(SQL.identifier(source)) (READ_ONLY)")
                let directory = extractsDirectory.appendingPathComponent(source)
                for row in try connection.query("SELECT table_id, CAST(files AS VARCHAR) AS files FROM \(SQL.identifier(source))._meta").decode(MetaRow.self) {
                    offeredBy[row.table_id, default: []].append(source)
                    let files = (try? JSONDecoder().decode([ExtractFile].self, from: Data((row.files ?? "[]").utf8))) ?? []
                    filesOffered["\(source)/\(row.table_id)"] = files.map { directory.appendingPathComponent($0.path).standardizedFileURL.path }
                }
                try connection.execute("DETACH \(SQL.identifier(source))")
            } catch let error as DuckDBError {
                unreadable[source] = error.message
                _ = try? connection.execute("DETACH DATABASE IF EXISTS \(SQL.identifier(source))")
            }
        }

        var tables: [String: EngineTable] = [:]
        var missing: [String] = []
        var conflicts: [String: [String]] = [:]
        var remoteAliases: [String: String] = [:]
        var remoteFailures: Set<String> = []
        for table in registry.sorted(by: { $0.id < $1.id }) {
            if table.queryMode == .remote {
                // Served live: the engine attaches the source itself (once) and the view reads it at query time.
                guard let name = table.sourceName, let source = sources.first(where: { $0.name == name }), !remoteFailures.contains(name) else {
                    missing.append(table.id)
                    continue
                }
                do {
                    guard let connector = try Connectors.make(source) as? any RemoteConnector else {
                        throw ConnectorError("data source '\(name)' (\(source.type)) cannot serve tables in remote mode")
                    }
                    let alias = remoteAliases[name] ?? "remote:\(name)"
                    if remoteAliases[name] == nil {
                        try connector.attach(connection, as: alias)
                        remoteAliases[name] = alias
                    }
                    let relation = try connector.relation(for: table, alias: alias)
                    try connection.execute("CREATE VIEW main.\(SQL.identifier(table.id)) AS \(relation)")
                    tables[table.id] = EngineTable(id: table.id, source: name, queryMode: table.queryMode.rawValue,
                                                   rows: .remote(source: source, alias: alias, select: relation),
                                                   policy: policy(of: table, using: connection))
                } catch {
                    unreadable[name] = (error as? DuckDBError)?.message ?? String(describing: error)
                    remoteFailures.insert(name)
                    missing.append(table.id)
                }
                continue
            }
            let offering = offeredBy[table.id] ?? []
            let chosen: String?
            if let named = table.sourceName {
                chosen = offering.contains(named) ? named : nil
            } else if offering.count > 1 {
                conflicts[table.id] = offering.sorted()
                chosen = nil
            } else {
                chosen = offering.first
            }
            guard let source = chosen else {
                if conflicts[table.id] == nil { missing.append(table.id) }
                continue
            }
            if let files = lakeFiles[table.id] {
                // The version its last good sync wrote to the lake, through that version's files.
                try connection.execute("CREATE VIEW main.\(SQL.identifier(table.id)) AS \(PolicyView.parquetRows(files))")
                tables[table.id] = EngineTable(id: table.id, source: source, queryMode: table.queryMode.rawValue,
                                               rows: .parquet(files: files), policy: policy(of: table, using: connection))
                continue
            }
            let files = filesOffered["\(source)/\(table.id)"] ?? []
            try connection.execute("CREATE VIEW main.\(SQL.identifier(table.id)) AS \(PolicyView.parquetRows(files))")
            tables[table.id] = EngineTable(id: table.id, source: source, queryMode: table.queryMode.rawValue, rows: .parquet(files: files),
                                           policy: policy(of: table, using: connection))
        }

        CrashPoint.engineMidRebuild.reach()
        let report = RebuildReport(served: tables.keys.sorted(), missing: missing, conflicts: conflicts, unreadableSources: unreadable,
                                   duration: ContinuousClock.now - started)
        return (QueryEngine(tables: tables, settings: settings), report)
    }

    /// The registered table's policy, checked again (a stored policy that no longer passes is `broken`, never dropped).
    private func policy(of table: RegisteredTable, using connection: Connection) -> EngineTable.Policy {
        guard let sql = table.accessPolicySQL else { return .none }
        do {
            return .applied(try PolicySQL.prepare(sql, tableId: table.id, mapping: table.policyMapping, using: connection))
        } catch {
            return .broken(String(describing: error))
        }
    }

    private struct MetaRow: Decodable { let table_id: String; let files: String? }

    /// Source directories that hold an extract, sorted; names that are not plain identifiers are ignored.
    private func sourceNames() throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: extractsDirectory.path) else { return [] }
        return names.sorted().filter { name in
            ExtractLayout.isValidSourceName(name)
                && FileManager.default.fileExists(atPath: extractsDirectory.appendingPathComponent(name).appendingPathComponent("extract.duckdb").path)
        }
    }
}
