// What a repository needs from a connection to the state database, whichever database holds it: DuckDB (the
// embedded default, `system.duckdb`) or PostgreSQL (`AGNES_STATE_URL`, several processes sharing one state).
import DuckDB

/// A connection to the state database as the repositories use it: statements with `$n` parameters, rows decoded by
/// column name, transactions. Parameters and values are `DuckDBValue`s on both backends (the PostgreSQL connection
/// converts them), and failures are `DuckDBError`s of the same kinds — a unique violation is `.constraint` with
/// "Duplicate key", a serialization failure or deadlock `.transaction` with "Conflict" — so a repository and its
/// error handling are written once. SQL that the two dialects spell differently asks `dialect`.
public protocol StateConnection: AnyObject {
    /// Which SQL dialect the connection speaks.
    var dialect: StateDialect { get }

    /// Runs one or more `;`-separated statements without parameters; returns the rows changed by the last.
    @discardableResult
    func execute(_ sql: String) throws -> Int

    /// Runs one statement with bound parameters; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> Int

    /// Decodes every row of a query into `T` by column name.
    func fetchAll<T: Decodable>(_ type: T.Type, _ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> [T]

    /// Decodes the first row of a query into `T`, or nil when there is none.
    func fetchOne<T: Decodable>(_ type: T.Type, _ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> T?

    /// The first column of the first row as `T`; nil when there are no rows or the value is NULL.
    func scalar<T: DuckDBValueConvertible>(_ type: T.Type, _ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> T?

    /// Every row of a query as values by position.
    func rows(_ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> [[DuckDBValue]]

    /// Runs `body` in a transaction on this connection: commits when it returns, rolls back when it throws.
    @discardableResult
    func transaction<T>(_ body: () throws -> T) throws -> T

    /// Closes the connection (a pooled connection is closed by its pool).
    func close()
}

extension StateConnection {
    /// `execute` with the parameters listed.
    @discardableResult
    public func execute(_ sql: String, _ parameters: (any DuckDBValueConvertible)?...) throws -> Int {
        try execute(sql, parameters: parameters)
    }

    /// `fetchAll` with the parameters listed.
    public func fetchAll<T: Decodable>(_ type: T.Type, _ sql: String, _ parameters: (any DuckDBValueConvertible)?...) throws -> [T] {
        try fetchAll(type, sql, parameters: parameters)
    }

    /// `fetchOne` with the parameters listed.
    public func fetchOne<T: Decodable>(_ type: T.Type, _ sql: String, _ parameters: (any DuckDBValueConvertible)?...) throws -> T? {
        try fetchOne(type, sql, parameters: parameters)
    }

    /// `scalar` with the parameters listed.
    public func scalar<T: DuckDBValueConvertible>(_ type: T.Type, _ sql: String, _ parameters: (any DuckDBValueConvertible)?...) throws -> T? {
        try scalar(type, sql, parameters: parameters)
    }

    /// `rows` with the parameters listed.
    public func rows(_ sql: String, _ parameters: (any DuckDBValueConvertible)?...) throws -> [[DuckDBValue]] {
        try rows(sql, parameters: parameters)
    }
}

/// DuckDB's connection is the embedded backend's state connection as it is.
extension Connection: StateConnection {
    public var dialect: StateDialect { .duckDB }

    public func rows(_ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> [[DuckDBValue]] {
        try query(sql, parameters: parameters).rows().map(\.values)
    }

    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try withTransaction { _ in try body() }
    }
}
