// The semantic layer's use cases (`/api/glossary`, `/api/admin/glossary`, `/api/admin/semantic-models`,
// `/api/semantic-models/…`, and the CLI and MCP tools over them): glossary terms, semantic models stored as their YAML
// documents, and the check of a SQL statement against the models its caller may read. A model is readable by a caller
// who may read every table of its datasets (administrators read all).
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation
import NIOPosix
import Yams

public struct SemanticLayer: Sendable {
    let domain: Domain
    var repository: SemanticRepository { SemanticRepository(store: domain.state) }

    // MARK: - Glossary

    public func glossary(limit: Int, for caller: Caller) async throws -> GlossaryList {
        guard (1...500).contains(limit) else { throw ServiceError.unprocessable([Self.rangeError("limit", 500)]) }
        return GlossaryList(terms: Array(try await repository.terms().prefix(limit)))
    }

    public func term(_ id: String, for caller: Caller) async throws -> GlossaryTerm {
        guard let term = try await repository.term(id: id) else { throw ServiceError.notFound("Glossary term '\(id)' not found") }
        return term
    }

    /// Terms matching `query` best first (BM25 over term, synonyms and definition, with the knowledge search's index).
    public func searchGlossary(_ query: String, limit: Int, for caller: Caller) async throws -> GlossarySearch {
        guard (1...100).contains(limit) else { throw ServiceError.unprocessable([Self.rangeError("limit", 100)]) }
        let hits = try await domain.knowledge.search(query, types: [.glossary], limit: limit, for: caller)
        let terms = Dictionary(try await repository.terms().map { ($0.id, $0) }) { first, _ in first }
        return GlossarySearch(query: query, terms: hits.results.compactMap { terms[$0.id] })
    }

    /// Creates or replaces the term (by its slug).
    public func saveTerm(_ request: GlossaryTermRequest, for caller: Caller) async throws -> GlossaryTerm {
        try caller.requireAdmin()
        let term = try Self.term(request, source: "manual", sourceRef: nil)
        caller.audit.record("glossary.saved", resource: "glossary:\(term.id)")
        try await saving { try await repository.save([term], by: caller.identity.user.email) }
        return try await self.term(term.id, for: caller)
    }

    public func deleteTerm(_ id: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        caller.audit.record("glossary.deleted", resource: "glossary:\(id)")
        do { try await repository.deleteTerm(id: id) } catch StateError.notFound { throw ServiceError.notFound("Glossary term '\(id)' not found") }
    }

    /// Imports a YAML document of terms (`terms: [{term, definition, see_also, synonyms}]`, or the list alone), all or
    /// nothing.
    public func importGlossary(_ request: GlossaryImportRequest, for caller: Caller) async throws -> GlossaryImported {
        try caller.requireAdmin()
        struct File: Decodable { var terms: [GlossaryTermRequest] }
        let requests: [GlossaryTermRequest]
        do {
            let decoder = YAMLDecoder()
            if let file = try? decoder.decode(File.self, from: request.content) {
                requests = file.terms
            } else {
                requests = try decoder.decode([GlossaryTermRequest].self, from: request.content)
            }
        } catch {
            throw ServiceError.badRequest("The glossary file is not a list of terms (terms: [{term, definition, see_also, synonyms}]): \(error)")
        }
        let terms = try requests.map { try Self.term($0, source: "yaml_import", sourceRef: request.sourceRef) }
        guard Set(terms.map(\.id)).count == terms.count else { throw ServiceError.badRequest("The file names a term twice") }
        caller.audit.record("glossary.imported", resource: "glossary", params: ["terms": String(terms.count)])
        try await saving { try await repository.save(terms, by: caller.identity.user.email) }
        return GlossaryImported(terms: terms.map(\.id))
    }

    static func term(_ request: GlossaryTermRequest, source: String, sourceRef: String?) throws -> GlossaryTerm {
        let name = request.term.trimmingCharacters(in: .whitespacesAndNewlines)
        let definition = request.definition.trimmingCharacters(in: .whitespacesAndNewlines)
        let id = PackageAdministration.slug(from: name)
        guard !name.isEmpty, !id.isEmpty else { throw ServiceError.badRequest("term must hold a letter or digit") }
        guard !definition.isEmpty else { throw ServiceError.badRequest("definition of '\(name)' must not be blank") }
        guard name.count <= 200, definition.utf8.count <= 20_000 else { throw ServiceError.badRequest("'\(name)' is too long") }
        func clean(_ list: [String]?) -> [String] {
            Array(Set((list ?? []).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
        }
        return GlossaryTerm(id: id, term: name, definition: definition, seeAlso: clean(request.seeAlso), synonyms: clean(request.synonyms),
                            source: source, sourceRef: sourceRef, updatedAt: Date())
    }

    // MARK: - Semantic models

    /// The models the caller may read (administrators: all).
    public func models(for caller: Caller) async throws -> SemanticModelList {
        SemanticModelList(models: try await readableModels(for: caller.identity))
    }

    /// Every model (administrators only: `/api/admin/semantic-models`).
    public func allModels(for caller: Caller) async throws -> SemanticModelList {
        try caller.requireAdmin()
        return try await models(for: caller)
    }

    /// One model with its document (administrators only).
    public func adminModel(_ id: String, for caller: Caller) async throws -> SemanticModel {
        try caller.requireAdmin()
        return try await model(id, for: caller)
    }

    /// One model with its document (404 also when the caller may not read it).
    public func model(_ id: String, for caller: Caller) async throws -> SemanticModel {
        guard var model = try await readableModels(for: caller.identity).first(where: { $0.id == id }),
              let document = try await repository.document(id: id) else {
            throw ServiceError.notFound("Semantic model '\(id)' not found")
        }
        model.document = String(decoding: document, as: UTF8.self)
        return model
    }

    /// The stored document, byte for byte.
    public func document(_ id: String, for caller: Caller) async throws -> Data {
        guard try await readableModels(for: caller.identity).contains(where: { $0.id == id }), let document = try await repository.document(id: id) else {
            throw ServiceError.notFound("Semantic model '\(id)' not found")
        }
        return document
    }

    /// Models matching `query`, best first (the knowledge search over their names, descriptions and datasets).
    public func searchModels(_ query: String, limit: Int, for caller: Caller) async throws -> SemanticModelList {
        let hits = try await domain.knowledge.search(query, types: [.semanticModel], limit: limit, for: caller)
        let models = Dictionary(try await readableModels(for: caller.identity).map { ($0.id, $0) }) { first, _ in first }
        return SemanticModelList(models: hits.results.compactMap { models[$0.id] })
    }

    /// Creates (`replacing` nil) or replaces a model from its document: 422 for a document that does not parse or
    /// names unregistered tables or unknown metrics, 409 for a name taken, 400 when a replacement renames it.
    public func saveModel(_ request: SemanticModelRequest, replacing id: String?, for caller: Caller) async throws -> SemanticModel {
        try caller.requireAdmin()
        let parsed = try SemanticModelDocument.parse(request.document)
        if let id, id != parsed.name { throw ServiceError.badRequest("The document describes '\(parsed.name)', not '\(id)'") }
        let status = request.status ?? "active"
        guard ["active", "draft"].contains(status) else {
            throw ServiceError.unprocessable([FieldError(type: "enum", loc: ["body", "status"], msg: "status must be 'active' or 'draft'")])
        }
        let registered = Set(try await domain.catalogSnapshot().tables.map(\.id))
        for dataset in parsed.datasets where !registered.contains(dataset.table) {
            throw ServiceError.unprocessable([FieldError(type: "invalid_document", loc: ["body", "document"],
                                                         msg: "dataset '\(dataset.name)' reads table '\(dataset.table)', which is not registered")])
        }
        let metrics = MetricsRepository(store: domain.state)
        for metric in parsed.metrics ?? [] where try await metrics.get(id: metric) == nil {
            throw ServiceError.unprocessable([FieldError(type: "invalid_document", loc: ["body", "document"], msg: "metric '\(metric)' is not defined")])
        }
        let model = SemanticModel(id: parsed.name, title: parsed.title ?? parsed.name, description: parsed.description, status: status,
                                  tables: Array(Set(parsed.datasets.map(\.table))).sorted(), metrics: (parsed.metrics ?? []).sorted(), source: "manual",
                                  createdAt: Date(), updatedAt: Date(), updatedBy: nil)
        caller.audit.record(id == nil ? "semantic_model.created" : "semantic_model.updated", resource: "semantic_model:\(model.id)")
        do {
            try await repository.save(model, document: request.document, replacing: id != nil, by: caller.identity.user.email)
        } catch let StateError.conflict(message) {
            throw ServiceError.conflict(message)
        } catch StateError.notFound {
            throw ServiceError.notFound("Semantic model '\(id ?? model.id)' not found")
        }
        return try await self.model(model.id, for: caller)
    }

    public func deleteModel(_ id: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        caller.audit.record("semantic_model.deleted", resource: "semantic_model:\(id)")
        do { try await repository.deleteModel(id: id) } catch StateError.notFound { throw ServiceError.notFound("Semantic model '\(id)' not found") }
    }

    func readableModels(for identity: Identity) async throws -> [SemanticModel] {
        let models = try await repository.models()
        if identity.isAdmin { return models }
        let mayRead = try await domain.access.tableReader(for: identity)
        let folders = Dictionary(try await domain.catalogSnapshot().tables.map { ($0.id, $0.folder) }) { first, _ in first }
        return models.filter { model in model.tables.allSatisfy { table in folders[table].map { mayRead(table, $0) } ?? false } }
    }

    // MARK: - Validating a query

    /// Which datasets, metrics and relationships `sql` uses and the rules it breaks, against the named model or the
    /// active readable model covering most of its tables; `available: false` when the caller may read none that does.
    public func validate(_ request: ValidateQueryRequest, for caller: Caller) async throws -> QueryValidation {
        caller.audit.record("semantic_model.validate_query", resource: request.model.map { "semantic_model:\($0)" })
        if let engine = request.targetEngine, engine.lowercased() != "duckdb" {
            throw ServiceError.badRequest("target_engine '\(engine)' is not known; queries here are DuckDB SQL")
        }
        let readable = try await readableModels(for: caller.identity).filter { $0.status == "active" || $0.id == request.model }
        let sql = request.sql
        let documents = try await readable.asyncMap { model in (model, try await repository.document(id: model.id)) }
        let definitions = try await MetricsRepository(store: domain.state).list()
        return try await NIOThreadPool.singleton.runIfActive {
            try Database.withScratchConnection { connection -> QueryValidation in
                let analysis: SemanticQueryAnalysis
                do { analysis = try SemanticQueryAnalysis.analyze(sql, using: connection) } catch let error as SemanticAnalysisError {
                    throw ServiceError.badRequest("The statement could not be read: \(error)")
                }
                let candidates = try documents.compactMap { model, data -> (SemanticModel, SemanticModelDocument)? in
                    guard let data else { return nil }
                    return (model, try SemanticModelDocument.parse(String(decoding: data, as: UTF8.self)))
                }
                let chosen = request.model.map { name in candidates.first { $0.0.id == name } }
                    ?? candidates.map { ($0, Set($0.1.datasets.map { $0.table.lowercased() }).intersection(analysis.tables).count) }
                        .filter { $0.1 > 0 }.max { ($0.1, $1.0.0.id) < ($1.1, $0.0.0.id) }?.0
                guard let (model, document) = chosen else {
                    return QueryValidation(available: false, error: "no_semantic_model", valid: false,
                                           summary: "No semantic model you may read covers the tables of this statement.")
                }
                let shapes = try definitions.filter { (document.metrics ?? []).contains($0.id) }.map { try MetricShape($0, using: connection) }
                let verdict = SemanticQueryRules.judge(analysis, against: document, metrics: shapes)
                let summary = verdict.violations.isEmpty
                    ? "Follows \(model.id): \(verdict.usedDatasets.count) dataset(s), \(verdict.usedMetrics.count) metric(s), "
                        + "\(verdict.matchedRelationships.count) declared relationship(s)."
                    : "Breaks \(verdict.violations.count) rule(s) of \(model.id): " + verdict.violations.map(\.rule).joined(separator: ", ") + "."
                return QueryValidation(available: true, model: model.id, valid: verdict.violations.isEmpty, usedDatasets: verdict.usedDatasets,
                                       usedMetrics: verdict.usedMetrics, matchedRelationships: verdict.matchedRelationships,
                                       violations: verdict.violations, unmodeledTables: verdict.unmodeledTables, summary: summary)
            }
        }
    }

    static func rangeError(_ field: String, _ maximum: Int) -> FieldError {
        FieldError(type: "less_than_equal", loc: ["query", field], msg: "\(field) must be between 1 and \(maximum)")
    }

    func saving(_ body: () async throws -> Void) async throws {
        do { try await body() } catch let StateError.conflict(message) { throw ServiceError.conflict(message) }
    }
}

extension Array {
    /// The elements transformed by an async `transform`, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        out.reserveCapacity(count)
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
