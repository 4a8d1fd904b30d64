// A grant scope: the DuckDB a user's SQL runs in, holding one view per table the caller may read and nothing else.
// Authorization then does not rest on the query guard alone: a reference the guard resolves wrongly finds no table
// ("does not exist") instead of an ungranted one. The scope may read only its tables' files (`allowed_paths`), has no
// other catalog (a remote table's attached source aside), loads no extensions, and its configuration is locked.
// In an enforcing scope a policied table's view is its policy over the raw rows (given to the policy as a CTE of the
// table's own name, so the raw rows are no catalog object a query could name); the caller's values are variables set
// on each connection (`PolicyBinding`). A policy that cannot be applied makes the view fail with `policy_error`.
import AgnesState
import DuckDB
import Foundation
import Synchronization

/// A locked-down DuckDB holding the views of one set of tables.
final class GrantScope: Sendable {
    let database: Database
    let tableIds: [String]
    /// Whether any view of this scope is a policy (its connections then need the caller's values).
    let enforcesPolicies: Bool
    /// Idle connections with a caller's values bound, for that caller's next queries (binding costs ~5 ms).
    private let bound = Mutex<[PolicyCaller: [BoundConnection]]>([:])
    /// Idle bound connections kept per caller, and in all.
    static let idlePerCaller = 4, idleInAll = 64

    /// A scope of `tables`; with `enforcing`, policied tables are their policies (mapping tables come from `engine`).
    init(tables: [EngineTable], enforcing: Bool, engine: [String: EngineTable], settings: EngineSettings) throws {
        database = try Database(configuration: settings.databaseConfiguration)
        tableIds = tables.map(\.id)
        enforcesPolicies = enforcing && tables.contains { $0.policy != .none }
        do {
            let connection = try database.connect()
            defer { connection.close() }
            var files: [String] = []
            var attached: Set<String> = []
            /// The raw rows of `table` as a SELECT (attaching its source first when it is remote).
            func rows(_ table: EngineTable) throws -> String {
                switch table.rows {
                case let .parquet(paths):
                    files += paths
                    return PolicyView.parquetRows(paths)
                case let .remote(source, alias, select):
                    if !attached.contains(alias) {
                        guard let connector = try Connectors.make(source) as? any RemoteConnector else {
                            throw ConnectorError("data source '\(source.name)' (\(source.type)) cannot serve tables in remote mode")
                        }
                        try connector.attach(connection, as: alias)
                        attached.insert(alias)
                    }
                    return select
                }
            }
            for table in tables {
                let view: String
                switch (enforcing, table.policy) {
                case (false, _), (true, .none):
                    view = try rows(table)
                case let (true, .applied(policy)):
                    let mapped = policy.mapping.filter { $0.lowercased() != table.id }.map { engine[$0.lowercased()] }
                    if mapped.contains(nil) {
                        view = Self.failingView(table.id)  // a mapping table is not served (yet): no rows, an error
                    } else {
                        view = PolicyView.sql(policy, tables: try ([table] + mapped.compactMap { $0 }).map { (id: $0.id, rows: try rows($0)) })
                    }
                case (true, .broken):
                    view = Self.failingView(table.id)
                }
                try connection.execute("CREATE VIEW main.\(SQL.identifier(table.id)) AS \(view)")
            }
            // Only these files, no other path, no extension, and no setting a query could loosen afterwards.
            try connection.execute("SET allowed_paths = [\(files.map(SQL.literal).joined(separator: ", "))]")
            try connection.execute("SET allowed_directories = []")
            try connection.execute("SET enable_external_access = false")
            try connection.execute("SET autoinstall_known_extensions = false")
            try connection.execute("SET autoload_known_extensions = false")
            try connection.execute("SET lock_configuration = true")
        } catch {
            database.close()
            throw error
        }
    }

    deinit {
        bound.withLock { $0.removeAll() }  // their connections close before the database
        database.close()
    }

    /// Runs `body` on a connection to this scope; in an enforcing scope, one with `caller`'s values bound (a policied
    /// view read without them shows no rows). A connection bound for one caller is only ever reused for that caller.
    func withConnection<T>(for caller: PolicyCaller?, _ body: (Connection) throws -> T) throws -> T {
        guard enforcesPolicies, let caller else {
            let connection = try database.connect()
            defer { connection.close() }
            return try body(connection)
        }
        let reused = bound.withLock { $0[caller]?.popLast() }
        let held: BoundConnection
        if let reused {
            held = reused
        } else {
            let connection = try database.connect()
            try PolicyBinding.bind(caller, on: connection)
            held = BoundConnection(connection: connection)
        }
        // Kept for reuse only after a query that ended normally (an interrupted or failed one takes its connection along).
        let result = try body(held.connection)
        bound.withLock { idle in
            if idle[caller, default: []].count < Self.idlePerCaller, idle.values.reduce(0, { $0 + $1.count }) < Self.idleInAll {
                idle[caller, default: []].append(held)
            }
        }
        return result
    }

    /// A view that fails when read: a policied table whose policy cannot be applied shows no rows, only why.
    static func failingView(_ id: String) -> String {
        let message = "policy_error: the access policy of table '\(id)' cannot be applied; an administrator can see why in the registry"
        return "SELECT error(\(SQL.literal(message)))::VARCHAR AS policy_error"
    }
}

/// Grant scopes of one engine, by table set; past `capacity` the least recently used is dropped (queries still
/// running in it finish: they hold the scope). A scope is built once: a caller asking for one that another is building
/// waits for it (a scope of a thousand tables takes about 0.4 s and 15 MiB to build).
final class GrantScopeCache: Sendable {
    private struct Entry {
        var scope: GrantScope
        var enforcing: Bool
        var lastUsed: ContinuousClock.Instant
    }

    /// A scope being built: its builder leaves the group when the result is set, and whoever asked meanwhile waits on it.
    private final class Build: @unchecked Sendable {
        let group = DispatchGroup()
        /// Written once, before the group is left; read only after waiting on it.
        var result: Result<GrantScope, any Error>?
        init() { group.enter() }
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var building: [String: Build] = [:]
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { state.withLock { $0.entries.count } }

    /// The scope for `ids` (sorted), enforcing policies or not, built by `make` when there is none yet, or waited for
    /// while another caller builds it. Blocking: call it on the thread pool. A failed build is not kept: its waiters
    /// get its error, and the next caller builds again.
    func scope(for ids: [String], enforcing: Bool, make: () throws -> GrantScope) throws -> GrantScope {
        let key = Self.key(ids, enforcing: enforcing)
        enum Lookup { case found(GrantScope), wait(Build), build(Build) }
        let lookup = state.withLock { state -> Lookup in
            if state.entries[key] != nil {
                state.entries[key]?.lastUsed = .now
                return .found(state.entries[key]!.scope)
            }
            if let build = state.building[key] { return .wait(build) }
            let build = Build()
            state.building[key] = build
            return .build(build)
        }
        switch lookup {
        case let .found(scope):
            return scope
        case let .wait(build):
            build.group.wait()
            return try build.result!.get()
        case let .build(build):
            let result = Result { try make() }
            var evicted: [GrantScope] = []
            state.withLock { state in
                state.building[key] = nil
                guard case let .success(scope) = result else { return }
                state.entries[key] = Entry(scope: scope, enforcing: enforcing, lastUsed: .now)
                while state.entries.count > capacity, let oldest = state.entries.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                    evicted.append(oldest.value.scope)
                    state.entries[oldest.key] = nil
                }
            }
            build.result = result
            build.group.leave()
            _ = evicted // released here, outside the lock (closing a database can take a moment)
            return try result.get()
        }
    }

    /// The table sets of the scopes used within `window` (and whether they enforce policies), the most recently used
    /// first, at most `limit` of them.
    func recentlyUsed(within window: Duration, limit: Int) -> [(ids: [String], enforcing: Bool)] {
        let since = ContinuousClock.now - window
        return state.withLock { state in
            state.entries.values.filter { $0.lastUsed >= since }.sorted { $0.lastUsed > $1.lastUsed }.prefix(limit)
                .map { (ids: $0.scope.tableIds, enforcing: $0.enforcing) }
        }
    }

    private static func key(_ ids: [String], enforcing: Bool) -> String {
        ids.joined(separator: "\u{1F}") + (enforcing ? "\u{1E}enforcing" : "")
    }
}

/// A connection kept idle in a scope with one caller's values bound; used by one query at a time (taken out of the
/// pool while in use).
final class BoundConnection: @unchecked Sendable {
    let connection: Connection
    init(connection: Connection) { self.connection = connection }
    deinit { connection.close() }
}

/// Sets a caller's policy values on one scope connection: written into a temporary table by a prepared statement (so
/// they are bound, never SQL text), copied into the variables the policies read, and the table dropped again.
public enum PolicyBinding {
    public static func bind(_ caller: PolicyCaller, on connection: Connection) throws {
        try connection.execute("CREATE OR REPLACE TEMP TABLE agnes_caller (user_email VARCHAR, user_id VARCHAR, user_groups VARCHAR[])")
        try connection.execute("INSERT INTO temp.agnes_caller VALUES ($1, $2, $3)", caller.email, caller.userId, caller.groups)
        for variable in PolicyVariable.allCases {
            try connection.execute("SET VARIABLE \(variable.variableName) = (SELECT \(variable.rawValue) FROM temp.agnes_caller)")
        }
        try connection.execute("DROP TABLE temp.agnes_caller")
    }
}
