// Syncs one registered table: reads it from its data source through the connector, writes the extract (parquet +
// extract.duckdb) by the table's strategy (full refresh, incremental, partitioned) — and, with table data on DuckLake,
// the run's tables to the lake in one transaction — and records the outcome in `sync_state` and `sync_history`. A
// failure records why and leaves the last good extract (and lake version) in place. The DuckDB work runs on NIO's thread pool, never on the caller's executor.
import AgnesAPI
import AgnesCore
import AgnesState
import Crypto
import DuckDB
import Foundation
import NIOPosix

/// Runs table syncs.
public struct TableSyncer: Sendable {
    public let state: StateStore
    /// `DATA_DIR/extracts`.
    public let extractsDirectory: URL
    /// The time a sync is recorded at.
    public let clock: any SyncClock
    /// Where synced tables are also written, at a version their sync records (nil: extracts only).
    public let lake: DataLake?

    public init(state: StateStore, extractsDirectory: URL, clock: any SyncClock = SystemSyncClock(), lake: DataLake? = nil) {
        self.state = state
        self.extractsDirectory = extractsDirectory
        self.clock = clock
        self.lake = lake
    }

    /// What one sync did.
    public struct Outcome: Sendable, Equatable {
        public var tableId: String
        public var table: ExtractedTable?
        public var error: String?
    }

    /// Syncs `table` and records the result; returns it (a failure is recorded, not thrown).
    public func sync(_ table: RegisteredTable, trigger: String) async throws -> Outcome {
        try await sync([table], trigger: trigger)[0]
    }

    /// Syncs `tables` and records each result, in their order. Each table's files are written as it is read, beside
    /// the old ones; each table's sync is recorded, then each source's `extract.duckdb` is published once for all of
    /// its tables of the run (not once per table, which made a run's cost grow with the square of a source's table
    /// count), dropping the files no table lists any more. A table that fails keeps its last good extract; if a
    /// source's publish fails, its tables are recorded as failed (with their new files, which the next start publishes).
    public func sync(_ tables: [RegisteredTable], trigger: String) async throws -> [Outcome] {
        // Tables are read and written a few at a time (their DuckDB work shares the machine's cores).
        var extractions: [Result<Extraction, any Error>?] = Array(repeating: nil, count: tables.count)
        let concurrency = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
        let work: @Sendable (Int) async -> (Int, Result<Extraction, any Error>) = { index in
            do { return (index, .success(try await extract(tables[index]))) } catch { return (index, .failure(error)) }
        }
        await withTaskGroup(of: (Int, Result<Extraction, any Error>).self) { group in
            var next = 0
            while next < min(concurrency, tables.count) {
                let index = next
                group.addTask { await work(index) }
                next += 1
            }
            while let (index, result) = await group.next() {
                extractions[index] = result
                if next < tables.count {
                    let index = next
                    group.addTask { await work(index) }
                    next += 1
                }
            }
        }
        var outcomes: [Outcome?] = Array(repeating: nil, count: tables.count)
        var bySource: [String: [(index: Int, extraction: Extraction)]] = [:]
        var order: [String] = []
        for (index, result) in extractions.enumerated() {
            switch result {
            case let .success(extraction)?:
                if bySource[extraction.layout.source] == nil { order.append(extraction.layout.source) }
                bySource[extraction.layout.source, default: []].append((index, extraction))
            case let .failure(error)?:
                outcomes[index] = try await recordFailure(of: tables[index], started: clock.now(), error: error, trigger: trigger)
            case nil:
                break
            }
        }
        let lakeVersion: Int64?
        do {
            lakeVersion = try await writeToLake(order.flatMap { bySource[$0] ?? [] }.map(\.extraction))
        } catch {
            // Nothing of the run is recorded as synced: every table keeps its last good data (its new files are dropped
            // by its source's next publish).
            for item in order.flatMap({ bySource[$0] ?? [] }) {
                outcomes[item.index] = try await recordFailure(of: tables[item.index], started: item.extraction.started, error: error, trigger: trigger)
            }
            order = []
            lakeVersion = nil
        }
        for source in order {
            let written = bySource[source] ?? []
            // The new files sit beside the old ones under names of their own; recording a table's is the commit. A
            // crash before it leaves the old state with the old files; after it, `ExtractReconciliation` brings the
            // published extract in line with the state at the next start. Only then are the old files dropped.
            for item in written {
                CrashPoint.syncBeforeState.reach()
                outcomes[item.index] = try await recordSuccess(of: tables[item.index], item.extraction,
                                                               lakeVersion: item.extraction.files.isEmpty ? nil : lakeVersion, trigger: trigger)
            }
            CrashPoint.syncBeforePublish.reach()
            do {
                let layout = written[0].extraction.layout
                try await NIOThreadPool.singleton.runIfActive { try ExtractWriter(layout: layout).publish(written.map(\.extraction.table)) }
            } catch {
                for item in written {
                    outcomes[item.index] = try await recordFailure(of: tables[item.index], started: item.extraction.started, error: error, trigger: trigger)
                }
            }
        }
        return outcomes.enumerated().map { $0.element ?? Outcome(tableId: tables[$0.offset].id, table: nil, error: "not synced") }
    }

    /// One table read from its source and written to its (not yet published) extract files.
    struct Extraction: Sendable {
        let layout: ExtractLayout
        let started: Date
        let table: ExtractedTable
        let schema: [Column]
        let profile: CatalogProfile?

        /// The extract's parquet files (absolute paths).
        var files: [String] { table.files.map { layout.directory.appendingPathComponent($0.path).path } }
    }

    /// With a lake, writes every table of `extractions` that has rows to it in one transaction — one commit, one
    /// snapshot, about 0.1 s however many tables — and returns that snapshot; before any of them is recorded, so
    /// until they are, engines keep reading the previous versions. Nil without a lake or anything to write.
    private func writeToLake(_ extractions: [Extraction]) async throws -> Int64? {
        let tables = extractions.map { (id: $0.table.tableId, files: $0.files) }.filter { !$0.files.isEmpty }
        guard let lake, !tables.isEmpty else { return nil }
        return try await NIOThreadPool.singleton.runIfActive {
            let database = try lake.open(readOnly: false)
            defer { database.close() }
            let connection = try database.connect()
            defer { connection.close() }
            return try lake.write(tables, on: connection)
        }
    }

    private func extract(_ table: RegisteredTable) async throws -> Extraction {
        let started = clock.now()
        guard let sourceName = table.sourceName else { throw ConnectorError("table \(table.id) has no data source") }
        guard let source = try await DataSourcesRepository(store: state).get(name: sourceName) else {
            throw ConnectorError("table \(table.id): data source '\(sourceName)' does not exist")
        }
        let connector = try Connectors.make(source)
        let layout = try ExtractLayout(extractsDirectory: extractsDirectory, source: source.name)
        // A staged connector downloads the rows first, into a scratch folder of this sync.
        var staged: (query: String, folder: URL)?
        if let stagedConnector = connector as? any StagedConnector {
            let folder = ScratchSpace.directory(in: extractsDirectory.deletingLastPathComponent())
                .appendingPathComponent("staging/\(table.id)-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            do {
                let lastSync = try await SyncStateRepository(store: state).state(tableId: table.id)?.lastSync
                let context = StagingContext(directory: folder, sourceDirectory: Self.sourceDirectory(source.name, extractsDirectory: extractsDirectory),
                                             lastSync: lastSync, now: started)
                staged = (try await stagedConnector.stage(table, context: context), folder)
            } catch {
                try? FileManager.default.removeItem(at: folder)
                throw error
            }
        }
        defer { if let folder = staged?.folder { try? FileManager.default.removeItem(at: folder) } }
        let stagedQuery = staged?.query
        let (extracted, schema, profile) = try await NIOThreadPool.singleton.runIfActive {
            try Self.extract(table, connector: connector, layout: layout, now: started, stagedQuery: stagedQuery)
        }
        return Extraction(layout: layout, started: started, table: extracted, schema: schema, profile: profile)
    }

    private func recordSuccess(of table: RegisteredTable, _ extraction: Extraction, lakeVersion: Int64?, trigger: String) async throws -> Outcome {
        let (started, extracted, schema, profile) = (extraction.started, extraction.table, extraction.schema, extraction.profile)
        // A table in one file has its hashes in sync_state; a partitioned one lists them per part.
        let file = extracted.files.count == 1 && extracted.files[0].part == nil ? extracted.files.first : nil
        try await SyncStateRepository(store: state).record(tableId: table.id, SyncResult(
            startedAt: started, finishedAt: clock.now(), trigger: trigger,
            outcome: .succeeded(rows: extracted.rows, bytes: extracted.sizeBytes, columns: Int32(schema.count),
                                sha256: file?.sha256, md5: file?.md5, schemaHash: Self.schemaHash(schema),
                                files: String(decoding: try JSONEncoder().encode(extracted.files), as: UTF8.self)),
            lakeVersion: lakeVersion))
        if let profile {
            try await ProfilesRepository(store: state).save(tableId: table.id, profile: String(decoding: try JSONEncoder().encode(profile), as: UTF8.self))
        }
        return Outcome(tableId: table.id, table: extracted, error: nil)
    }

    private func recordFailure(of table: RegisteredTable, started: Date, error: any Error, trigger: String) async throws -> Outcome {
        let message = String(describing: error)
        try await SyncStateRepository(store: state).record(tableId: table.id, SyncResult(
            startedAt: started, finishedAt: clock.now(), trigger: trigger, outcome: .failed(message)))
        return Outcome(tableId: table.id, table: nil, error: message)
    }

    /// The columns (name and type) of a table, in order.
    struct Column: Decodable, Equatable {
        let name: String
        let type: String
        enum CodingKeys: String, CodingKey {
            case name = "column_name"
            case type = "column_type"
        }
    }

    /// Writes `table`'s extract from the connector's query — or from `stagedQuery`, the rows a staged connector
    /// downloaded (for an incremental sync those are only the changed rows: merged by primary key, no watermark).
    static func extract(_ table: RegisteredTable, connector: any Connector, layout: ExtractLayout,
                        now: Date, stagedQuery: String? = nil) throws -> (ExtractedTable, [Column], CatalogProfile?) {
        let database = try Database()
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        try connector.prepare(connection)
        if let problem = strategyProblem(table) { throw ConnectorError(problem) }
        _ = try? connection.execute("SET TimeZone = 'UTC'")
        let writer = ExtractWriter(layout: layout)
        let query = try stagedQuery ?? connector.query(for: table)
        let mode = table.queryMode.rawValue
        let extracted: ExtractedTable
        switch table.syncStrategy {
        case .fullRefresh:
            extracted = try writer.writeTable(id: table.id, description: table.description, query: query, queryMode: mode, on: connection, now: now)
        case .incremental:
            extracted = try writer.writeIncremental(id: table.id, description: table.description, query: query,
                                                    incrementalColumn: table.incrementalColumn ?? "", primaryKey: table.primaryKey,
                                                    watermarked: stagedQuery == nil, queryMode: mode, on: connection, now: now)
        case .partitioned:
            extracted = try writer.writePartitioned(id: table.id, description: table.description, query: query, partitionBy: table.partitionBy ?? "",
                                                    incrementalColumn: table.incrementalColumn, primaryKey: table.primaryKey, granularity: table.partitionGranularity ?? .month,
                                                    queryMode: mode, on: connection, now: now)
        }
        let paths = extracted.files.map { layout.directory.appendingPathComponent($0.path).path }
        guard !paths.isEmpty else { return (extracted, [], nil) }
        let files = "[" + paths.map(SQL.literal).joined(separator: ", ") + "]"
        let schema = try connection.query("DESCRIBE SELECT * FROM read_parquet(\(files), union_by_name = true)").decode(Column.self)
        // The profile is a best effort: a table whose profile cannot be computed is still synced.
        let profile = try? TableProfiler.profile(paths: paths, on: connection)
        return (extracted, schema, profile)
    }

    /// The folder a source keeps between syncs (`<data>/sources/<name>`).
    public static func sourceDirectory(_ name: String, extractsDirectory: URL) -> URL {
        extractsDirectory.deletingLastPathComponent().appendingPathComponent("sources/\(name)", isDirectory: true)
    }

    /// Why `table`'s sync settings cannot work, or nil when they can (checked at registration and before each sync).
    public static func strategyProblem(_ table: RegisteredTable) -> String? {
        let columns = [table.incrementalColumn, table.partitionBy].compactMap { $0 } + table.primaryKey
        if let bad = columns.first(where: { !isPlainColumnName($0) }) {
            return "column name '\(bad)' must start with a letter or _ and contain only letters, digits and _ (at most 64)"
        }
        if let days = table.incrementalWindowDays, !(0...3650).contains(days) { return "incremental_window_days must be between 0 and 3650" }
        if let days = table.maxHistoryDays, !(1...36500).contains(days) { return "max_history_days must be between 1 and 36500" }
        if let days = table.initialLoadChunkDays, !(1...3650).contains(days) { return "initial_load_chunk_days must be between 1 and 3650" }
        if table.partitionGranularity != nil, table.syncStrategy != .partitioned { return "partition_granularity needs sync_strategy 'partitioned'" }
        for filter in table.whereFilters ?? [] {
            if !isPlainColumnName(filter.column) { return "where_filters: column name '\(filter.column)' is not a plain column name" }
            if ![nil, "eq", "ne"].contains(filter.operator) { return "where_filters: operator '\(filter.operator ?? "")' must be eq or ne" }
            if filter.values.isEmpty { return "where_filters: the filter on '\(filter.column)' needs values" }
            if let bad = filter.values.first(where: { $0.hasPrefix("{{") && DatePlaceholder.resolve($0, now: Date()) == nil }) {
                return "where_filters: unknown placeholder \(bad) (known: \(DatePlaceholder.names.map { "{{\($0)}}" }.joined(separator: ", ")))"
            }
        }
        switch table.syncStrategy {
        case .fullRefresh: return nil
        case .incremental:
            return table.incrementalColumn == nil ? "sync_strategy 'incremental' needs incremental_column" : nil
        case .partitioned:
            if table.partitionBy == nil { return "sync_strategy 'partitioned' needs partition_by (a date or timestamp column)" }
            if table.queryMode == .remote { return "sync_strategy 'partitioned' cannot be used with query_mode 'remote'" }
            return nil
        }
    }

    static func isPlainColumnName(_ name: String) -> Bool { ExtractLayout.isValidSourceName(name) }

    /// A stable hash of the column names and types, so clients can tell a schema change from a data change.
    static func schemaHash(_ columns: [Column]) -> String {
        let text = columns.map { "\($0.name)\t\($0.type)" }.joined(separator: "\n")
        return Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }
}
