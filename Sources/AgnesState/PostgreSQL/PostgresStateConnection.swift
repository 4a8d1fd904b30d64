// One connection to a PostgreSQL state database, used synchronously from a pool thread like DuckDB's: each
// statement is sent through postgres-nio and waited for (never on an event loop).
import DuckDB
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// A `StateConnection` over postgres-nio. Transactions run at REPEATABLE READ — a snapshot, as DuckDB's are — so a
/// repository sees the same isolation on both backends, and a concurrent update of the same row fails with a
/// serialization conflict that `StateStore.write` retries.
final class PostgresStateConnection: StateConnection, @unchecked Sendable {
    // Used by one thread at a time (a pool lease or the audit writer), like DuckDB's connection.
    private(set) var connection: PostgresConnection
    private let logger: Logger
    private var transactionDepth = 0

    var dialect: StateDialect { .postgreSQL }

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Opens a connection (waiting for it: call it off the event loops).
    static func connect(_ configuration: PostgresConnection.Configuration, on eventLoop: any EventLoop, id: Int,
                        logger: Logger) throws -> PostgresStateConnection {
        do {
            let connection = try PostgresConnection.connect(on: eventLoop, configuration: configuration, id: id, logger: logger).wait()
            return PostgresStateConnection(connection: connection, logger: logger)
        } catch let error as PSQLError {
            throw PostgresValues.stateError(error)
        }
    }

    var isClosed: Bool { connection.isClosed }

    @discardableResult
    func execute(_ sql: String) throws -> Int {
        var changed = 0
        for statement in Self.statements(in: sql) { changed = try run(statement, []).metadata.rows ?? 0 }
        return changed
    }

    @discardableResult
    func execute(_ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> Int {
        try run(sql, parameters).metadata.rows ?? 0
    }

    func rows(_ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> [[DuckDBValue]] {
        try run(sql, parameters).rows.map { row in try row.map(PostgresValues.value(of:)) }
    }

    func fetchAll<T: Decodable>(_ type: T.Type, _ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> [T] {
        try run(sql, parameters).rows.map { try Self.decode(type, $0) }
    }

    func fetchOne<T: Decodable>(_ type: T.Type, _ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> T? {
        try run(sql, parameters).rows.first.map { try Self.decode(type, $0) }
    }

    func scalar<T: DuckDBValueConvertible>(_ type: T.Type, _ sql: String, parameters: [(any DuckDBValueConvertible)?]) throws -> T? {
        guard let cell = try run(sql, parameters).rows.first?.first else { return nil }
        let value = try PostgresValues.value(of: cell)
        if value.isNull { return nil }
        guard let converted = T(duckDBValue: value) else {
            throw DuckDBError(kind: .typeMismatch, message: "cannot read \(cell.dataType) value \(value) of column \(cell.columnName) as \(T.self)")
        }
        return converted
    }

    @discardableResult
    func transaction<T>(_ body: () throws -> T) throws -> T {
        // A transaction inside a transaction is part of the outer one.
        if transactionDepth > 0 { return try body() }
        try run("BEGIN ISOLATION LEVEL REPEATABLE READ", [])
        transactionDepth = 1
        defer { transactionDepth = 0 }
        let value: T
        do {
            value = try body()
        } catch {
            _ = try? run("ROLLBACK", [])
            throw error
        }
        do {
            try run("COMMIT", [])
        } catch {
            _ = try? run("ROLLBACK", [])
            throw error
        }
        return value
    }

    func close() {
        try? connection.close().wait()
    }

    @discardableResult
    private func run(_ sql: String, _ parameters: [(any DuckDBValueConvertible)?]) throws -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: parameters.count)
        for parameter in parameters { try PostgresValues.bind(parameter?.duckDBValue ?? .null, into: &bindings) }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).wait()
        } catch let error as PSQLError {
            throw PostgresValues.stateError(error)
        }
    }

    /// Decodes a row by column name with the same decoder DuckDB's rows use.
    private static func decode<T: Decodable>(_ type: T.Type, _ row: PostgresRow) throws -> T {
        let members = try row.map { cell in DuckDBValue.StructMember(cell.columnName, try PostgresValues.value(of: cell)) }
        return try DuckDBValue.structure(members).decode(type)
    }

    /// The statements of a `;`-separated list (a `;` inside quotes or a `--` comment separates nothing), each
    /// without its terminator; blank ones are left out. postgres-nio speaks the extended protocol only, which takes
    /// one statement at a time.
    static func statements(in sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var quote: Character?
        var inComment = false
        var previous: Character?
        for character in sql {
            defer { previous = character }
            if inComment {
                if character == "\n" { inComment = false }
            } else if let open = quote {
                if character == open { quote = nil }
            } else if character == "-" && previous == "-" {
                inComment = true
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == ";" {
                statements.append(current)
                current = ""
                continue
            }
            current.append(character)
        }
        statements.append(current)
        return statements.filter { statement in
            statement.split(separator: "\n").contains { line in
                let text = line.trimmingCharacters(in: .whitespaces)
                return !text.isEmpty && !text.hasPrefix("--")
            }
        }
    }
}
