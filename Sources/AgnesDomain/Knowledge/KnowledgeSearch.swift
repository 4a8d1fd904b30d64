// One knowledge search (`GET /api/knowledge/search`, `agnes search`, the glossary and model searches, the MCP
// `knowledge_search` tool): BM25 over corporate memory, metric definitions, glossary terms, semantic models, tables and
// described columns in one index, each hit checked against what the caller may read before it is shown — a hit the
// caller may not read is dropped, never shown in part.
import AgnesAPI
import AgnesState
import Foundation

public struct KnowledgeSearch: Sendable {
    let domain: Domain

    /// The best hits for `query`, of the given kinds (all when nil), that the caller may read.
    public func search(_ query: String, types: Set<KnowledgeKind>? = nil, limit: Int, for caller: Caller) async throws -> KnowledgeSearchResults {
        let text = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ServiceError.unprocessable([FieldError(type: "missing", loc: ["query", "q"], msg: "Field required")]) }
        guard (1...100).contains(limit) else {
            throw ServiceError.unprocessable([FieldError(type: "less_than_equal", loc: ["query", "limit"], msg: "limit must be between 1 and 100")])
        }
        caller.audit.record("knowledge.search", params: ["q": String(text.prefix(200))])
        // Over-fetch: hits the caller may not read are dropped after ranking.
        guard let ranked = try await domain.knowledgeIndex.matches(text, generation: try await generation(), limit: max(200, limit * 20),
                                                                   documents: documents) else {
            throw ServiceError(.serviceUnavailable, "Full-text search is not available on this server (the DuckDB fts extension is missing)")
        }
        var hits: [KnowledgeHit] = []
        var candidates: [(KnowledgeKind, String, Double)] = []
        for (key, score) in ranked {
            guard let separator = key.firstIndex(of: ":"), let kind = KnowledgeKind(rawValue: String(key[..<separator])),
                  types?.contains(kind) ?? true else { continue }
            candidates.append((kind, String(key[key.index(after: separator)...]), score))
        }
        // Resolved a few at a time, best first, until there are enough hits the caller may read.
        var offset = 0
        while hits.count < limit, offset < candidates.count {
            let chunk = Array(candidates[offset..<min(candidates.count, offset + limit * 3)])
            offset += chunk.count
            let readable = try await Readable(domain: domain, identity: caller.identity, candidates: chunk)
            for (kind, id, score) in chunk where hits.count < limit {
                if let hit = readable.hit(kind, id, score: score) { hits.append(hit) }
            }
        }
        return KnowledgeSearchResults(query: text, results: hits)
    }

    /// Changes whenever a searchable row does. Asked of the database only after a write (kept per write generation).
    func generation() async throws -> String {
        try await domain.knowledgeGenerations.value(for: "all") { try await contentGeneration() }
    }

    func contentGeneration() async throws -> String {
        try await domain.state.read { connection in
            try connection.scalar(String.self, """
                SELECT concat_ws('|',
                    (SELECT count(*) || '/' || coalesce(epoch_us(max(updated_at)), 0) FROM knowledge_items),
                    (SELECT count(*) || '/' || coalesce(epoch_us(max(updated_at)), 0) FROM metric_definitions),
                    (SELECT count(*) || '/' || coalesce(epoch_us(max(updated_at)), 0) FROM glossary_terms),
                    (SELECT count(*) || '/' || coalesce(epoch_us(max(updated_at)), 0) FROM semantic_models),
                    (SELECT count(*) || '/' || coalesce(epoch_us(max(updated_at)), 0) FROM table_registry),
                    (SELECT count(*) || '/' || coalesce(epoch_us(max(updated_at)), 0) FROM column_metadata))
                """) ?? ""
        }
    }

    /// Every searchable thing, keyed `<kind>:<id>`.
    func documents() async throws -> [FullTextDocument] {
        var documents: [FullTextDocument] = []
        for item in try await KnowledgeRepository(store: domain.state).searchable() {
            documents.append(FullTextDocument(key: "memory:\(item.id)", title: item.title, body: "\(item.content) \(item.tags)"))
        }
        for metric in try await MetricsRepository(store: domain.state).list() {
            documents.append(FullTextDocument(key: "metric:\(metric.id)", title: "\(metric.displayName ?? metric.name) \(metric.name)", body: [
                metric.description ?? "", metric.synonyms.joined(separator: " "), metric.notes.joined(separator: " "), metric.expression ?? "",
                metric.tables.joined(separator: " "), metric.category,
            ].joined(separator: " ")))
        }
        let semantic = SemanticRepository(store: domain.state)
        for term in try await semantic.terms() {
            documents.append(FullTextDocument(key: "glossary:\(term.id)", title: "\(term.term) \(term.synonyms.joined(separator: " "))",
                                              body: "\(term.definition) \(term.seeAlso.joined(separator: " "))"))
        }
        for model in try await semantic.models() {
            documents.append(FullTextDocument(key: "semantic_model:\(model.id)", title: "\(model.title) \(model.id)",
                                              body: "\(model.description ?? "") \(model.tables.joined(separator: " ")) \(model.metrics.joined(separator: " "))"))
        }
        for table in try await domain.catalogSnapshot().tables {
            documents.append(FullTextDocument(key: "table:\(table.id)", title: "\(table.name) \(table.id)",
                                              body: "\(table.description ?? "") \(table.folder ?? "")"))
        }
        for note in try await ProfilesRepository(store: domain.state).allColumnNotes() {
            documents.append(FullTextDocument(key: "column:\(note.tableId).\(note.columnName)", title: "\(note.columnName) \(note.tableId)",
                                              body: note.description ?? ""))
        }
        return documents
    }

    /// What the caller may read among the candidates, read once per search.
    struct Readable {
        let tables: [String: RegisteredTable]
        let mayRead: @Sendable (String, String?) -> Bool
        let memory: [String: KnowledgeItem]
        let metrics: [String: MetricDefinition]
        let glossary: [String: GlossaryTerm]
        let models: [String: SemanticModel]
        let columns: [String: ColumnNote]

        init(domain: Domain, identity: Identity, candidates: [(KnowledgeKind, String, Double)]) async throws {
            func ids(_ kind: KnowledgeKind) -> [String] { candidates.filter { $0.0 == kind }.map(\.1) }
            tables = Dictionary(try await domain.catalogSnapshot().tables.map { ($0.id, $0) }) { first, _ in first }
            mayRead = try await domain.access.tableReader(for: identity)
            // The kinds are read at once, each with one query by id.
            let memoryIds = ids(.memory), metricIds = ids(.metric), termIds = ids(.glossary), wantsModels = !ids(.semanticModel).isEmpty
            // A column's key is `table.column`; table ids hold no dot.
            let columnTables = Array(Set(ids(.column).compactMap { $0.split(separator: ".", maxSplits: 1).first.map(String.init) }))
            async let memory = memoryIds.isEmpty ? [] : KnowledgeRepository(store: domain.state).visible(
                ids: memoryIds, viewer: try await domain.memory.viewer(identity))
            async let metrics = metricIds.isEmpty ? [] : domain.metrics.readable(try await MetricsRepository(store: domain.state).list(ids: metricIds),
                                                                                 for: identity)
            async let glossary = termIds.isEmpty ? [] : SemanticRepository(store: domain.state).terms(ids: termIds)
            async let models = wantsModels ? domain.semantic.readableModels(for: identity) : []
            async let columns = columnTables.isEmpty ? [] : ProfilesRepository(store: domain.state).columnNotes(tableIds: columnTables)
            self.memory = Dictionary(try await memory.map { ($0.id, $0) }) { first, _ in first }
            self.metrics = Dictionary(try await metrics.map { ($0.id, $0) }) { first, _ in first }
            self.glossary = Dictionary(try await glossary.map { ($0.id, $0) }) { first, _ in first }
            self.models = Dictionary(try await models.map { ($0.id, $0) }) { first, _ in first }
            self.columns = Dictionary(try await columns.map { ("\($0.tableId).\($0.columnName)", $0) }) { first, _ in first }
        }

        func readsTable(_ id: String) -> Bool { tables[id].map { mayRead(id, $0.folder) } ?? false }

        static func snippet(_ text: String?) -> String {
            let flat = (text ?? "").split(whereSeparator: \.isNewline).joined(separator: " ")
            return flat.count > 200 ? String(flat.prefix(197)) + "…" : flat
        }

        func hit(_ kind: KnowledgeKind, _ id: String, score: Double) -> KnowledgeHit? {
            let rounded = (score * 1000).rounded() / 1000
            switch kind {
            case .memory:
                guard let item = memory[id] else { return nil }
                return KnowledgeHit(type: kind, id: id, title: item.title, snippet: Self.snippet(item.content), score: rounded, readMore: "/api/memory/\(id)")
            case .metric:
                guard let metric = metrics[id] else { return nil }
                return KnowledgeHit(type: kind, id: id, title: metric.displayName ?? metric.name, snippet: Self.snippet(metric.description), score: rounded,
                                    readMore: "/api/metrics/\(id)")
            case .glossary:
                guard let term = glossary[id] else { return nil }
                return KnowledgeHit(type: kind, id: id, title: term.term, snippet: Self.snippet(term.definition), score: rounded, readMore: "/api/glossary/\(id)")
            case .semanticModel:
                guard let model = models[id] else { return nil }
                return KnowledgeHit(type: kind, id: id, title: model.title, snippet: Self.snippet(model.description), score: rounded,
                                    readMore: "/api/semantic-models/\(id).yaml")
            case .table:
                guard readsTable(id), let table = tables[id] else { return nil }
                return KnowledgeHit(type: kind, id: id, title: table.name, snippet: Self.snippet(table.description), score: rounded,
                                    readMore: "agnes describe \(id)")
            case .column:
                guard let note = columns[id], readsTable(note.tableId) else { return nil }
                return KnowledgeHit(type: kind, id: id, title: "\(note.tableId).\(note.columnName)", snippet: Self.snippet(note.description), score: rounded,
                                    readMore: "agnes schema \(note.tableId)")
            }
        }
    }
}
