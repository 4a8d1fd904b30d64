// The semantic layer's state: glossary terms, and semantic models (their YAML documents byte for byte, with the
// tables and metrics they name).
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes `glossary_terms` and `semantic_models`.
public struct SemanticRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    static let termColumns = "id, term, definition, see_also, synonyms, source, source_ref, updated_at"
    static let modelColumns = "id, title, description, status, tables, metrics, source, created_at, updated_at, updated_by"

    // MARK: - Glossary

    public func terms() async throws -> [GlossaryTerm] {
        try await store.read { try $0.fetchAll(GlossaryTerm.self, "SELECT \(Self.termColumns) FROM glossary_terms ORDER BY lower(term), id") }
    }

    /// The terms of the given ids.
    public func terms(ids: [String]) async throws -> [GlossaryTerm] {
        try await store.read { try $0.fetchAll(GlossaryTerm.self, "SELECT \(Self.termColumns) FROM glossary_terms WHERE list_contains($1, id)", ids) }
    }

    public func term(id: String) async throws -> GlossaryTerm? {
        try await store.read { try $0.fetchOne(GlossaryTerm.self, "SELECT \(Self.termColumns) FROM glossary_terms WHERE id = $1", id) }
    }

    /// Creates or replaces terms by id, in one transaction.
    public func save(_ terms: [GlossaryTerm], by user: String?) async throws {
        let now = DuckDBTimestamp(Date()).date
        try await store.write { connection in
            for term in terms {
                let values: [(any DuckDBValueConvertible)?] = [term.id, term.term, term.definition, term.seeAlso, term.synonyms, term.source,
                                                               term.sourceRef, user, now]
                try mapUniqueViolation("another glossary entry is spelt '\(term.term)'") {
                    try updateOrInsert(connection, update: """
                        UPDATE glossary_terms SET term = $2, definition = $3, see_also = $4, synonyms = $5, source = $6, source_ref = $7,
                            updated_by = $8, updated_at = $9 WHERE id = $1
                        """, values, insert: """
                        INSERT INTO glossary_terms (id, term, definition, see_also, synonyms, source, source_ref, updated_by, created_at, updated_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
                        """, values)
                }
            }
        }
    }

    public func deleteTerm(id: String) async throws {
        try await store.write { connection in
            guard try connection.execute("DELETE FROM glossary_terms WHERE id = $1", id) == 1 else {
                throw StateError.notFound(what: "glossary term", id: id)
            }
        }
    }

    // MARK: - Semantic models

    public func models() async throws -> [SemanticModel] {
        try await store.read { try $0.fetchAll(SemanticModel.self, "SELECT \(Self.modelColumns) FROM semantic_models ORDER BY id") }
    }

    public func model(id: String) async throws -> SemanticModel? {
        try await store.read { try $0.fetchOne(SemanticModel.self, "SELECT \(Self.modelColumns) FROM semantic_models WHERE id = $1", id) }
    }

    /// The document exactly as stored.
    public func document(id: String) async throws -> Data? {
        try await store.read { try $0.scalar(String.self, "SELECT document FROM semantic_models WHERE id = $1", id) }.map { Data($0.utf8) }
    }

    /// Creates (`replacing: false`; `.conflict` when the id exists) or replaces (`.notFound` when it does not) a model.
    public func save(_ model: SemanticModel, document: String, replacing: Bool, by user: String?) async throws {
        let now = DuckDBTimestamp(Date()).date
        try await store.write { connection in
            let exists = try connection.scalar(Int64.self, "SELECT count(*) FROM semantic_models WHERE id = $1", model.id) == 1
            if replacing {
                guard exists else { throw StateError.notFound(what: "semantic model", id: model.id) }
                try connection.execute("""
                    UPDATE semantic_models SET title = $2, description = $3, document = $4, tables = $5, metrics = $6, status = $7,
                        updated_at = $8, updated_by = $9 WHERE id = $1
                    """, model.id, model.title, model.description, document, model.tables, model.metrics, model.status, now, user)
            } else {
                guard !exists else { throw StateError.conflict("a semantic model named '\(model.id)' exists") }
                try mapConcurrentInsert {
                    try connection.execute("""
                        INSERT INTO semantic_models (id, title, description, document, tables, metrics, status, source, created_at, created_by,
                            updated_at, updated_by)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9, $10)
                        """, model.id, model.title, model.description, document, model.tables, model.metrics, model.status, model.source, now, user)
                }
            }
        }
    }

    public func deleteModel(id: String) async throws {
        try await store.write { connection in
            guard try connection.execute("DELETE FROM semantic_models WHERE id = $1", id) == 1 else {
                throw StateError.notFound(what: "semantic model", id: id)
            }
        }
    }
}
