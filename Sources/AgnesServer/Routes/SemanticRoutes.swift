// The semantic layer and the knowledge search over `SemanticLayer` and `KnowledgeSearch`: the glossary
// (`/api/glossary`, upstream's read paths; `/api/admin/glossary` to write), semantic models
// (`/api/admin/semantic-models`, `/api/semantic-models/…`), `/api/knowledge/search`, and column descriptions.
import AgnesAPI
import AgnesDomain
import Foundation
import HTTPTypes
import Hummingbird

struct SemanticRoutes {
    let services: ServerServices
    var semantic: SemanticLayer { services.domain.semantic }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/glossary") { request, context in
            try await semantic.glossary(limit: try Self.integer(request, "limit", default: 500), for: try context.caller())
        }
        router.get("/api/glossary/search") { request, context in
            try await semantic.searchGlossary(request.uri.queryParameters.get("q") ?? "", limit: try Self.integer(request, "limit", default: 20),
                                              for: try context.caller())
        }
        router.get("/api/glossary/{id}") { _, context in try await semantic.term(try context.pathParameter("id"), for: try context.caller()) }
        router.post("/api/admin/glossary") { request, context in
            try await semantic.saveTerm(try await request.decodeJSON(GlossaryTermRequest.self, context: context), for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.post("/api/admin/glossary/import") { request, context in
            try await semantic.importGlossary(try await request.decodeJSON(GlossaryImportRequest.self, context: context), for: try context.caller())
        }
        router.delete("/api/admin/glossary/{id}") { _, context -> HTTPResponse.Status in
            try await semantic.deleteTerm(try context.pathParameter("id"), for: try context.caller())
            return .noContent
        }

        router.get("/api/admin/semantic-models") { _, context in try await semantic.allModels(for: try context.caller()) }
        router.post("/api/admin/semantic-models") { request, context in
            try await semantic.saveModel(try await request.decodeJSON(SemanticModelRequest.self, context: context), replacing: nil, for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.get("/api/admin/semantic-models/{id}") { _, context in
            try await semantic.adminModel(try context.pathParameter("id"), for: try context.caller())
        }
        router.put("/api/admin/semantic-models/{id}") { request, context in
            try await semantic.saveModel(try await request.decodeJSON(SemanticModelRequest.self, context: context), replacing: try context.pathParameter("id"),
                                         for: try context.caller())
        }
        router.delete("/api/admin/semantic-models/{id}") { _, context -> HTTPResponse.Status in
            try await semantic.deleteModel(try context.pathParameter("id"), for: try context.caller())
            return .noContent
        }
        router.get("/api/semantic-models") { _, context in try await semantic.models(for: try context.caller()) }
        router.get("/api/semantic-models/search") { request, context in
            try await semantic.searchModels(request.uri.queryParameters.get("q") ?? "", limit: try Self.integer(request, "limit", default: 20),
                                            for: try context.caller())
        }
        router.get("/api/semantic-models/{file}") { _, context -> Response in
            let file = try context.pathParameter("file")
            guard file.hasSuffix(".yaml") else { throw ServiceError.notFound("Semantic models are read as /api/semantic-models/<slug>.yaml") }
            let document = try await semantic.document(String(file.dropLast(5)), for: try context.caller())
            return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        router.post("/api/semantic-models/validate-query") { request, context in
            try await semantic.validate(try await request.decodeJSON(ValidateQueryRequest.self, context: context), for: try context.caller())
        }

        router.get("/api/knowledge/search") { request, context in
            let parameters = request.uri.queryParameters
            let types = try parameters.get("types").map { text in
                try Set(text.split(separator: ",").map { name in
                    guard let kind = KnowledgeKind(rawValue: String(name)) else {
                        throw ServiceError.badRequest("Unknown type '\(name)'. Known types: \(KnowledgeKind.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return kind
                })
            }
            return try await services.domain.knowledge.search(parameters.get("q") ?? parameters.get("query") ?? "", types: types,
                                                              limit: try Self.integer(request, "limit", default: 10), for: try context.caller())
        }
        router.put("/api/admin/registry/{id}/columns/{column}") { request, context in
            try await services.domain.registry.describeColumn(try context.pathParameter("id"), column: try context.pathParameter("column"),
                                                              try await request.decodeJSON(ColumnDescriptionRequest.self, context: context), for: try context.caller())
        }
    }

    static func integer(_ request: Request, _ name: String, default fallback: Int) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return fallback }
        guard let value = Int(text) else {
            throw ServiceError.unprocessable([FieldError(type: "int_parsing", loc: ["query", name], msg: "\(name) must be a whole number")])
        }
        return value
    }
}
