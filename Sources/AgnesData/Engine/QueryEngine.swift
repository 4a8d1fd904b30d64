// The query engine (SPEC §6.4): the served tables — each a view, named by its id, over the parquet files its extract
// lists (or a live source's relation) — checked by building them once in a DuckDB of their own, which is then closed.
// Queries never run there: a user's SQL runs in a grant scope (`GrantScope`), a locked-down DuckDB holding only the
// tables the caller may read, and server-built SQL over the tables in a scope without policies (SQL that is only
// parsed runs in `QueryParser`). Scopes are built on first use and kept with the engine, so an idle server holds no catalog of
// its tables (docs/performance.md, "Memory").
import AgnesState
import DuckDB
import Foundation
import NIOPosix
import Synchronization

/// Limits of the query engine.
public struct EngineSettings: Sendable, Equatable {
    public var memoryLimit: String
    public var threads: Int
    /// How many grant scopes (one per distinct set of readable tables) are kept; the least recently used go first.
    public var maximumScopes: Int
    /// Table data on DuckLake (synced tables written there and read at the version their sync recorded), or nil.
    public var lake: DataLake?

    public init(memoryLimit: String = "2GB", threads: Int = 2, maximumScopes: Int = 256, lake: DataLake? = nil) {
        self.memoryLimit = memoryLimit
        self.threads = threads
        self.maximumScopes = max(1, maximumScopes)
        self.lake = lake
    }

    /// How the engine and every grant scope open their DuckDB (docs/performance.md, "Memory"): the external file cache
    /// is off, as it keeps copies of the blocks read from files, which for local files the kernel's page cache already
    /// holds (10 MiB of an idle server with a thousand tables). Whether DuckDB returns freed memory in the background
    /// is the process's choice (`Database.returnsFreedMemoryInBackground`; agnes-server turns it on).
    var databaseConfiguration: Database.Configuration {
        Database.Configuration(threads: threads, memoryLimit: memoryLimit, options: ["enable_external_file_cache": "false"])
    }
}

/// A table the engine serves: its view's id, the source it comes from, and how it is served.
public struct EngineTable: Sendable, Equatable {
    /// Where a table's rows come from, so a grant scope can define the same view without the rest of the source.
    public enum Rows: Sendable, Equatable {
        /// The extract's parquet files (absolute paths; none before the first rows arrive).
        case parquet(files: [String])
        /// A live source attached under `alias`; `select` reads the table from it.
        case remote(source: DataSource, alias: String, select: String)
    }

    /// A table's access policy as the engine holds it.
    public enum Policy: Sendable, Equatable {
        case none
        case applied(PreparedPolicy)
        /// The stored policy does not pass the checks any more (e.g. a mapping table went away): the table's policied
        /// view fails with `policy_error` — never the raw rows instead.
        case broken(String)
    }

    public var id: String
    public var source: String
    public var queryMode: String
    public var rows: Rows
    public var policy: Policy

    public init(id: String, source: String, queryMode: String, rows: Rows, policy: Policy = .none) {
        self.id = id
        self.source = source
        self.queryMode = queryMode
        self.rows = rows
        self.policy = policy
    }
}

/// One built engine. Immutable once built; replaced as a whole by `Orchestrator.rebuild`.
public final class QueryEngine: Sendable {
    /// The tables it serves, by id.
    public let tables: [String: EngineTable]
    /// Their ids, sorted.
    private let servedIds: [String]
    public let builtAt: Date
    let settings: EngineSettings
    /// Grant scopes built from this engine, by the set of tables they hold.
    private let scopes: GrantScopeCache
    /// What remote tables hold, as their sources last said.
    let remoteSizes = RemoteTableSizes()

    init(tables: [String: EngineTable], settings: EngineSettings = EngineSettings()) {
        self.tables = tables
        self.servedIds = tables.keys.sorted()
        self.settings = settings
        self.builtAt = Date()
        self.scopes = GrantScopeCache(capacity: settings.maximumScopes)
    }

    /// Runs `body` with a connection where every served table is a view of its rows as they are (no policy applied):
    /// the grant scope of all tables, built on first use. On NIO's thread pool (DuckDB work never runs on the caller's
    /// executor); the engine stays alive for as long as the body runs, even when a rebuild replaces it meanwhile.
    /// For server-built SQL only: a user's SQL runs in `withScope(readable:policies:_:)`.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive { [self] in
            let scope = try scope(of: servedIds, enforcing: false)
            return try withExtendedLifetime(scope) { try scope.withConnection(for: nil, body) }
        }
    }

    /// Runs `body` with a connection to the grant scope holding exactly the served tables among `readable` (built on
    /// first use), policied as `policies` says, on NIO's thread pool.
    public func withScope<T: Sendable>(readable: Set<String>, policies: PolicyEnforcement,
                                       _ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        let ids = readable.filter { tables[$0] != nil }.sorted()
        let caller: PolicyCaller? = if case let .enforce(caller) = policies { caller } else { nil }
        return try await NIOThreadPool.singleton.runIfActive { [self] in
            let scope = try scope(of: ids, enforcing: caller != nil)
            // Held until the body is done: an eviction meanwhile must not close the database under it.
            return try withExtendedLifetime(scope) { try scope.withConnection(for: caller, body) }
        }
    }

    /// The grant scope of served tables `ids` (sorted), built on first use. Blocking: call it on the thread pool.
    func scope(of ids: [String], enforcing: Bool) throws -> GrantScope {
        try scopes.scope(for: ids, enforcing: enforcing) {
            try GrantScope(tables: ids.compactMap { tables[$0] }, enforcing: enforcing, engine: tables, settings: settings)
        }
    }

    /// Builds here the grant scopes that queries used lately on `previous` (the engine this one replaces), so that the
    /// first queries after a rebuild find their scope ready instead of each building it (about 0.4 s for a thousand
    /// tables, on the thread pool every query needs). Only the most recently used, within `window`. A scope of every
    /// table served there becomes the one of every table served here (what server-built SQL and a caller who may read
    /// everything ask for); another set is built for those of its tables still served, which is the set its callers
    /// now ask for unless a table was added to what they may read. A scope that cannot be built is left to the query
    /// that needs it, which reports why.
    func warmScopes(usedOn previous: QueryEngine, within window: Duration = .seconds(600), limit: Int = 4) {
        for (ids, enforcing) in previous.scopes.recentlyUsed(within: window, limit: limit) {
            let served = ids == previous.servedIds ? servedIds : ids.filter { tables[$0] != nil }
            guard !served.isEmpty else { continue }
            _ = try? scope(of: served, enforcing: enforcing)
        }
    }

    /// The policy of served table `id`, if it has one.
    public func policy(of id: String) -> EngineTable.Policy { tables[id]?.policy ?? .none }

    /// How many grant scopes are kept now.
    public var scopeCount: Int { scopes.count }
}
