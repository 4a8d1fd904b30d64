// The semantic layer, the knowledge search and column descriptions in the OpenAPI document.
import AgnesAPI

extension APIDescription {
    static var semantic: [APIOperation] {
        let error = Schema.ref("Error")
        let term = Schema.of(GlossaryTerm.self), model = Schema.of(SemanticModel.self)
        return [
            .init(method: "GET", path: "/api/glossary", summary: "Glossary terms (limit ≤ 500)", tag: "semantic", access: .user, query: ["limit"],
                  responses: [(200, "Terms", Schema.of(GlossaryList.self)), (422, "Bad limit", error)]),
            .init(method: "GET", path: "/api/glossary/search", summary: "Glossary terms matching q, best first (BM25; limit ≤ 100)", tag: "semantic",
                  access: .user, query: ["q", "limit"], responses: [(200, "Terms", Schema.of(GlossarySearch.self)), (422, "No q, or a bad limit", error)]),
            .init(method: "GET", path: "/api/glossary/{id}", summary: "One term", tag: "semantic", access: .user,
                  responses: [(200, "The term", term), (404, "Not found", error)]),
            .init(method: "POST", path: "/api/admin/glossary", summary: "Create or replace a term (by its slug)", tag: "semantic", access: .admin,
                  body: Schema.of(GlossaryTermRequest.self), responses: [(201, "The term", term), (400, "Blank term or definition", error)]),
            .init(method: "POST", path: "/api/admin/glossary/import", summary: "Import a YAML file of terms, all or nothing", tag: "semantic",
                  access: .admin, body: Schema.of(GlossaryImportRequest.self),
                  responses: [(200, "Imported", Schema.of(GlossaryImported.self)), (400, "Not a list of terms", error)]),
            .init(method: "DELETE", path: "/api/admin/glossary/{id}", summary: "Delete a term", tag: "semantic", access: .admin,
                  responses: [(204, "Deleted", nil), (404, "Not found", error)]),
            .init(method: "GET", path: "/api/admin/semantic-models", summary: "Every semantic model", tag: "semantic", access: .admin,
                  responses: [(200, "Models", Schema.of(SemanticModelList.self))]),
            .init(method: "POST", path: "/api/admin/semantic-models", summary: "Create a model from its YAML document (stored byte for byte)",
                  tag: "semantic", access: .admin, body: Schema.of(SemanticModelRequest.self),
                  responses: [(201, "The model", model), (409, "The name is taken", error), (422, "The document is not valid", error)]),
            .init(method: "GET", path: "/api/admin/semantic-models/{id}", summary: "One model with its document", tag: "semantic", access: .admin,
                  responses: [(200, "The model", model), (404, "Not found", error)]),
            .init(method: "PUT", path: "/api/admin/semantic-models/{id}", summary: "Replace a model's document", tag: "semantic", access: .admin,
                  body: Schema.of(SemanticModelRequest.self),
                  responses: [(200, "The model", model), (400, "The document names another model", error), (404, "Not found", error),
                              (422, "The document is not valid", error)]),
            .init(method: "DELETE", path: "/api/admin/semantic-models/{id}", summary: "Delete a model", tag: "semantic", access: .admin,
                  responses: [(204, "Deleted", nil), (404, "Not found", error)]),
            .init(method: "GET", path: "/api/semantic-models", summary: "The models the caller may read (every table of their datasets)",
                  tag: "semantic", access: .user, responses: [(200, "Models", Schema.of(SemanticModelList.self))]),
            .init(method: "GET", path: "/api/semantic-models/search", summary: "Readable models matching q, best first", tag: "semantic",
                  access: .user, query: ["q", "limit"], responses: [(200, "Models", Schema.of(SemanticModelList.self)), (422, "No q", error)]),
            .init(method: "GET", path: "/api/semantic-models/{file}", summary: "A model's YAML document, byte for byte (`<slug>.yaml`)",
                  tag: "semantic", access: .user, responses: [(200, "application/yaml", nil), (404, "Not found, or not readable", error)]),
            .init(method: "POST", path: "/api/semantic-models/validate-query",
                  summary: "Which datasets, metrics and relationships a statement uses and the rules it breaks", tag: "semantic", access: .user,
                  body: Schema.of(ValidateQueryRequest.self),
                  responses: [(200, "The verdict (available: false when no readable model covers it)", Schema.of(QueryValidation.self)),
                              (400, "The statement does not parse", error)]),
            .init(method: "GET", path: "/api/knowledge/search",
                  summary: "One ranked search over memory, metrics, glossary, semantic models, tables and columns the caller may read",
                  tag: "semantic", access: .user, query: ["q", "limit", "types"],
                  responses: [(200, "Hits", Schema.of(KnowledgeSearchResults.self)), (400, "An unknown type", error), (422, "No q, or a bad limit", error)]),
            .init(method: "PUT", path: "/api/admin/registry/{id}/columns/{column}", summary: "Describe a column (null or empty clears it)",
                  tag: "registry", access: .admin, body: Schema.of(ColumnDescriptionRequest.self),
                  responses: [(200, "Stored", Schema.of(ColumnDescribed.self)), (404, "Unknown table", error)]),
        ]
    }
}
