// Full-text search over corporate memory (BM25 over title, content and tags), on a `FullTextIndex` rebuilt when items
// changed since the last search. Without the `fts` extension, `matches` returns nil and callers fall back to `ILIKE`.
import Foundation

public final class KnowledgeSearchIndex: Sendable {
    private let index = FullTextIndex()

    public init() {}

    /// Whether the `fts` extension could be loaded (known after the first search).
    public var isAvailable: Bool { index.isAvailable }

    /// Item ids matching `text`, best first; nil when full-text search is not available.
    public func matches(_ text: String, in repository: KnowledgeRepository, limit: Int = 1_000) async throws -> [String]? {
        try await index.matches(text, generation: try await repository.generation(), limit: limit) {
            try await repository.searchable().map { FullTextDocument(key: $0.id, title: $0.title, body: "\($0.content) \($0.tags)") }
        }?.map(\.key)
    }
}
