// Sign-in with Google (upstream's paths): `GET /auth/google/login` sends the browser to the provider with a fresh
// `state`, which it also keeps in a short-lived cookie bound to this path; `GET /auth/google/callback` checks both,
// lets the use case verify the provider's answer and sync the directory's groups, then signs the browser in with the
// session cookie. A refused sign-in gets a page that says what to do; the reason goes to the audit trail only.
import AgnesDomain
import Foundation
import HTTPTypes
import Hummingbird

struct GoogleSignInRoutes {
    let services: ServerServices

    /// The cookie that carries `state` from the login redirect to the callback.
    static let stateCookie = "agnes_oidc_state"

    func register(on router: Router<AgnesRequestContext>) {
        router.get("/auth/google/login") { request, context in try await login(request, context) }
        router.get("/auth/google/callback") { request, context in try await callback(request, context) }
    }

    func login(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        context.audit.record("auth.google_login")
        context.audit.attribute(toUser: nil, clientKind: "web")
        try await services.rateLimiter.checkSignIn(client: context.clientIP)
        let next = request.uri.queryParameters.get("next").flatMap { RedirectTarget.isSameSitePath($0) ? $0 : nil }
        let start = try await services.domain.openIDSignIn.begin(next: next)
        var headers: HTTPFields = [.location: start.authorizationURL, .cacheControl: "no-store"]
        headers.append(HTTPField(name: .setCookie, value: cookie(start.state, maxAge: Int(PendingSignIns.lifetime))))
        return Response(status: .found, headers: headers)
    }

    func callback(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        context.audit.record("auth.login", params: ["method": "google"])
        context.audit.attribute(toUser: nil, clientKind: "web")
        try await services.rateLimiter.checkSignIn(client: context.clientIP)
        let query = request.uri.queryParameters
        do {
            let finish = try await services.domain.openIDSignIn.complete(code: query.get("code"), state: query.get("state"),
                                                                          browserState: request.cookies[Self.stateCookie]?.value,
                                                                          providerError: query.get("error"))
            context.audit.attribute(toUser: finish.user.id, clientKind: "web")
            if let changes = finish.groupChanges, !changes.added.isEmpty || !changes.removed.isEmpty {
                context.audit.add(params: ["groups_added": changes.added.joined(separator: ","), "groups_removed": changes.removed.joined(separator: ",")])
            }
            let session = try await services.tokens.issueSession(for: finish.user)
            var headers: HTTPFields = [.location: RedirectTarget.safe(finish.next), .cacheControl: "no-store"]
            headers.append(HTTPField(name: .setCookie, value: services.sessionCookie(session)))
            headers.append(HTTPField(name: .setCookie, value: cookie("", maxAge: 0)))
            return Response(status: .found, headers: headers)
        } catch let refusal as SignInRefusal {
            context.audit.add(params: ["refused": refusal.reason])
            var response = AuthPages.page(title: "Sign in with Google", error: refusal.message, links: [("/login", "Back to sign-in")],
                                          status: .unauthorized)
            response.headers.append(HTTPField(name: .setCookie, value: cookie("", maxAge: 0)))
            return response
        }
    }

    /// The state cookie: only for this path, not readable by scripts, sent on the provider's top-level redirect back.
    private func cookie(_ value: String, maxAge: Int) -> String {
        let secure = services.configuration.serverURL.lowercased().hasPrefix("https://") ? "; Secure" : ""
        return "\(Self.stateCookie)=\(value); Path=/auth/google; Max-Age=\(maxAge); HttpOnly; SameSite=Lax\(secure)"
    }
}
