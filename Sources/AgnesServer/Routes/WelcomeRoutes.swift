// The workspace `CLAUDE.md` for `agnes init`: `GET /api/welcome?server_url=` renders the template for the caller
// (`{"content": …}`, as upstream); admins read, replace and reset the template at `/api/admin/welcome-template`.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation
import Hummingbird
import Mustache

struct WelcomeRoutes {
    let services: ServerServices

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/welcome") { request, context in try await welcome(request, context) }
        router.get("/api/admin/welcome-template") { _, context in try await showTemplate(context) }
        router.put("/api/admin/welcome-template") { request, context in try await replaceTemplate(request, context) }
        router.delete("/api/admin/welcome-template") { _, context in try await resetTemplate(context) }
    }

    var templates: TemplatesRepository { TemplatesRepository(store: services.state) }

    func welcome(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let serverURL = request.uri.queryParameters.get("server_url").flatMap(Self.plainURL) ?? services.configuration.serverURL
        let stored = try await templates.get(key: WorkspaceTemplate.key)
        let template: WorkspaceTemplate
        do { template = try WorkspaceTemplate(stored?.content ?? WorkspaceTemplate.defaultText) } catch {
            // A stored template was validated when saved; should it still not parse, fall back rather than fail `init`.
            services.logger.error("the stored workspace template does not parse; using the built-in one", metadata: ["error": "\(error)"])
            template = try WorkspaceTemplate(WorkspaceTemplate.defaultText)
        }
        let tables = try await services.domain.access.readableTables(for: identity)
        let metrics = try await MetricsRepository(store: services.state).list()
        let host = URL(string: serverURL)?.host ?? serverURL
        let content = template.render(.init(instanceName: "Agnes (\(host))", serverURL: serverURL, user: identity.user,
                                            tables: tables, metrics: metrics, now: Date()))
        struct Answer: Encodable { let content: String }
        return try JSONCoding.encoder.encode(Answer(content: content)).response(status: .ok)
    }

    /// An http(s) URL without credentials, query or fragment; anything else is ignored (the configured URL is used).
    static func plainURL(_ text: String) -> String? {
        guard let components = URLComponents(string: text), ["http", "https"].contains(components.scheme ?? ""),
              components.host?.isEmpty == false, components.user == nil, components.password == nil,
              components.query == nil, components.fragment == nil else { return nil }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    struct TemplateAnswer: Encodable {
        let key: String
        let content: String
        let isDefault: Bool
        let updatedAt: Date?
        let updatedBy: String?
        enum CodingKeys: String, CodingKey {
            case key, content
            case isDefault = "is_default"
            case updatedAt = "updated_at"
            case updatedBy = "updated_by"
        }
    }

    func showTemplate(_ context: AgnesRequestContext) async throws -> Response {
        try context.requireIdentity().requireAdmin()
        let stored = try await templates.get(key: WorkspaceTemplate.key)
        let answer = TemplateAnswer(key: WorkspaceTemplate.key, content: stored?.content ?? WorkspaceTemplate.defaultText,
                                    isDefault: stored == nil, updatedAt: stored?.updatedAt, updatedBy: stored?.updatedBy)
        return try JSONCoding.encoder.encode(answer).response(status: .ok)
    }

    /// `PUT {"content": …}`: the template must parse (400 with the parser's message otherwise).
    func replaceTemplate(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        try identity.requireAdmin()
        struct Body: Decodable { let content: String }
        let body = try await request.decodeJSON(Body.self, context: context)
        context.audit.record("welcome_template.update", resource: "template:\(WorkspaceTemplate.key)", params: ["bytes": String(body.content.utf8.count)])
        guard !body.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ServiceError(.unprocessableContent, "The template is empty")
        }
        do { _ = try WorkspaceTemplate(body.content) } catch {
            throw ServiceError.badRequest("The template does not parse: \(error)")
        }
        try await templates.set(key: WorkspaceTemplate.key, content: body.content, by: identity.user.id)
        return try await showTemplate(context)
    }

    func resetTemplate(_ context: AgnesRequestContext) async throws -> Response {
        try context.requireIdentity().requireAdmin()
        context.audit.record("welcome_template.reset", resource: "template:\(WorkspaceTemplate.key)")
        try await templates.reset(key: WorkspaceTemplate.key)
        return try await showTemplate(context)
    }
}
