// Data sources (admin): connector instances with a type, a JSON configuration and the names of the environment
// variables that hold their secrets (never the secrets).
import AgnesAPI
import AgnesData
import AgnesDomain
import AgnesState
import DuckDB
import Foundation
import HTTPTypes
import Hummingbird
import NIOPosix

struct SourceRoutes {
    let services: ServerServices

    struct SourceRequest: Decodable {
        var name: String?
        var type: String
        var config: JSONObject
        var secretEnv: [String]?

        enum CodingKeys: String, CodingKey {
            case name, type, config
            case secretEnv = "secret_env"
        }
    }

    /// Any JSON object, kept as its text.
    struct JSONObject: Decodable {
        let text: String
        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer().decode(JSONValue.self)
            guard case .object = value else {
                throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: decoder.codingPath, debugDescription: "config must be an object"))
            }
            text = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        }
    }

    struct SourceResponse: ResponseEncodable {
        var source: DataSource
        enum CodingKeys: String, CodingKey {
            case name, type, config
            case secretEnv = "secret_env"
            case createdAt = "created_at"
            case updatedAt = "updated_at"
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(source.name, forKey: .name)
            try container.encode(source.type, forKey: .type)
            try container.encode(try JSONDecoder().decode(JSONValue.self, from: Data(source.config.utf8)), forKey: .config)
            try container.encode(source.secretEnv, forKey: .secretEnv)
            try container.encode(source.createdAt, forKey: .createdAt)
            try container.encode(source.updatedAt, forKey: .updatedAt)
        }
    }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/sources") { _, context -> [SourceResponse] in
            try context.requireIdentity().requireAdmin()
            return try await DataSourcesRepository(store: services.state).list().map(SourceResponse.init)
        }
        router.post("/api/admin/sources") { request, context in try await save(request, context, name: nil) }
        router.put("/api/admin/sources/{name}") { request, context in
            try await save(request, context, name: try context.pathParameter("name"))
        }
        router.post("/api/admin/sources/{name}/test") { _, context in try await test(context) }
        router.delete("/api/admin/sources/{name}") { _, context -> HTTPResponse.Status in
            try context.requireIdentity().requireAdmin()
            let name = try context.pathParameter("name")
            context.audit.record("source.delete", resource: "source:\(name)")
            do { try await DataSourcesRepository(store: services.state).delete(name: name) } catch StateError.notFound {
                throw ServiceError.notFound("Data source not found")
            }
            return .noContent
        }
    }

    func save(_ request: Request, _ context: AgnesRequestContext, name pathName: String?) async throws -> EditedResponse<SourceResponse> {
        try context.requireIdentity().requireAdmin()
        let body = try await request.decodeJSON(SourceRequest.self, context: context)
        guard let name = pathName ?? body.name else { throw ServiceError(.unprocessableContent, "Data source name is required") }
        context.audit.record(pathName == nil ? "source.create" : "source.update", resource: "source:\(name)", params: ["type": body.type])
        guard ExtractLayout.isValidSourceName(name) else {
            throw ServiceError.badRequest("Data source name '\(name)' must start with a letter or _ and contain only letters, digits and _")
        }
        let secretEnv = body.secretEnv ?? []
        if let bad = secretEnv.first(where: { !Self.isEnvironmentName($0) }) {
            throw ServiceError.badRequest("secret_env holds names of environment variables; '\(bad)' is not one")
        }
        let repository = DataSourcesRepository(store: services.state)
        let exists = try await repository.get(name: name) != nil
        if pathName == nil, exists { throw ServiceError.conflict("Data source '\(name)' already exists") }
        if pathName != nil, !exists { throw ServiceError.notFound("Data source not found") }
        do { _ = try Connectors.make(DataSource(name: name, type: body.type, config: body.config.text, secretEnv: secretEnv)) } catch let error as ConnectorError {
            throw ServiceError.badRequest(error.description)
        }
        let source = try await repository.upsert(name: name, type: body.type, config: body.config.text, secretEnv: secretEnv)
        return EditedResponse(status: exists ? .ok : .created, response: SourceResponse(source: source))
    }

    /// `POST /api/admin/sources/{name}/test`: reads the source as a sync would (without writing anything) and says what
    /// it found: `{"ok": true, "message"}`, or `{"ok": false, "error"}`. Hosts must pass the SSRF policy (400 otherwise).
    func test(_ context: AgnesRequestContext) async throws -> Response {
        try context.requireIdentity().requireAdmin()
        let name = try context.pathParameter("name")
        context.audit.record("source.test", resource: "source:\(name)")
        guard let source = try await DataSourcesRepository(store: services.state).get(name: name) else { throw ServiceError.notFound("Data source not found") }
        let policy = NetworkPolicy(allowPrivateHosts: services.configuration.allowPrivateSourceHosts)
        struct Answer: Encodable { let ok: Bool; let message: String?; let error: String? }
        let answer: Answer
        do {
            let connector = try Connectors.make(source)
            let message = try await NIOThreadPool.singleton.runIfActive {
                let database = try Database()
                defer { database.close() }
                let connection = try database.connect()
                defer { connection.close() }
                return try connector.test(on: connection, policy: policy)
            }
            answer = Answer(ok: true, message: message, error: nil)
        } catch let error as ConnectorError where error.description.contains("internal address") || error.description.contains("does not resolve") {
            throw ServiceError.badRequest(error.description)
        } catch let error as ConnectorError {
            answer = Answer(ok: false, message: nil, error: error.description)
        } catch let error as DuckDBError {
            answer = Answer(ok: false, message: nil, error: error.message)
        }
        context.audit.record("source.test", params: ["ok": String(answer.ok)])
        return try JSONCoding.encoder.encode(answer).response(status: .ok)
    }

    static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("A"..."Z").contains(first), name.count <= 64 else { return false }
        return name.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
