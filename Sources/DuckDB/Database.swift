// An open DuckDB database (file or in-memory) with typed configuration; the root every connection comes from.
import CDuckDB
import Foundation

/// An open DuckDB database. Thread-safe: connections may be opened from any thread.
///
/// DuckDB allows one read-write process per database file; opening a file another process holds fails with an
/// `.io` error whose message names the lock holder.
public final class Database: @unchecked Sendable {
    // Safe to share: a duckdb_database may be used from any thread; `handle` is only mutated under `lock` in close().
    private var handle: duckdb_database?
    private let lock = NSLock()

    /// The path the database was opened with, or nil for an in-memory database.
    public let path: String?
    /// The configuration the database was opened with.
    public let configuration: Configuration

    /// Opens (creating if needed) the database at `path`, or an in-memory database when `path` is nil.
    /// Runs `body` on a connection to a new in-memory database, closed again afterwards (scratch work: parsing,
    /// describing a source, a scan's plan).
    public static func withScratchConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        let database = try Database()
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        return try body(connection)
    }

    public init(path: String? = nil, configuration: Configuration = Configuration()) throws {
        self.path = path
        self.configuration = configuration

        var config: duckdb_config?
        guard duckdb_create_config(&config) == DuckDBSuccess, let config else {
            throw DuckDBError(kind: .outOfMemory, message: "could not allocate a DuckDB configuration")
        }
        var configToDestroy: duckdb_config? = config
        defer { duckdb_destroy_config(&configToDestroy) }
        for (name, value) in configuration.settings() {
            guard duckdb_set_config(config, name, value) == DuckDBSuccess else {
                throw DuckDBError(kind: .configuration, message: "invalid DuckDB option \(name)=\(value)")
            }
        }

        var database: duckdb_database?
        var error: UnsafeMutablePointer<CChar>?
        let state = duckdb_open_ext(path ?? ":memory:", &database, config, &error)
        guard state == DuckDBSuccess, let database else {
            let message = takeDuckDBString(error) ?? "could not open DuckDB database at \(path ?? ":memory:")"
            throw DuckDBError(kind: DuckDBError.Kind(message: message) == .other(0) ? .io : DuckDBError.Kind(message: message), message: message)
        }
        handle = database
    }

    deinit {
        close()
    }

    /// Closes the database. Connections still open keep DuckDB's instance alive until they close.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard handle != nil else { return }
        duckdb_close(&handle)
        Database.keepReturningFreedMemoryInBackground()
    }

    /// Opens a new connection. Each connection is used by one task at a time.
    public func connect() throws -> Connection {
        lock.lock()
        defer { lock.unlock() }
        guard let handle else { throw DuckDBError(kind: .misuse, message: "the database is closed") }
        var connection: duckdb_connection?
        guard duckdb_connect(handle, &connection) == DuckDBSuccess, let connection else {
            throw DuckDBError(kind: .io, message: "could not open a connection to \(path ?? ":memory:")")
        }
        return Connection(handle: connection, database: self)
    }

    /// The version of the linked DuckDB library, for example `v1.5.5`.
    public static var libraryVersion: String { String(cString: duckdb_library_version()) }

    /// The number of rows in a full data chunk (DuckDB's vector size, 2048 by default).
    public static var vectorSize: Int { Int(duckdb_vector_size()) }
}
