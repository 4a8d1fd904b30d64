// Signing in: `POST /auth/token` (the CLI), `POST /auth/password/login` (JSON), `POST /auth/password/login/web`
// (a browser form; sets the session cookie) and `POST /auth/bootstrap` (the first admin, only while no user has a
// password). Every attempt is rate limited per client address and audited, successful or not.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct AuthRoutes {
    let services: ServerServices

    func register(on router: Router<AgnesRequestContext>) {
        router.post("/auth/token") { request, context in try await token(request, context) }
        router.post("/auth/password/login") { request, context in try await passwordLogin(request, context) }
        router.post("/auth/password/login/web") { request, context in try await webLogin(request, context) }
        router.post("/auth/bootstrap") { request, context in try await bootstrap(request, context) }
    }

    private var login: PasswordLogin { PasswordLogin(services: services) }

    func token(_ request: Request, _ context: AgnesRequestContext) async throws -> TokenResponse {
        context.audit.record("auth.login", params: ["method": "token"])
        try await services.rateLimiter.checkSignIn(client: context.clientIP)
        let body = try await request.decodeJSON(SignInRequest.self, context: context)
        return try await services.sessionResponse(for: try await signIn(email: body.email, password: body.password ?? "", context))
    }

    func passwordLogin(_ request: Request, _ context: AgnesRequestContext) async throws -> TokenResponse {
        context.audit.record("auth.login", params: ["method": "password"])
        try await services.rateLimiter.checkSignIn(client: context.clientIP)
        let body = try await request.decodeJSON(PasswordSignInRequest.self, context: context)
        return try await services.sessionResponse(for: try await signIn(email: body.email, password: body.password, context), includeUserId: false)
    }

    /// The browser form: 302 to a same-site `next` with the session cookie, or back to the login page.
    func webLogin(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        context.audit.record("auth.login", params: ["method": "web"])
        context.audit.attribute(toUser: nil, clientKind: "web")
        try await services.rateLimiter.checkSignIn(client: context.clientIP)
        let form = try await request.formFields(context: context)
        do {
            let user = try await signIn(email: form["email"] ?? "", password: form["password"] ?? "", context)
            let token = try await services.tokens.issueSession(for: user)
            return Response(status: .found, headers: [.location: RedirectTarget.safe(form["next"]), .setCookie: services.sessionCookie(token)])
        } catch let error as ServiceError where error.status == .unauthorized {
            return Response(status: .found, headers: [.location: "/login?error=invalid"])
        }
    }

    /// Checks an email and password; every refusal is the same 401 (its reason goes to the audit trail only).
    private func signIn(email: String, password: String, _ context: AgnesRequestContext) async throws -> User {
        try await services.rateLimiter.checkSignIn(account: email)
        let outcome = try await login.check(email: email, password: password)
        context.audit.attribute(toUser: outcome.user?.id)
        switch outcome {
        case let .success(user): return user
        case let .refused(_, reason):
            context.audit.record("auth.login", params: ["failure": reason])
            throw PasswordLoginOutcome.refusal
        }
    }

    func bootstrap(_ request: Request, _ context: AgnesRequestContext) async throws -> TokenResponse {
        context.audit.record("auth.bootstrap")
        try await services.rateLimiter.check(endpoint: "/auth/bootstrap", client: context.clientIP, limit: .bootstrap)
        let closed = ServiceError(.forbidden, "Bootstrap disabled — a user with a password already exists. Use /auth/password/login.")
        guard try await !services.users.anyUserHasPassword() else { throw closed }
        let body = try await request.decodeJSON(BootstrapRequest.self, context: context)
        let password = body.password ?? ""
        if let problem = PasswordHasher.problem(with: password) { throw ServiceError.badRequest(problem) }
        let hash = try await services.passwords.hash(password)
        let name = body.name.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        guard let user = try await services.users.claimBootstrap(email: body.email, name: name, passwordHash: hash) else { throw closed }
        context.audit.attribute(toUser: user.id)
        try await services.users.recordLogin(id: user.id)
        return try await services.sessionResponse(for: user)
    }
}

extension TokenResponse: ResponseEncodable {}
