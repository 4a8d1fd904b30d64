// The glossary (`/api/glossary`, upstream's read paths; written by administrators through `/api/admin/glossary`): the
// business terms analysts and agents should read before they write SQL.
import Foundation

/// One term.
public struct GlossaryTerm: Codable, Sendable, Equatable, Identifiable {
    /// The term's slug (`Gross revenue` → `gross-revenue`).
    public var id: String
    public var term: String
    public var definition: String
    public var seeAlso: [String]
    public var synonyms: [String]
    /// `manual`, or `yaml_import`.
    public var source: String
    @Nullable public var sourceRef: String?
    public var updatedAt: Date

    public init(id: String, term: String, definition: String, seeAlso: [String], synonyms: [String], source: String, sourceRef: String?,
                updatedAt: Date) {
        self.id = id
        self.term = term
        self.definition = definition
        self.seeAlso = seeAlso
        self.synonyms = synonyms
        self.source = source
        self.sourceRef = sourceRef
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, term, definition, synonyms, source
        case seeAlso = "see_also"
        case sourceRef = "source_ref"
        case updatedAt = "updated_at"
    }
}

/// `GET /api/glossary`.
public struct GlossaryList: Codable, Sendable, Equatable {
    public var terms: [GlossaryTerm]
    public var count: Int

    public init(terms: [GlossaryTerm]) {
        self.terms = terms
        count = terms.count
    }
}

/// `GET /api/glossary/search`.
public struct GlossarySearch: Codable, Sendable, Equatable {
    public var query: String
    public var terms: [GlossaryTerm]
    public var count: Int

    public init(query: String, terms: [GlossaryTerm]) {
        self.query = query
        self.terms = terms
        count = terms.count
    }
}

/// The body of `POST /api/admin/glossary` (create or replace by term).
public struct GlossaryTermRequest: Codable, Sendable, Equatable {
    public var term: String
    public var definition: String
    public var seeAlso: [String]?
    public var synonyms: [String]?

    public init(term: String, definition: String, seeAlso: [String]? = nil, synonyms: [String]? = nil) {
        self.term = term
        self.definition = definition
        self.seeAlso = seeAlso
        self.synonyms = synonyms
    }

    enum CodingKeys: String, CodingKey {
        case term, definition, synonyms
        case seeAlso = "see_also"
    }
}

/// The body of `POST /api/admin/glossary/import`: a YAML document of terms (`terms: [{term, definition, see_also,
/// synonyms}]`), and where it came from.
public struct GlossaryImportRequest: Codable, Sendable, Equatable {
    public var content: String
    public var sourceRef: String?

    public init(content: String, sourceRef: String? = nil) {
        self.content = content
        self.sourceRef = sourceRef
    }

    enum CodingKeys: String, CodingKey {
        case content
        case sourceRef = "source_ref"
    }
}

/// The answer to an import.
public struct GlossaryImported: Codable, Sendable, Equatable {
    public var imported: Int
    public var terms: [String]

    public init(terms: [String]) {
        self.terms = terms
        imported = terms.count
    }
}
