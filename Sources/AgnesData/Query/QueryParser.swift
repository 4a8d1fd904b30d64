// Where SQL that is only parsed runs (the query guard's `json_serialize_sql`): an in-memory DuckDB holding no table,
// reading no file, loading no extension, its configuration locked. One per process, opened on a first query: it reads
// nothing a rebuild changes, and a server that has answered no query holds no DuckDB for it (docs/performance.md,
// "Memory").
import DuckDB
import NIOPosix
import Synchronization

/// The process's locked-down DuckDB for parsing.
public final class QueryParser: Sendable {
    public static let shared = QueryParser()

    private let database = Mutex<Database?>(nil)

    private init() {}

    /// Runs `body` with a new connection to the parser, on NIO's thread pool.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive { [self] in
            let connection = try opened().connect()
            defer { connection.close() }
            return try body(connection)
        }
    }

    /// The parser's database, opened and locked down on first use (two first uses at once open it once).
    private func opened() throws -> Database {
        try database.withLock { database in
            if let database { return database }
            let opened = try Self.lockedDown()
            database = opened
            return opened
        }
    }

    /// One thread (parsing needs no workers) and a small memory limit; no file, no extension, no setting changed later.
    private static func lockedDown() throws -> Database {
        let parser = try Database(configuration: Database.Configuration(threads: 1, memoryLimit: "64MB",
                                                                         options: ["enable_external_file_cache": "false"]))
        do {
            let connection = try parser.connect()
            defer { connection.close() }
            try connection.execute("SET allowed_directories = []")
            try connection.execute("SET enable_external_access = false")
            try connection.execute("SET lock_configuration = true")
            return parser
        } catch {
            parser.close()
            throw error
        }
    }
}
