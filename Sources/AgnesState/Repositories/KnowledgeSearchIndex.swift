// Full-text search over corporate memory with DuckDB's `fts` extension (BM25 over title, content and tags). The index
// lives in its own in-memory database, rebuilt from the state database when items changed since the last search, so
// the state database never holds extension objects. Without the extension, `matches` returns nil and callers fall
// back to `ILIKE`.
import DuckDB
import Foundation
import Synchronization

public final class KnowledgeSearchIndex: Sendable {
    private struct Built: @unchecked Sendable {
        // The in-memory database with the `docs` table and its index; used under `state`'s lock only.
        var database: Database
        var connection: Connection
        var generation: String
    }

    private let state = Mutex<Built?>(nil)
    private let unavailable = Atomic<Bool>(false)

    public init() {}

    /// Whether the `fts` extension could be loaded (known after the first search).
    public var isAvailable: Bool { !unavailable.load(ordering: .relaxed) }

    /// Item ids matching `text`, best first; nil when full-text search is not available.
    public func matches(_ text: String, in repository: KnowledgeRepository, limit: Int = 1_000) async throws -> [String]? {
        guard isAvailable else { return nil }
        let generation = try await repository.generation()
        let current = state.withLock { $0?.generation }
        if current != generation {
            let documents = try await repository.searchable()
            do {
                try rebuild(documents, generation: generation)
            } catch let error as DuckDBError where error.message.localizedCaseInsensitiveContains("fts") {
                unavailable.store(true, ordering: .relaxed)
                return nil
            }
        }
        return try state.withLock { built -> [String] in
            guard let built else { return [] }
            struct Hit: Decodable { let id: String }
            return try built.connection.fetchAll(Hit.self, """
                SELECT id FROM (SELECT id, fts_main_docs.match_bm25(id, $1) AS score FROM docs)
                WHERE score IS NOT NULL ORDER BY score DESC, id LIMIT $2
                """, text, limit).map(\.id)
        }
    }

    private func rebuild(_ documents: [(id: String, title: String, content: String, tags: String)], generation: String) throws {
        let database = try Database()
        let connection = try database.connect()
        do {
            try connection.execute("LOAD fts")
            try connection.execute("CREATE TABLE docs (id VARCHAR PRIMARY KEY, title VARCHAR, content VARCHAR, tags VARCHAR)")
            let appender = try connection.appender(table: "docs")
            for document in documents { try appender.appendRow(document.id, document.title, document.content, document.tags) }
            try appender.close()
            try connection.execute("PRAGMA create_fts_index('docs', 'id', 'title', 'content', 'tags', stemmer = 'english', overwrite = 1)")
        } catch {
            connection.close()
            database.close()
            throw error
        }
        let old = state.withLock { built -> Built? in
            let old = built
            built = Built(database: database, connection: connection, generation: generation)
            return old
        }
        old?.connection.close()
        old?.database.close()
    }
}
