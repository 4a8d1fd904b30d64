// The query engine (SPEC §6.4): an in-memory DuckDB with every extract ATTACHed read-only and one view per
// registered table, named by its id, then locked down: external access only to the extracts folder, no extension
// installs or loads, memory and thread limits, and the configuration locked so no query can loosen it.
import AgnesState
import DuckDB
import Foundation
import NIOPosix

/// Limits of the query engine.
public struct EngineSettings: Sendable, Equatable {
    public var memoryLimit: String
    public var threads: Int

    public init(memoryLimit: String = "2GB", threads: Int = 2) {
        self.memoryLimit = memoryLimit
        self.threads = threads
    }
}

/// A table the engine serves: its view's id, the source it comes from, and how it is served.
public struct EngineTable: Sendable, Equatable {
    public var id: String
    public var source: String
    public var queryMode: String
}

/// One built, locked-down engine. Immutable once built; replaced as a whole by `Orchestrator.rebuild`.
public final class QueryEngine: Sendable {
    let database: Database
    /// The tables it serves, by id.
    public let tables: [String: EngineTable]
    public let builtAt: Date

    init(database: Database, tables: [String: EngineTable]) {
        self.database = database
        self.tables = tables
        self.builtAt = Date()
    }

    deinit { database.close() }

    /// Runs `body` with a new connection to the engine on NIO's thread pool (DuckDB work never runs on the caller's
    /// executor). The engine stays alive for as long as the body runs, even when a rebuild replaces it meanwhile.
    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive { [self] in
            let connection = try database.connect()
            defer { connection.close() }
            return try body(connection)
        }
    }
}
