// A grant scope: the DuckDB a user's SQL runs in, holding one view per table the caller may read and nothing else.
// Authorization then does not rest on the query guard alone: a reference the guard resolves wrongly finds no table
// ("does not exist") instead of an ungranted one. The scope may read only its tables' files (`allowed_paths`), has no
// other catalog (a remote table's attached source aside), loads no extensions, and its configuration is locked.
import AgnesState
import DuckDB
import Foundation
import Synchronization

/// A locked-down DuckDB holding the views of one set of tables.
final class GrantScope: Sendable {
    let database: Database
    let tableIds: [String]

    init(tables: [EngineTable], settings: EngineSettings) throws {
        database = try Database(configuration: .init(threads: settings.threads, memoryLimit: settings.memoryLimit))
        tableIds = tables.map(\.id)
        do {
            let connection = try database.connect()
            defer { connection.close() }
            var files: [String] = []
            var attached: Set<String> = []
            for table in tables {
                switch table.rows {
                case let .parquet(paths):
                    files += paths
                    let select = paths.isEmpty
                        ? "SELECT NULL AS no_rows_yet WHERE false"
                        : "SELECT * FROM read_parquet([\(paths.map(SQL.literal).joined(separator: ", "))], union_by_name = true)"
                    try connection.execute("CREATE VIEW main.\(SQL.identifier(table.id)) AS \(select)")
                case let .remote(source, alias, select):
                    if !attached.contains(alias) {
                        guard let connector = try Connectors.make(source) as? any RemoteConnector else {
                            throw ConnectorError("data source '\(source.name)' (\(source.type)) cannot serve tables in remote mode")
                        }
                        try connector.attach(connection, as: alias)
                        attached.insert(alias)
                    }
                    try connection.execute("CREATE VIEW main.\(SQL.identifier(table.id)) AS \(select)")
                }
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

    deinit { database.close() }
}

/// Grant scopes of one engine, by table set; past `capacity` the least recently used is dropped (queries still
/// running in it finish: they hold the scope).
final class GrantScopeCache: Sendable {
    private struct Entry {
        var scope: GrantScope
        var lastUse: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { state.withLock { $0.entries.count } }

    /// The scope for `ids` (sorted), built by `make` when there is none yet. Two callers may build the same scope at
    /// once; the first one stored is kept.
    func scope(for ids: [String], make: () throws -> GrantScope) throws -> GrantScope {
        let key = ids.joined(separator: "\u{1F}")
        if let found = state.withLock({ state -> GrantScope? in
            state.clock += 1
            state.entries[key]?.lastUse = state.clock
            return state.entries[key]?.scope
        }) {
            return found
        }
        let built = try make()
        var evicted: [GrantScope] = []
        let scope = state.withLock { state -> GrantScope in
            state.clock += 1
            if let existing = state.entries[key] {
                state.entries[key]?.lastUse = state.clock
                return existing.scope
            }
            state.entries[key] = Entry(scope: built, lastUse: state.clock)
            while state.entries.count > capacity, let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                evicted.append(oldest.value.scope)
                state.entries[oldest.key] = nil
            }
            return built
        }
        _ = evicted // released here, outside the lock (closing a database can take a moment)
        return scope
    }
}
