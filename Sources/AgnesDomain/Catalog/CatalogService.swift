// The catalog (upstream §1.6): the tables a caller may read, with sizes and freshness from sync state, their schema,
// a sample of rows and the stored profile. A table the caller may not read is 403, never an empty answer.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation

/// Catalog reads, filtered by the caller's grants.
public struct CatalogService: Sendable {
    let domain: Domain

    /// The table `id` when the caller may read it: 404 `table '<id>' not found`, 403 `not authorized for this table`.
    public func readableTable(_ id: String, for caller: Caller) async throws -> RegisteredTable {
        guard RegisteredTable.isValidId(id), let table = try await RegistryRepository(store: domain.state).get(id: id) else {
            throw ServiceError.notFound("table '\(id)' not found")
        }
        guard try await domain.access.canRead(tableId: id, folder: table.folder, identity: caller.identity) else {
            throw ServiceError(.forbidden, "not authorized for this table")
        }
        return table
    }

    /// `GET /api/catalog/tables`.
    public func tables(for caller: Caller) async throws -> CatalogTableList {
        CatalogTableList(tables: try await domain.access.readableTables(for: caller.identity).map {
            CatalogTableSummary(id: $0.id, name: $0.name, description: $0.description ?? "", sourceType: $0.sourceType ?? "",
                                syncStrategy: $0.syncStrategy.rawValue, queryMode: $0.queryMode.rawValue)
        })
    }

    /// The stored profile of a table (made by `TableProfiler` after each sync).
    public func profile(_ id: String, for caller: Caller) async throws -> CatalogProfile {
        let table = try await readableTable(id, for: caller)
        if domain.policies.isPolicied(table, for: caller.identity) { return .policyRestrictedAnswer }
        guard let stored = try await ProfilesRepository(store: domain.state).profile(tableId: table.id),
              let profile = try? JSONCoding.decoder.decode(CatalogProfile.self, from: Data(stored.profile.utf8)) else {
            throw ServiceError.notFound("No profile for table '\(table.id)' yet (it is made after the table syncs)")
        }
        return profile
    }

    /// `GET /api/v2/catalog`: each readable table with its size, freshness and how to fetch it.
    public func catalog(for caller: Caller) async throws -> Catalog {
        caller.audit.record("catalog.list")
        let states = try await domain.catalogSnapshot().states
        let entries = try await domain.access.readableTables(for: caller.identity).map { table in
            // A policied table's figures are the raw table's: a caller who reads it through the policy gets none.
            domain.policies.isPolicied(table, for: caller.identity) ? Self.policiedEntry(table) : Self.entry(table, state: states[table.id])
        }
        return Catalog(tables: entries, serverTime: Date())
    }

    static func entry(_ table: RegisteredTable, state: SyncState?) -> CatalogEntry {
        let remote = table.queryMode == .remote
        let freshness = switch (remote, state?.status) {
        case (true, _): "not_applicable"
        case (false, .ok?): "fresh"
        case (false, .error?): state?.lastSync == nil ? "error" : "stale"
        default: "never_fetched"
        }
        return CatalogEntry(
            id: table.id, name: table.name, description: table.description ?? "", sourceType: table.sourceType ?? "",
            queryMode: table.queryMode.rawValue, syncStrategy: table.syncStrategy.rawValue,
            fetchVia: remote ? "agnes snapshot create \(table.id) --select <cols> --where '<predicate>' --limit <N>"
                : "already local — query directly via `agnes query`",
            roughSizeHint: remote ? nil : sizeHint(state?.fileSizeBytes), rows: state?.rows, sizeBytes: state?.fileSizeBytes,
            partitionBy: table.partitionBy, entityType: remote ? "VIEW" : "BASE TABLE", metadataFreshness: freshness,
            updated: state?.lastSync)
    }

    /// The entry of a table the caller reads through its access policy: how to reach it, no figures of the raw rows.
    static func policiedEntry(_ table: RegisteredTable) -> CatalogEntry {
        var entry = entry(table, state: nil)
        entry.fetchVia = "access policy: query it on the server with `agnes query --remote`, or take a snapshot"
        entry.metadataFreshness = "not_applicable"
        return entry
    }

    /// Upstream's size buckets: ≤ 100 MiB small, ≤ 1 GiB medium, ≤ 10 GiB large, beyond very_large.
    static func sizeHint(_ bytes: Int64?) -> String? {
        guard let bytes else { return nil }
        switch bytes {
        case ...(100 << 20): return "small"
        case ...(1 << 30): return "medium"
        case ...(10 << 30): return "large"
        default: return "very_large"
        }
    }

    /// The query engine when it serves `table`; 404 before the table's first sync.
    func engine(serving table: RegisteredTable) throws -> QueryEngine {
        guard let engine = domain.dataPlane.orchestrator.engine, engine.tables[table.id] != nil else {
            throw ServiceError.notFound("table '\(table.id)' has no data yet (it is served after its first sync)")
        }
        return engine
    }

    /// `GET /api/v2/schema/{id}`: the columns as DuckDB describes them, with the profile's notes.
    public func schema(_ id: String, for caller: Caller) async throws -> TableSchema {
        let table = try await readableTable(id, for: caller)
        caller.audit.record("catalog.schema", resource: "table:\(table.id)")
        struct Described: Decodable { let column_name: String; let column_type: String; let null: String? }
        let policies = try await domain.policies.enforcement(for: caller.identity)
        let engine = try engine(serving: table)
        try await domain.policies.requireApplied([table.id], on: engine, policies)
        // Described in the caller's scope: a policied table shows the columns its policy returns, not the raw ones.
        let described = try await engine.withScope(readable: [table.id], policies: policies) { connection in
            try connection.query("DESCRIBE SELECT * FROM main.\(SQL.identifier(table.id))").decode(Described.self)
        }
        let notes = Dictionary(try await ProfilesRepository(store: domain.state).columnNotes(tableId: table.id).map { ($0.columnName, $0.description ?? "") },
                               uniquingKeysWith: { first, _ in first })
        let columns = described.map {
            TableSchema.Column(name: $0.column_name, type: $0.column_type, nullable: $0.null != "NO", description: notes[$0.column_name] ?? "")
        }
        return TableSchema(tableId: table.id, sourceType: table.sourceType ?? "", columns: columns, partitionBy: table.partitionBy)
    }

    /// `GET /api/v2/sample/{id}?n=`: the first `n` rows (1–100).
    public func sample(_ id: String, rows n: Int, for caller: Caller) async throws -> TableSample {
        let table = try await readableTable(id, for: caller)
        guard (1...100).contains(n) else {
            throw ServiceError.unprocessable([FieldError(type: "less_than_equal", loc: ["query", "n"], msg: "n must be an integer between 1 and 100")])
        }
        let policies = try await domain.policies.enforcement(for: caller.identity)
        let engine = try engine(serving: table)
        try await domain.policies.requireApplied([table.id], on: engine, policies)
        let result = try await QueryRunner.run("SELECT * FROM main.\(SQL.identifier(table.id))", limit: n,
                                               timeoutMilliseconds: domain.settings.queryLimits.timeoutSeconds * 1000,
                                               on: engine, readable: [table.id], policies: policies)
        return TableSample(tableId: table.id, rows: result.rows.map { SampleRow(columns: result.columns, cells: $0) }, source: table.sourceType ?? "")
    }
}

extension CatalogService {
    /// Everything known about a readable table without querying its data: registration, sync state, recent syncs,
    /// and the stored profile.
    public struct TableDetails: Sendable {
        public let table: RegisteredTable
        public let state: SyncState?
        public let history: [SyncHistoryEntry]
        public let profile: CatalogProfile?
        /// The caller reads the table through its access policy (figures of the whole table are withheld).
        public var policied = false
    }

    /// The details of table `id` for the caller (404 / 403 as `readableTable`).
    public func details(_ id: String, historyLimit: Int = 20, for caller: Caller) async throws -> TableDetails {
        let table = try await readableTable(id, for: caller)
        let syncState = SyncStateRepository(store: domain.state)
        if domain.policies.isPolicied(table, for: caller.identity) {
            // Sizes, row counts, sync errors and the profile describe the raw rows.
            return TableDetails(table: table, state: nil, history: [], profile: nil, policied: true)
        }
        let stored = try await ProfilesRepository(store: domain.state).profile(tableId: table.id)
        return TableDetails(table: table, state: try await syncState.state(tableId: table.id),
                            history: try await syncState.history(tableId: table.id, limit: historyLimit),
                            profile: stored.flatMap { try? JSONCoding.decoder.decode(CatalogProfile.self, from: Data($0.profile.utf8)) })
    }

    /// The tables the caller may read with their sync state, optionally those whose id, name or description contains
    /// `search`; and how many the caller may read in all.
    public func readable(matching search: String, for caller: Caller) async throws -> (tables: [(RegisteredTable, SyncState?)], total: Int) {
        let readable = try await domain.access.readableTables(for: caller.identity)
        let snapshotStates = try await domain.catalogSnapshot().states
        let states = snapshotStates.filter { id, _ in !readable.contains { $0.id == id && domain.policies.isPolicied($0, for: caller.identity) } }
        let matching = search.isEmpty ? readable : readable.filter { table in
            [table.id, table.name, table.description ?? ""].contains { $0.localizedCaseInsensitiveContains(search) }
        }
        return (matching.map { ($0, states[$0.id]) }, readable.count)
    }
}
