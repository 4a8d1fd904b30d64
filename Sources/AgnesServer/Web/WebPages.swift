// The web UI (SPEC §10): server-rendered pages over the same repositories and checks as the API. Every page needs a
// signed-in browser and applies the caller's RBAC; every form carries the session's CSRF token and every POST is
// checked against it; answers to forms are 303 redirects with a message, so a reload never repeats an action.
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct WebPages {
    let services: ServerServices
    let renderer: WebRenderer

    func register(on router: Router<AgnesRequestContext>) {
        router.get("/static/agnes.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: WebStylesheet.css)))
        }
        router.get("/login") { request, context in try await loginPage(request, context) }
        let pages = router.group().add(middleware: WebAuthenticationMiddleware(authenticator: Authenticator(services: services)))
        pages.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/catalog"]) }
        pages.post("/logout") { request, context in try await logout(request, context) }
        registerCatalog(on: pages)
        registerMemory(on: pages)
        registerMetrics(on: pages)
        registerAdmin(on: pages)
        registerTokens(on: pages)
    }

    // MARK: - Shared

    /// The chrome of a page: who is signed in, the CSRF token, the message of the last action.
    func chrome(_ request: Request, _ context: AgnesRequestContext, section: String) async throws -> WebRenderer.Chrome {
        let identity = try context.requireIdentity()
        let csrf = request.sessionToken.map { CSRFToken.make(sessionToken: $0, secret: services.configuration.sessionSecret) }
        let parameters = request.uri.queryParameters
        var reviewer = identity.isAdmin
        if !reviewer { reviewer = try await services.grants(ofUser: identity.user.id).grants.contains { $0.resourceType == .knowledgeCategory } }
        return WebRenderer.Chrome(identity: identity, csrf: csrf, section: section, notice: parameters.get("notice"), error: parameters.get("error"),
                                  isReviewer: reviewer)
    }

    /// The fields of a posted form, after checking its CSRF token (403 otherwise).
    func form(_ request: Request, _ context: AgnesRequestContext) async throws -> [String: String] {
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

    /// Runs a form action; an `ServiceError` it throws comes back to `path` as the page's error message.
    func act(back path: String, _ body: () async throws -> String) async throws -> Response {
        do {
            return Self.redirect(path, notice: try await body())
        } catch let error as ServiceError {
            return Self.redirect(path, error: error.detail)
        }
    }

    /// `2026-11-30 06:17 UTC` (formatted by hand: pages show up to thousands of times, and formatters are slow to make).
    static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
    }

    /// `1,234,567`.
    static func count(_ value: Int64?) -> String {
        guard let value else { return "—" }
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    static func bytes(_ value: Int64?) -> String {
        guard let value else { return "—" }
        let units = ["B", "KB", "MB", "GB", "TB"]
        var size = Double(value)
        var unit = 0
        while size >= 1024, unit < units.count - 1 {
            size /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", size, units[unit])
    }

    // MARK: - Signing in and out

    func loginPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let parameters = request.uri.queryParameters
        let errors = ["invalid": "Wrong email or password.", "deactivated": "This account is deactivated."]
        let chrome = WebRenderer.Chrome(identity: nil, csrf: nil, section: "login", notice: parameters.get("notice"),
                                        error: parameters.get("error").map { errors[$0] ?? $0 })
        return renderer.page("login", title: "Sign in", values: ["next": RedirectTarget.safe(parameters.get("next"))], chrome: chrome)
    }

    func logout(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        _ = try await form(request, context)
        context.audit.record("auth.logout")
        return Response(status: .seeOther, headers: [.location: "/login?notice=Signed%20out.",
                                                     .setCookie: "access_token=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"])
    }
}
