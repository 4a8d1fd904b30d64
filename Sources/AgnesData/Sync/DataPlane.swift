// The data plane of a running server: syncs tables (one run at a time, in the background) and keeps the query engine
// in step with the registry — rebuilt after every sync run and every registry change.
import AgnesAPI
import AgnesCore
import AgnesState
import DuckDB
import Foundation
import Logging
import NIOPosix
import Synchronization

/// Syncs, rebuilds and serves the query engine.
public final class DataPlane: Sendable {
    public let state: StateStore
    public let dataDirectory: URL
    public let orchestrator: Orchestrator
    /// The time syncs are recorded at and schedules are read against; how the scheduler waits.
    public let clock: any SyncClock
    let logger: Logger
    private let running = Mutex<[String]?>(nil)
    private let lastReport = Mutex<RebuildReport?>(nil)

    public var extractsDirectory: URL { dataDirectory.appendingPathComponent("extracts") }

    public init(state: StateStore, dataDirectory: URL, settings: EngineSettings = EngineSettings(), clock: any SyncClock = SystemSyncClock(),
                logger: Logger = Logger(label: "agnes-data")) {
        self.state = state
        self.dataDirectory = dataDirectory
        self.clock = clock
        self.orchestrator = Orchestrator(extractsDirectory: dataDirectory.appendingPathComponent("extracts"), settings: settings)
        self.logger = logger
    }

    /// The ids being synced now, or nil when no sync runs.
    public var runningTables: [String]? { running.withLock { $0 } }

    /// What the last rebuild reported.
    public var lastRebuild: RebuildReport? { lastReport.withLock { $0 } }

    /// A sync was asked for while one runs.
    public struct SyncInProgress: Error {}

    /// An id asked for that is not registered.
    public struct UnknownTables: Error { public let ids: [String] }

    /// Starts syncing `ids` (all registered tables with a data source when nil) in the background and returns the ids.
    /// Throws `SyncInProgress` while another run is going.
    @discardableResult
    public func triggerSync(_ ids: [String]?, trigger: String) async throws -> [String] {
        let tables = try await claimRun(ids)
        if !tables.isEmpty {
            Task { await self.run(tables, trigger: trigger) }
        }
        return tables.map(\.id)
    }

    /// Picks the tables of a run (the listed ids, or the due tables) and marks the run as started; an empty list
    /// starts nothing. Throws `SyncInProgress` while another run is going, `UnknownTables` for ids not registered.
    private func claimRun(_ ids: [String]?) async throws -> [RegisteredTable] {
        let registry = try await RegistryRepository(store: state).list()
        let tables: [RegisteredTable]
        if let ids {
            let known = Set(registry.map(\.id))
            let unknown = ids.filter { !known.contains($0) }
            guard unknown.isEmpty else { throw UnknownTables(ids: unknown) }
            tables = registry.filter { ids.contains($0.id) }
        } else {
            // Without a list: the tables with a data source whose schedule says they are due.
            let states = Dictionary(uniqueKeysWithValues: try await SyncStateRepository(store: state).states().map { ($0.tableId, $0) })
            let now = clock.now()
            tables = registry.filter { table in
                guard table.sourceName != nil, table.queryMode != .remote else { return false }
                let schedule = (try? SyncSchedule(table.syncSchedule)) ?? .always
                return schedule.isDue(lastSync: states[table.id]?.lastSync, now: now)
            }
        }
        if tables.isEmpty {
            // Nothing to do: no run starts, but a run in progress is still reported as such.
            if runningTables != nil { throw SyncInProgress() }
            return []
        }
        guard beginRun(tables.map(\.id)) else { throw SyncInProgress() }
        return tables
    }

    /// Marks a run of `names` as started; false when one is running already.
    func beginRun(_ names: [String]) -> Bool {
        running.withLock { current in
            guard current == nil else { return false }
            current = names
            return true
        }
    }

    func endRun() { running.withLock { $0 = nil } }

    /// Syncs `tables` (each source's extract published once for the run), then rebuilds the engine; ends the run.
    /// Returns each table's outcome (none when the run could not be recorded).
    @discardableResult
    func run(_ tables: [RegisteredTable], trigger: String) async -> [TableSyncer.Outcome] {
        defer { endRun() }
        let syncer = TableSyncer(state: state, extractsDirectory: extractsDirectory, clock: clock, lake: orchestrator.settings.lake)
        var outcomes: [TableSyncer.Outcome] = []
        do {
            outcomes = try await syncer.sync(tables, trigger: trigger)
            for outcome in outcomes {
                if let error = outcome.error { logger.warning("sync of \(outcome.tableId) failed: \(error)") }
            }
        } catch {
            logger.error("a sync run could not be recorded: \(error)")
        }
        do { try await rebuild() } catch { logger.error("engine rebuild failed: \(error)") }
        if orchestrator.settings.lake != nil {
            do {
                let expired = try await expireLakeSnapshots()
                if expired > 0 { logger.info("expired \(expired) data lake snapshot(s) no table reads any more") }
            } catch {
                logger.warning("old data lake snapshots could not be expired (the next run tries again): \(error)")
            }
        }
        return outcomes
    }

    /// Runs a sync to the end (for callers that wait, such as tests and the first start).
    public func syncNow(_ ids: [String]?, trigger: String) async throws {
        _ = try await syncAndWait(ids, trigger: trigger)
    }

    /// Runs a sync to the end and returns each table's outcome (a job's run). Throws `SyncInProgress` while another
    /// run is going in this process, `UnknownTables` for ids not registered.
    public func syncAndWait(_ ids: [String]?, trigger: String) async throws -> [TableSyncer.Outcome] {
        let tables = try await claimRun(ids)
        return tables.isEmpty ? [] : await run(tables, trigger: trigger)
    }

    /// Triggers the due tables every `interval` until the task is cancelled (the in-process scheduler). A tick while a
    /// sync runs is skipped.
    public func runScheduler(every interval: Duration = .seconds(60)) async {
        logger.info("scheduler on: due tables are synced every \(interval)")
        while !Task.isCancelled {
            do {
                let started = try await triggerSync(nil, trigger: "scheduler")
                if !started.isEmpty { logger.info("scheduler started a sync of \(started.count) table(s)") }
            } catch is SyncInProgress {
                // The running sync covers this tick.
            } catch {
                logger.error("scheduler tick failed: \(error)")
            }
            do { try await clock.sleep(for: interval) } catch { return }
        }
    }

    /// Brings every source's published extract in line with the recorded sync state (after a crash mid-sync); call
    /// it at start, before the first `rebuild`. Returns the sources published again.
    @discardableResult
    public func reconcileExtracts() async throws -> [String] {
        let (republished, failed) = try await ExtractReconciliation.run(state: state, extractsDirectory: extractsDirectory)
        if !republished.isEmpty {
            logger.warning("published the extracts of \(republished.joined(separator: ", ")) again from the recorded sync state (a sync was interrupted)")
        }
        for (source, error) in failed.sorted(by: { $0.key < $1.key }) {
            logger.error("the extract of \(source) could not be brought in line with the recorded sync state; its next sync will: \(error)")
        }
        return republished
    }

    /// On a state shared with other processes: rebuilds this process's engine whenever the registry, the data sources
    /// or a table's last sync change — a table registered through another replica, a sync a worker finished — checking
    /// at most every `interval`, and only after a write somewhere moved the state's generation. Runs until cancelled.
    public func followSharedState(every interval: Duration = .seconds(1)) async {
        var seenGeneration = state.generation
        var seenFingerprint = try? await dataFingerprint()
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            let generation = state.generation
            guard generation != seenGeneration else { continue }
            seenGeneration = generation
            do {
                let fingerprint = try await dataFingerprint()
                guard fingerprint != seenFingerprint else { continue }
                seenFingerprint = fingerprint
                let report = try await rebuild()
                logger.info("the shared state's tables changed: engine rebuilt (\(report.served.count) tables served)")
            } catch {
                logger.error("following the shared state: \(error)")
            }
        }
    }

    /// What the engine is built from, in one string: the registry's, the sources' and the syncs' latest changes.
    private func dataFingerprint() async throws -> String {
        try await state.read { connection in
            try connection.scalar(String.self, """
                SELECT (SELECT count(*) || ':' || coalesce(epoch_us(max(updated_at)), 0) FROM table_registry) || '/'
                    || (SELECT count(*) || ':' || coalesce(epoch_us(max(updated_at)), 0) FROM data_sources) || '/'
                    || (SELECT count(*) || ':' || coalesce(epoch_us(max(last_sync)), 0) FROM sync_state)
                """) ?? ""
        }
    }

    /// Each table's recorded lake version (empty without a lake).
    private func lakeVersions() async throws -> [String: Int64] {
        guard orchestrator.settings.lake != nil else { return [:] }
        return Dictionary(try await SyncStateRepository(store: state).states().compactMap { state in state.lakeVersion.map { (state.tableId, $0) } }) { a, _ in a }
    }

    /// Expires the lake snapshots no table's sync state names any more (after a grace period), and their files.
    @discardableResult
    public func expireLakeSnapshots(grace: Duration = DataLake.expiryGrace) async throws -> Int {
        guard let lake = orchestrator.settings.lake else { return 0 }
        let pinned = Set(try await lakeVersions().values)
        return try await NIOThreadPool.singleton.runIfActive {
            let database = try Database()
            defer { database.close() }
            let connection = try database.connect()
            defer { connection.close() }
            try lake.attach(connection, readOnly: false)
            return try lake.expireSnapshots(keeping: pinned, grace: grace, on: connection)
        }
    }

    /// Rebuilds the engine from the registry as it is now.
    @discardableResult
    public func rebuild() async throws -> RebuildReport {
        let ticket = orchestrator.takeTicket()
        let registry = try await RegistryRepository(store: state).list()
        let sources = try await DataSourcesRepository(store: state).list()
        let versions = try await lakeVersions()
        // On a thread of its own: the shared pool's two threads are what every query waits for.
        let report = try await DedicatedThread.run { [orchestrator] in
            try orchestrator.rebuild(registry: registry, sources: sources, lakeVersions: versions, ticket: ticket)
        }
        lastReport.withLock { $0 = report }
        if !report.conflicts.isEmpty { logger.warning("tables offered by several sources are not served: \(report.conflicts)") }
        return report
    }
}
