// The workspace `CLAUDE.md` for `agnes init`: rendered for the caller from the template (`{"content": …}`, as
// upstream); administrators read, replace and reset the template.
import AgnesAPI
import AgnesState
import Foundation

/// The use cases of the workspace template.
public struct WorkspaceService: Sendable {
    let domain: Domain

    var templates: TemplatesRepository { TemplatesRepository(store: domain.state) }

    /// The workspace `CLAUDE.md` for the caller: the tables they may read and the metrics. `serverURL` (an http(s) URL
    /// without credentials, query or fragment) names the server in it; anything else is ignored for the configured URL.
    public func welcome(serverURL requested: String?, for caller: Caller) async throws -> TextContent {
        let serverURL = requested.flatMap(Self.plainURL) ?? domain.settings.serverURL
        let stored = try await templates.get(key: WorkspaceTemplate.key)
        let template: WorkspaceTemplate
        do { template = try WorkspaceTemplate(stored?.content ?? WorkspaceTemplate.defaultText) } catch {
            // A stored template was validated when saved; should it still not parse, fall back rather than fail `init`.
            domain.logger.error("the stored workspace template does not parse; using the built-in one", metadata: ["error": "\(error)"])
            template = try WorkspaceTemplate(WorkspaceTemplate.defaultText)
        }
        let tables = try await domain.access.readableTables(for: caller.identity)
        let metrics = try await domain.metrics.readable(try await MetricsRepository(store: domain.state).list(), for: caller.identity)
        let host = URL(string: serverURL)?.host ?? serverURL
        return TextContent(content: template.render(.init(instanceName: "Agnes (\(host))", serverURL: serverURL, user: caller.identity.user,
                                                          tables: tables, metrics: metrics, now: Date())))
    }

    /// An http(s) URL without credentials, query or fragment; nil for anything else.
    static func plainURL(_ text: String) -> String? {
        guard let components = URLComponents(string: text), ["http", "https"].contains(components.scheme ?? ""),
              components.host?.isEmpty == false, components.user == nil, components.password == nil,
              components.query == nil, components.fragment == nil else { return nil }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// The template in use (admins).
    public func template(for caller: Caller) async throws -> WelcomeTemplate {
        try caller.requireAdmin()
        let stored = try await templates.get(key: WorkspaceTemplate.key)
        return WelcomeTemplate(key: WorkspaceTemplate.key, content: stored?.content ?? WorkspaceTemplate.defaultText, isDefault: stored == nil,
                               updatedAt: stored?.updatedAt, updatedBy: stored?.updatedBy)
    }

    /// Replaces the template; it must parse (400 with the parser's message otherwise).
    public func replaceTemplate(_ request: TextContent, for caller: Caller) async throws -> WelcomeTemplate {
        try caller.requireAdmin()
        caller.audit.record("welcome_template.update", resource: "template:\(WorkspaceTemplate.key)", params: ["bytes": String(request.content.utf8.count)])
        guard !request.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ServiceError(.unprocessableContent, "The template is empty")
        }
        do { _ = try WorkspaceTemplate(request.content) } catch {
            throw ServiceError.badRequest("The template does not parse: \(error)")
        }
        try await templates.set(key: WorkspaceTemplate.key, content: request.content, by: caller.identity.user.id)
        return try await template(for: caller)
    }

    /// Goes back to the built-in template.
    public func resetTemplate(for caller: Caller) async throws -> WelcomeTemplate {
        try caller.requireAdmin()
        caller.audit.record("welcome_template.reset", resource: "template:\(WorkspaceTemplate.key)")
        try await templates.reset(key: WorkspaceTemplate.key)
        return try await template(for: caller)
    }
}
