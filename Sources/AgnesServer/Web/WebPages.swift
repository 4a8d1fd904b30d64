// The web UI's routes: each page of `WebUI` (AgnesWeb) at its path, behind the browser-session middleware. This file
// is the HTTP side only: it hands pages the caller, the query and the session's form token, checks every form's CSRF
// token, answers a form with a 303 redirect carrying its message (so a reload never repeats an action), and turns a
// page into a response.
import AgnesAPI
import AgnesDomain
import AgnesWeb
import Foundation
import HTTPTypes
import Hummingbird

struct WebPages {
    let services: ServerServices
    let web: WebUI

    func register(on router: Router<AgnesRequestContext>) {
        router.get("/static/agnes.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: WebStylesheet.css)))
        }
        router.get("/login") { request, _ in
            let parameters = request.uri.queryParameters
            return Self.response(web.loginPage(next: RedirectTarget.safe(parameters.get("next")), notice: parameters.get("notice"),
                                               error: parameters.get("error")))
        }
        let pages = router.group().add(middleware: WebAuthenticationMiddleware(authenticator: Authenticator(services: services)))
        pages.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/catalog"]) }
        pages.post("/logout") { request, context in
            _ = try await form(request, context)
            context.audit.record("auth.logout")
            return Response(status: .seeOther, headers: [.location: "/login?notice=Signed%20out.",
                                                         .setCookie: "access_token=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"])
        }
        page(pages, "/catalog") { request, _ in try await web.catalog(request) }
        page(pages, "/tables/{id}") { request, context in try await web.table(try context.pathParameter("id"), request) }
        action(pages, adminOnly: true, "/tables/{id}/columns/{column}/describe", back: { "/tables/\(try $0.pathParameter("id"))" }) { fields, caller, context in
            try await web.describeColumn(try context.pathParameter("id"), column: try context.pathParameter("column"), fields, for: caller)
        }
        page(pages, "/catalog/metrics") { request, _ in try await web.metrics(request) }
        page(pages, "/catalog/metrics/{category}/{name}") { request, context in
            try await web.metric("\(try context.pathParameter("category"))/\(try context.pathParameter("name"))", request)
        }
        page(pages, "/memory") { request, _ in try await web.memory(request) }
        action(pages, "/memory", back: { _ in "/memory" }) { fields, caller, _ in try await web.propose(fields, for: caller) }
        action(pages, "/memory/{id}/vote", back: { _ in "/memory" }) { fields, caller, context in
            try await web.vote(try context.pathParameter("id"), fields, for: caller)
        }
        page(pages, "/memory/review") { request, _ in try await web.reviewQueue(request) }
        action(pages, "/memory/{id}/review", back: { _ in "/memory/review" }) { fields, caller, context in
            try await web.review(try context.pathParameter("id"), fields, for: caller)
        }
        page(pages, "/stack") { request, _ in try await web.stack(request) }
        for (name, subscribed) in [("subscribe", true), ("unsubscribe", false)] {
            action(pages, "/stack/{type}/{id}/\(name)", back: { _ in "/stack" }) { _, caller, context in
                try await web.setSubscribed(try context.pathParameter("type"), try context.pathParameter("id"), subscribed, for: caller)
            }
        }
        page(pages, "/tokens") { request, _ in try await web.tokensPage(request) }
        pages.post("/tokens") { request, context in
            let fields = try await form(request, context)
            do {
                return Self.response(try await web.createToken(fields, try await pageRequest(request, context)))
            } catch let error as ServiceError {
                return Self.redirect("/tokens", error: error.detail)
            }
        }
        action(pages, "/tokens/{id}/revoke", back: { _ in "/tokens" }) { _, caller, context in
            try await web.revokeToken(try context.pathParameter("id"), for: caller)
        }
        page(pages, "/api/mcp/oauth/consent") { request, _ in try await web.mcpConsent(request) }
        pages.post("/api/mcp/oauth/consent") { request, context in
            // A consent given from another site is refused before the form is read (its CSRF token would be too).
            if let origin = request.headers[.origin], !CrossSiteGuard.isSameOrigin(origin, request: request, serverURL: services.configuration.serverURL) {
                throw ServiceError(.forbidden, "Cross-site request refused: Origin \(origin) is not this server")
            }
            let fields = try await form(request, context)
            return Response(status: .found, headers: [.location: try web.decideMCPConsent(fields, for: try context.caller()), .cacheControl: "no-store"])
        }
        registerAdmin(on: pages)
    }

    func registerAdmin(on pages: RouterGroup<AgnesRequestContext>) {
        page(pages, "/admin") { request, _ in try await web.adminHome(request) }
        page(pages, "/admin/users") { request, _ in try await web.users(request) }
        action(pages, adminOnly: true, "/admin/users", back: { _ in "/admin/users" }) { fields, caller, _ in try await web.addUser(fields, for: caller) }
        for (name, active) in [("activate", true), ("deactivate", false)] {
            action(pages, adminOnly: true, "/admin/users/{id}/\(name)", back: { _ in "/admin/users" }) { _, caller, context in
                try await web.setUserActive(try context.pathParameter("id"), active, for: caller)
            }
        }
        page(pages, "/admin/groups") { request, _ in try await web.groups(request) }
        action(pages, adminOnly: true, "/admin/groups", back: { _ in "/admin/groups" }) { fields, caller, _ in try await web.createGroup(fields, for: caller) }
        page(pages, "/admin/groups/{gid}") { request, context in try await web.group(try context.pathParameter("gid"), request) }
        let groupPage: @Sendable (AgnesRequestContext) throws -> String = { "/admin/groups/\(try $0.pathParameter("gid"))" }
        action(pages, adminOnly: true, "/admin/groups/{gid}/members", back: groupPage) { fields, caller, context in
            try await web.addMember(to: try context.pathParameter("gid"), fields, for: caller)
        }
        action(pages, adminOnly: true, "/admin/groups/{gid}/members/{uid}/remove", back: groupPage) { _, caller, context in
            try await web.removeMember(try context.pathParameter("uid"), from: try context.pathParameter("gid"), for: caller)
        }
        page(pages, "/admin/grants") { request, _ in try await web.grants(request) }
        action(pages, adminOnly: true, "/admin/grants", back: { _ in "/admin/grants" }) { fields, caller, _ in try await web.grant(fields, for: caller) }
        action(pages, adminOnly: true, "/admin/grants/{id}/delete", back: { _ in "/admin/grants" }) { _, caller, context in
            try await web.revokeGrant(try context.pathParameter("id"), for: caller)
        }
        page(pages, "/admin/tables") { request, _ in try await web.registry(request) }
        action(pages, adminOnly: true, "/admin/tables", back: { _ in "/admin/tables" }) { fields, caller, _ in try await web.registerTable(fields, for: caller) }
        page(pages, "/admin/tables/{id}") { request, context in try await web.tableEditor(try context.pathParameter("id"), request) }
        action(pages, adminOnly: true, "/admin/tables/{id}", back: { _ in "/admin/tables" }) { fields, caller, context in
            try await web.updateTable(try context.pathParameter("id"), fields, for: caller)
        }
        action(pages, adminOnly: true, "/admin/tables/{id}/unregister", back: { _ in "/admin/tables" }) { _, caller, context in
            try await web.unregisterTable(try context.pathParameter("id"), for: caller)
        }
        page(pages, "/admin/sources") { request, _ in try await web.sources(request) }
        action(pages, adminOnly: true, "/admin/sources", back: { _ in "/admin/sources" }) { fields, caller, _ in
            try await web.saveSource(fields, name: nil, for: caller)
        }
        page(pages, "/admin/sources/{name}") { request, context in try await web.sourceEditor(try context.pathParameter("name"), request) }
        action(pages, adminOnly: true, "/admin/sources/{name}", back: { _ in "/admin/sources" }) { fields, caller, context in
            try await web.saveSource(fields, name: try context.pathParameter("name"), for: caller)
        }
        action(pages, adminOnly: true, "/admin/sources/{name}/test", back: { _ in "/admin/sources" }) { _, caller, context in
            try await web.testSource(try context.pathParameter("name"), for: caller)
        }
        page(pages, "/admin/sync") { request, _ in try await web.syncPage(request) }
        action(pages, adminOnly: true, "/admin/sync", back: { _ in "/admin/sync" }) { fields, caller, _ in try await web.sync(fields, for: caller) }
        page(pages, "/admin/audit") { request, _ in try await web.audit(request) }
        page(pages, "/admin/mcp") { request, _ in try await web.mcpClients(request) }
        page(pages, "/admin/usage") { request, _ in try await web.usage(request) }
        action(pages, adminOnly: true, "/admin/mcp/{id}/revoke", back: { _ in "/admin/mcp" }) { _, caller, context in
            try await web.revokeMCPClient(try context.pathParameter("id"), for: caller)
        }
    }

    // MARK: - The HTTP side of pages and forms

    /// `GET path`: the page `render` makes for the request.
    private func page(_ pages: RouterGroup<AgnesRequestContext>, _ path: RouterPath,
                      _ render: @escaping @Sendable (PageRequest, AgnesRequestContext) async throws -> WebAnswer) {
        pages.get(path) { request, context in Self.response(try await render(try await pageRequest(request, context), context)) }
    }

    /// `POST path`: a form whose CSRF token must match; `perform` returns the message shown on the page `back` names
    /// (a `ServiceError` comes back there as the error message). An `adminOnly` form is 403 for anyone else.
    private func action(_ pages: RouterGroup<AgnesRequestContext>, adminOnly: Bool = false, _ path: RouterPath,
                        back: @escaping @Sendable (AgnesRequestContext) throws -> String,
                        _ perform: @escaping @Sendable ([String: String], Caller, AgnesRequestContext) async throws -> String) {
        pages.post(path) { request, context in
            if adminOnly { try context.requireIdentity().requireAdmin() }
            let fields = try await form(request, context)
            let target = try back(context)
            do {
                return Self.redirect(target, notice: try await perform(fields, try context.caller(), context))
            } catch let error as ServiceError {
                return Self.redirect(target, error: error.detail)
            }
        }
    }

    /// What a page needs from the request: the caller, the query, the session's form token.
    private func pageRequest(_ request: Request, _ context: AgnesRequestContext) async throws -> PageRequest {
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
        let csrf = request.sessionToken.map { CSRFToken.make(sessionToken: $0, secret: services.configuration.sessionSecret) }
        return PageRequest(caller: try context.caller(), query: query, csrf: csrf)
    }

    /// The fields of a posted form, after checking its CSRF token (403 otherwise).
    private func form(_ request: Request, _ context: AgnesRequestContext) async throws -> [String: String] {
        let fields = try await request.formFields(context: context)
        guard let session = request.sessionToken,
              CSRFToken.isValid(fields["csrf"], sessionToken: session, secret: services.configuration.sessionSecret) else {
            throw ServiceError(.forbidden, "The form has expired or did not come from this site; reload the page and try again")
        }
        return fields
    }

    /// 303 to `path` with a message for the next page.
    static func redirect(_ path: String, notice: String? = nil, error: String? = nil) -> Response {
        var target = path
        for (name, value) in [("notice", notice), ("error", error)] {
            guard let value else { continue }
            target += (target.contains("?") ? "&" : "?") + name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        return Response(status: .seeOther, headers: [.location: target])
    }

    /// A page's answer as a response.
    static func response(_ answer: WebAnswer) -> Response {
        switch answer {
        case let .redirect(target): return Response(status: .seeOther, headers: [.location: target])
        case let .page(html, status):
            return Response(status: .init(code: status), headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: html)))
        }
    }
}
