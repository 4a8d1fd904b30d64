// Full-text search with DuckDB's `fts` extension (BM25, English stemmer) over documents the caller supplies. The index
// lives in its own in-memory database, rebuilt when the caller's generation marker changes, so the state database never
// holds extension objects. Without the extension, `matches` returns nil and callers fall back to something simpler.
import DuckDB
import Foundation
import Synchronization

/// One searchable document: a key the caller resolves, and its text.
public struct FullTextDocument: Sendable {
    public var key: String
    public var title: String
    public var body: String

    public init(key: String, title: String, body: String) {
        self.key = key
        self.title = title
        self.body = body
    }
}

public final class FullTextIndex: Sendable {
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

    /// Keys of the documents matching `text` with their BM25 scores, best first; nil when full-text search is not
    /// available. `documents` is asked for only when `generation` differs from the one indexed.
    public func matches(_ text: String, generation: String, limit: Int, documents: () async throws -> [FullTextDocument])
        async throws -> [(key: String, score: Double)]? {
        guard isAvailable else { return nil }
        if state.withLock({ $0?.generation }) != generation {
            let documents = try await documents()
            do {
                try rebuild(documents, generation: generation)
            } catch let error as DuckDBError where error.message.localizedCaseInsensitiveContains("fts") {
                unavailable.store(true, ordering: .relaxed)
                return nil
            }
        }
        return try state.withLock { built -> [(key: String, score: Double)] in
            guard let built else { return [] }
            struct Hit: Decodable { let key: String; let score: Double }
            return try built.connection.fetchAll(Hit.self, """
                SELECT key, score FROM (SELECT key, fts_main_docs.match_bm25(key, $1) AS score FROM docs)
                WHERE score IS NOT NULL ORDER BY score DESC, key LIMIT $2
                """, text, limit).map { ($0.key, $0.score) }
        }
    }

    private func rebuild(_ documents: [FullTextDocument], generation: String) throws {
        let database = try Database()
        let connection = try database.connect()
        do {
            try connection.execute("LOAD fts")
            try connection.execute("CREATE TABLE docs (key VARCHAR PRIMARY KEY, title VARCHAR, body VARCHAR)")
            let appender = try connection.appender(table: "docs")
            for document in documents { try appender.appendRow(document.key, document.title, document.body) }
            try appender.close()
            try connection.execute("PRAGMA create_fts_index('docs', 'key', 'title', 'body', stemmer = 'english', overwrite = 1)")
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
