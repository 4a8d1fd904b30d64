// The owner of system.duckdb: opens it (failing fast when another process holds it), migrates it, and runs reads
// and retried write transactions on a connection pool.
import AgnesCore
import DuckDB
import Foundation
import Logging
import Synchronization

/// The server's state database with its connection pool: `DATA_DIR/state/system.duckdb` (embedded, the default), or a
/// PostgreSQL database that several processes share (`AGNES_STATE_URL`).
public final class StateStore: Sendable {
    /// `DATA_DIR/state` (the embedded database and its backups; exports and backups on PostgreSQL too).
    public let stateDirectory: URL
    /// The database file, or nil for an in-memory store (tests and benchmarks) and on PostgreSQL.
    public let databasePath: String?
    /// Where the state lives.
    public let location: StateLocation
    private let backend: Backend
    /// How many times a write transaction is run in all when DuckDB reports a conflict with another transaction.
    public let maxWriteAttempts: Int
    /// The id of the system group `Everyone`, which every user joins when created. System groups cannot be renamed
    /// or deleted, and only offline tools (restore, imports) replace the database, so the id read at open stays true.
    public let everyoneGroupId: String
    /// What opening the store migrated (nothing when the schema was current, or another process had migrated it).
    public let migration: MigrationReport
    private let writeCounter = WriteCounter()

    /// The connections of one backend.
    private enum Backend: Sendable {
        case duckDB(Database, ConnectionPool)
        case postgreSQL(PostgresStatePool, StateWriteListener)
    }

    /// The SQL dialect of the state's connections.
    public var dialect: StateDialect {
        switch backend {
        case .duckDB: .duckDB
        case .postgreSQL: .postgreSQL
        }
    }

    /// The embedded database, or nil on PostgreSQL.
    public var embeddedDatabase: Database? {
        if case let .duckDB(database, _) = backend { database } else { nil }
    }

    /// Grows with every write through `write` (after it ends), so a value read while the generation was `g` is
    /// current as long as the generation is still `g` (see `StateCache`).
    public var generation: UInt64 { writeCounter.value.load(ordering: .acquiring) }

    /// The default number of pooled connections.
    public static let defaultPoolSize = 4

    /// Opens (creating when needed) and migrates the state database: under `dataDirectory/state`, or at `location`.
    /// State queries are small point reads and writes, so each runs on its calling pool thread (`threads` = 1) unless
    /// told otherwise. On PostgreSQL the migration runs under an advisory lock, so processes starting together
    /// migrate once.
    public static func open(dataDirectory: URL, location: StateLocation = .embedded, poolSize: Int = defaultPoolSize,
                            threads: Int = 1) throws -> StateStore {
        let stateDirectory = dataDirectory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        switch location {
        case .embedded:
            let path = stateDirectory.appendingPathComponent("system.duckdb").path
            let database = try openDatabase(path: path, threads: threads)
            return try StateStore(database: database, stateDirectory: stateDirectory, databasePath: path, poolSize: poolSize)
        case let .postgreSQL(server):
            return try StateStore(postgreSQL: server, stateDirectory: stateDirectory, poolSize: poolSize)
        }
    }

    /// Opens the state database file, turning DuckDB's "held by another process" error into `StateError.locked`.
    static func openDatabase(path: String, threads: Int) throws -> Database {
        do {
            return try Database(path: path, configuration: .init(threads: threads))
        } catch let error as DuckDBError where error.kind == .io && error.message.contains("lock") {
            throw StateError.locked(path: path, detail: error.message)
        } catch let error as DuckDBError where WALReplayRecovery.isDefaultDatabaseFailure(error) {
            try WALReplayRecovery.replayAttached(path)
            return try Database(path: path, configuration: .init(threads: threads))
        }
    }

    /// An in-memory store with the full schema, for tests and benchmarks.
    public static func inMemory(poolSize: Int = defaultPoolSize) throws -> StateStore {
        let database = try Database(configuration: .init(threads: 1))
        return try StateStore(database: database, stateDirectory: FileManager.default.temporaryDirectory, databasePath: nil, poolSize: poolSize)
    }

    private init(database: Database, stateDirectory: URL, databasePath: String?, poolSize: Int) throws {
        self.stateDirectory = stateDirectory
        self.databasePath = databasePath
        self.location = .embedded
        self.maxWriteAttempts = 20
        let connection = try database.connect()
        defer { connection.close() }
        migration = try StateSchema.migrator.migrate(connection, databasePath: databasePath,
                                                     backupDirectory: stateDirectory.appendingPathComponent("backups"))
        everyoneGroupId = try Self.seed(connection)
        backend = .duckDB(database, try ConnectionPool(database: database, size: poolSize))
    }

    private init(postgreSQL server: StateLocation.PostgreSQL, stateDirectory: URL, poolSize: Int) throws {
        self.stateDirectory = stateDirectory
        self.databasePath = nil
        self.location = .postgreSQL(server)
        self.maxWriteAttempts = 20
        let pool = try PostgresStatePool(location: server, size: poolSize)
        do {
            let connection = try pool.dedicatedConnection()
            defer { connection.close() }
            (migration, everyoneGroupId) = try Self.prepare(postgreSQL: connection)
        } catch {
            pool.shutdownWaiting()
            throw error
        }
        let counter = writeCounter
        backend = .postgreSQL(pool, StateWriteListener(location: server, logger: Logger(label: "agnes.state")) {
            counter.value.add(1, ordering: .releasing)
        })
    }

    /// Brings a PostgreSQL state up to date under the migration lock — DuckDB's functions the SQL uses, every pending
    /// migration, the system groups — and returns what the migration did and the id of `Everyone`.
    @discardableResult
    static func prepare(postgreSQL connection: any StateConnection) throws -> (report: MigrationReport, everyoneGroupId: String) {
        try PostgresMigrationLock.holding(on: connection) {
            try PostgresCompatibility.install(on: connection)
            let report = try StateSchema.migrator.migrate(connection, databasePath: nil, backupDirectory: nil)
            return (report, try Self.seed(connection))
        }
    }

    /// Seeds the system groups and returns the id of `Everyone`.
    private static func seed(_ connection: any StateConnection) throws -> String {
        try GroupsRepository.seedSystemGroups(connection)
        guard let everyone = try connection.scalar(String.self, "SELECT id FROM user_groups WHERE name = $1", Group.everyoneName) else {
            throw StateError.invalid("the system group \(Group.everyoneName) is missing after seeding")
        }
        return everyone
    }

    /// The folder backups are written to.
    public var backupDirectory: URL { stateDirectory.appendingPathComponent("backups") }

    /// Runs `body` on a pooled connection (reads, or writes that manage their own transaction).
    @discardableResult
    public func read<T: Sendable>(_ body: @escaping @Sendable (any StateConnection) throws -> T) async throws -> T {
        try await withConnection(body)
    }

    /// Lends a connection of the backend to `body` on one of the pool's threads.
    private func withConnection<T: Sendable>(_ body: @escaping @Sendable (any StateConnection) throws -> T) async throws -> T {
        switch backend {
        case let .duckDB(_, pool): try await pool.withConnection { try body($0) }
        case let .postgreSQL(pool, _): try await pool.withConnection { try body($0) }
        }
    }

    /// Runs `body` on a pooled DuckDB connection, for work only the embedded database can do (an online copy into
    /// another DuckDB file).
    @discardableResult
    public func readEmbedded<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        guard case let .duckDB(_, pool) = backend else {
            throw StateError.invalid("this works on the embedded state database only; on PostgreSQL use its own tools (pg_dump) or `agnes-server export`")
        }
        return try await pool.withConnection(body)
    }

    /// A connection of its own, outside the pool, for a thread that writes on its own (the audit writer); the caller
    /// closes it.
    public func dedicatedConnection() throws -> any StateConnection {
        switch backend {
        case let .duckDB(database, _): try database.connect()
        case let .postgreSQL(pool, _): try pool.dedicatedConnection()
        }
    }

    /// Runs `body` in a transaction, retrying it (up to `maxWriteAttempts` times in all) when DuckDB reports a
    /// write-write conflict with another transaction, or a key that another transaction committed first. `body` must
    /// be safe to run again.
    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (any StateConnection) throws -> T) async throws -> T {
        defer { writeCounter.value.add(1, ordering: .releasing) }
        return try await transaction(announced: true, body)
    }

    /// A write that no cached value depends on — usage stamps and the readiness canary, rows no `StateCache` reads —
    /// run like `write` but leaving the generation (and so every cache) as it is. Anything a cache reads must go
    /// through `write`.
    @discardableResult
    public func writeKeepingCaches<T: Sendable>(_ body: @escaping @Sendable (any StateConnection) throws -> T) async throws -> T {
        try await transaction(announced: false, body)
    }

    /// Runs `body` in a retried transaction. On PostgreSQL an `announced` transaction notifies every other process
    /// when it commits (see `StateWriteListener`).
    private func transaction<T: Sendable>(announced: Bool, _ body: @escaping @Sendable (any StateConnection) throws -> T) async throws -> T {
        let attempts = maxWriteAttempts
        let announces = announced && dialect == .postgreSQL
        return try await withConnection { connection in
            var attempt = 1
            // At least this long of retrying, however many attempts it takes: on a starved machine the transaction
            // in the way can hold its rows longer than the attempts' pauses add up to.
            let retryUntil = ContinuousClock.now + .seconds(5)
            while true {
                do {
                    return try connection.transaction {
                        let result = try body(connection)
                        if announces { try connection.execute("NOTIFY \(StateWriteListener.channel)") }
                        CrashPoint.stateMidWrite.reach()
                        return result
                    }
                } catch let error as DuckDBError where (error.isTransactionConflict || error.isDuplicateAtCommit)
                                                    && (attempt < attempts || ContinuousClock.now < retryUntil) {
                    // A short, growing, jittered pause lets the competing transaction commit and spreads retries out.
                    let ceiling = min(20_000, 250 << min(attempt, 6))
                    usleep(UInt32.random(in: UInt32(ceiling / 2)...UInt32(ceiling)))
                    attempt += 1
                }
            }
        }
    }

    /// Stops the pool and closes the database (embedded: after CHECKPOINT, so the file is self-contained).
    public func close() async throws {
        switch backend {
        case let .duckDB(database, pool):
            _ = try? await pool.withConnection { try $0.execute("CHECKPOINT") }
            try await pool.shutdown()
            database.close()
        case let .postgreSQL(pool, listener):
            await listener.stop()
            try await pool.shutdown()
        }
    }
}

/// The store's write generation, shared with the listener that moves it on for other processes' writes.
private final class WriteCounter: Sendable {
    let value = Atomic<UInt64>(0)
}
