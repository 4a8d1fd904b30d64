// `GET /api/knowledge/search` and `agnes search`: one ranked list over everything an agent should read before it
// writes SQL — corporate memory, metric definitions, glossary terms, semantic models, tables and described columns —
// filtered by what the caller may read.
import Foundation

/// What a hit is.
public enum KnowledgeKind: String, Codable, Sendable, CaseIterable {
    case memory, metric, glossary
    case semanticModel = "semantic_model"
    case table, column
}

/// One hit.
public struct KnowledgeHit: Codable, Sendable, Equatable {
    public var type: KnowledgeKind
    /// The id in its own kind: an item id, `category/name`, a term's slug, a model's slug, a table id, `table.column`.
    public var id: String
    public var title: String
    /// The start of its text.
    public var snippet: String
    /// BM25 (higher is better).
    public var score: Double
    /// Where to read it in full (an API path or a CLI command).
    public var readMore: String

    public init(type: KnowledgeKind, id: String, title: String, snippet: String, score: Double, readMore: String) {
        self.type = type
        self.id = id
        self.title = title
        self.snippet = snippet
        self.score = score
        self.readMore = readMore
    }

    enum CodingKeys: String, CodingKey {
        case type, id, title, snippet, score
        case readMore = "read_more"
    }
}

/// The answer of `GET /api/knowledge/search`.
public struct KnowledgeSearchResults: Codable, Sendable, Equatable {
    public var query: String
    public var results: [KnowledgeHit]
    public var count: Int

    public init(query: String, results: [KnowledgeHit]) {
        self.query = query
        self.results = results
        count = results.count
    }
}
