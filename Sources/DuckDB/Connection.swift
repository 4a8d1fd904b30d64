// A connection to a DuckDB database: runs statements, prepares them, manages transactions and interrupts.
import CDuckDB
import Foundation

/// A connection to a database. Not `Sendable`: a connection is used by one task at a time; share work across tasks
/// with a `ConnectionPool`. A streamed `ResultSet` borrows its connection: starting another statement on the same
/// connection closes it.
public final class Connection {
    let handle: ConnectionHandle
    /// The database this connection belongs to (kept alive while the connection is).
    public let database: Database
    /// Statements prepared by `cachedStatement(_:)`, by SQL text.
    private var statementCache: [String: PreparedStatement] = [:]
    /// The cache is emptied when it grows past this many statements.
    static let statementCacheLimit = 256
    /// BEGIN, COMMIT and ROLLBACK, prepared on first use (parsing them costs more than running them).
    private var transactionStatements: (begin: PreparedStatement, commit: PreparedStatement, rollback: PreparedStatement)?

    init(handle: duckdb_connection, database: Database) {
        self.handle = ConnectionHandle(handle)
        self.database = database
    }

    deinit { handle.close() }

    /// Closes the connection now instead of when it is released.
    public func close() {
        statementCache.removeAll()
        transactionStatements = nil
        handle.close()
    }

    /// Whether `close()` was called.
    public var isClosed: Bool { handle.isClosed }

    func raw() throws -> duckdb_connection {
        guard let raw = handle.raw else { throw DuckDBError(kind: .misuse, message: "the connection is closed") }
        return raw
    }

    // MARK: Running SQL

    /// Runs one or more `;`-separated statements, discarding their results; returns the rows changed by the last.
    @discardableResult
    public func execute(_ sql: String) throws -> Int {
        var result = duckdb_result()
        defer { duckdb_destroy_result(&result) }
        if duckdb_query(try raw(), sql, &result) != DuckDBSuccess {
            throw DuckDBError(errorType: duckdb_result_error_type(&result),
                              message: duckdb_result_error(&result).map { String(cString: $0) }, sql: sql)
        }
        return Int(duckdb_rows_changed(&result))
    }

    /// Runs one statement with bound parameters and returns the number of rows it changed. The statement is
    /// prepared once per connection and reused (see `cachedStatement(_:)`).
    @discardableResult
    public func execute(_ sql: String, _ parameters: (any DuckDBValueConvertible)?...) throws -> Int {
        try execute(sql, parameters: parameters)
    }

    /// Runs one statement with parameters given as an array and returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> Int {
        let statement = try cachedStatement(sql)
        try statement.bind(parameters)
        return try statement.execute()
    }

    /// Runs one statement with bound parameters and returns its result, streamed chunk by chunk.
    public func query(_ sql: String, _ parameters: (any DuckDBValueConvertible)?...) throws -> ResultSet {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        return try statement.query()
    }

    /// Runs one statement with parameters given as an array.
    public func query(_ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> ResultSet {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        return try statement.query()
    }

    /// Prepares one statement for repeated execution.
    public func prepare(_ sql: String) throws -> PreparedStatement {
        try PreparedStatement(connection: self, sql: sql)
    }

    /// The statement for `sql`, prepared on first use and kept for the life of the connection (as GRDB's
    /// `cachedStatement`). Parsing and preparing are skipped on later uses. Do not keep a streamed result of a
    /// cached statement open across another use of the same SQL: the second execution closes the first result.
    ///
    /// Statements without parameters are not kept: DuckDB plans them once, at prepare time, and may fold what the
    /// table statistics said then into the plan (an empty table's join or aggregate becomes a constant), so a re-run
    /// after the data changed can return stale rows. Statements with parameters are re-planned on every execution.
    public func cachedStatement(_ sql: String) throws -> PreparedStatement {
        if let statement = statementCache[sql] { return statement }
        let statement = try prepare(sql)
        guard statement.parameterCount > 0 else { return statement }
        if statementCache.count >= Self.statementCacheLimit { statementCache.removeAll(keepingCapacity: true) }
        statementCache[sql] = statement
        return statement
    }

    /// Runs a cached statement with `parameters` and returns its whole (small) result, materialized.
    private func materialized(_ sql: String, _ parameters: [(any DuckDBValueConvertible)?]) throws -> ResultSet {
        let statement = try cachedStatement(sql)
        try statement.bind(parameters)
        return try statement.queryMaterialized()
    }

    /// Decodes every row of a query into `T` by column name.
    public func fetchAll<T: Decodable>(_ type: T.Type, _ sql: String, _ parameters: (any DuckDBValueConvertible)?...) throws -> [T] {
        try materialized(sql, parameters).decode(type)
    }

    /// Decodes every row of a query into `T` by column name (parameters as an array).
    public func fetchAll<T: Decodable>(_ type: T.Type, _ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> [T] {
        try materialized(sql, parameters).decode(type)
    }

    /// Decodes the first row of a query into `T`, or returns nil when there is none.
    public func fetchOne<T: Decodable>(_ type: T.Type, _ sql: String, _ parameters: (any DuckDBValueConvertible)?...) throws -> T? {
        try materialized(sql, parameters).decodeFirst(type)
    }

    /// `fetchOne` with the parameters as an array.
    public func fetchOne<T: Decodable>(_ type: T.Type, _ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> T? {
        try materialized(sql, parameters).decodeFirst(type)
    }

    /// The first column of the first row, converted to `T`; nil when there are no rows or the value is NULL.
    public func scalar<T: DuckDBValueConvertible>(_ type: T.Type, _ sql: String, _ parameters: (any DuckDBValueConvertible)?...) throws -> T? {
        try materialized(sql, parameters).scalar(type)
    }

    /// `scalar` with the parameters as an array.
    public func scalar<T: DuckDBValueConvertible>(_ type: T.Type, _ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> T? {
        try materialized(sql, parameters).scalar(type)
    }

    // MARK: Transactions

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws (and rethrows).
    @discardableResult
    public func withTransaction<T>(_ body: (Connection) throws -> T) throws -> T {
        let statements = try preparedTransactionStatements()
        try statements.begin.execute()
        let value: T
        do {
            value = try body(self)
        } catch {
            _ = try? statements.rollback.execute()
            throw error
        }
        do {
            try statements.commit.execute()
        } catch {
            _ = try? statements.rollback.execute()
            throw error
        }
        return value
    }

    private func preparedTransactionStatements() throws -> (begin: PreparedStatement, commit: PreparedStatement, rollback: PreparedStatement) {
        if let transactionStatements { return transactionStatements }
        let statements = (begin: try prepare("BEGIN TRANSACTION"), commit: try prepare("COMMIT"), rollback: try prepare("ROLLBACK"))
        transactionStatements = statements
        return statements
    }

    // MARK: Appending

    /// Creates an appender that adds rows to `table` (in `schema`, default `main`) efficiently.
    public func appender(table: String, schema: String? = nil, catalog: String? = nil) throws -> Appender {
        try Appender(connection: self, catalog: catalog, schema: schema, table: table)
    }

    // MARK: Interrupting

    /// A handle that other tasks may use to interrupt this connection's running query or read its progress.
    public var interruptHandle: InterruptHandle { InterruptHandle(handle: handle) }

    /// Interrupts the query running on this connection (the query fails with an `.interrupt` error).
    public func interrupt() { handle.interrupt() }
}

/// The shared owner of a `duckdb_connection`: lets an `InterruptHandle` act on it safely from another thread.
final class ConnectionHandle: @unchecked Sendable {
    // `connection` is written only under `lock`; DuckDB's interrupt and progress calls are thread-safe.
    private var connection: duckdb_connection?
    private let lock = NSLock()

    init(_ connection: duckdb_connection) { self.connection = connection }

    deinit { close() }

    /// The raw handle for the owning connection's own (single-task) use.
    var raw: duckdb_connection? { connection }

    var isClosed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return connection == nil
    }

    func close() {
        lock.lock()
        defer { lock.unlock() }
        if connection != nil {
            duckdb_disconnect(&connection)
            Database.keepReturningFreedMemoryInBackground()
        }
    }

    func interrupt() {
        lock.lock()
        defer { lock.unlock() }
        if let connection { duckdb_interrupt(connection) }
    }

    func progress() -> QueryProgress? {
        lock.lock()
        defer { lock.unlock() }
        guard let connection else { return nil }
        let progress = duckdb_query_progress(connection)
        guard progress.percentage >= 0 else { return nil }
        return QueryProgress(percentage: progress.percentage, rowsProcessed: Int(progress.rows_processed),
                             totalRowsToProcess: Int(progress.total_rows_to_process))
    }
}

/// Interrupts or observes a connection's running query from another task or thread.
public struct InterruptHandle: Sendable {
    let handle: ConnectionHandle

    /// Interrupts the running query, if any; it fails with an `.interrupt` error.
    public func interrupt() { handle.interrupt() }

    /// Progress of the running query, or nil when nothing is running or DuckDB cannot tell.
    public var progress: QueryProgress? { handle.progress() }
}

/// How far a running query has got.
public struct QueryProgress: Sendable, Equatable {
    /// 0–100.
    public var percentage: Double
    public var rowsProcessed: Int
    public var totalRowsToProcess: Int
}
