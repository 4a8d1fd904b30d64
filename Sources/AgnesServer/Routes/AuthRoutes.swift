// Signing in: `POST /auth/token` (the CLI), `POST /auth/password/login` (JSON), `POST /auth/password/login/web`
// (a browser form; sets the session cookie) and `POST /auth/bootstrap` (the first admin, only while no user has a
// password). Every attempt is rate limited per client address and audited, successful or not.
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct AuthRoutes {
    let services: ServerServices

    struct TokenRequest: Decodable {
        var email: String
        var password: String?
    }

    struct LoginRequest: Decodable {
        var email: String
        var password: String
    }

    struct BootstrapRequest: Decodable {
        var email: String
        var name: String?
        var password: String?
    }

    func register(on router: Router<AgnesRequestContext>) {
        router.post("/auth/token") { request, context in try await token(request, context) }
        router.post("/auth/password/login") { request, context in try await passwordLogin(request, context) }
        router.post("/auth/password/login/web") { request, context in try await webLogin(request, context) }
        router.post("/auth/bootstrap") { request, context in try await bootstrap(request, context) }
    }

    private var login: PasswordLogin { PasswordLogin(services: services) }

    func token(_ request: Request, _ context: AgnesRequestContext) async throws -> TokenResponse {
        context.audit.record("auth.login", params: ["method": "token"])
        try services.rateLimiter.check(endpoint: "/auth/token", client: context.clientIP, limit: .token)
        let body = try await request.decodeJSON(TokenRequest.self, context: context)
        let outcome = try await login.check(email: body.email, password: body.password ?? "")
        context.audit.attribute(toUser: outcome.user?.id)
        switch outcome {
        case let .success(user): return try await services.sessionResponse(for: user)
        case .unknownUser: throw APIError(.unauthorized, "User not found")
        case .deactivated: throw APIError(.unauthorized, "Account deactivated")
        case .emptyPassword: throw APIError(.unauthorized, "Password required")
        case .wrongPassword: throw APIError(.unauthorized, "Invalid password")
        case .noPassword:
            throw APIError(.unauthorized, "This account uses external authentication. Please log in via your configured provider.")
        }
    }

    func passwordLogin(_ request: Request, _ context: AgnesRequestContext) async throws -> TokenResponse {
        context.audit.record("auth.login", params: ["method": "password"])
        try services.rateLimiter.check(endpoint: "/auth/password/login", client: context.clientIP, limit: .passwordLogin)
        let body = try await request.decodeJSON(LoginRequest.self, context: context)
        let outcome = try await login.check(email: body.email, password: body.password)
        context.audit.attribute(toUser: outcome.user?.id)
        switch outcome {
        case let .success(user): return try await services.sessionResponse(for: user, includeUserId: false)
        case .deactivated: throw APIError(.unauthorized, "Account deactivated")
        default: throw APIError(.unauthorized, "Invalid email or password")
        }
    }

    /// The browser form: 302 to a same-site `next` with the session cookie, or back to the login page with the reason.
    func webLogin(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        context.audit.record("auth.login", params: ["method": "web"])
        try services.rateLimiter.check(endpoint: "/auth/password/login/web", client: context.clientIP, limit: .passwordLogin)
        let form = try await request.formFields(context: context)
        let outcome = try await login.check(email: form["email"] ?? "", password: form["password"] ?? "")
        context.audit.attribute(toUser: outcome.user?.id, clientKind: "web")
        switch outcome {
        case let .success(user):
            let token = try await services.tokens.issueSession(for: user)
            return Response(status: .found, headers: [.location: RedirectTarget.safe(form["next"]), .setCookie: services.sessionCookie(token)])
        case .deactivated:
            context.audit.record("auth.login", params: ["failure": "deactivated"])
            return Response(status: .found, headers: [.location: "/login?error=deactivated"])
        default:
            context.audit.record("auth.login", params: ["failure": "invalid"])
            return Response(status: .found, headers: [.location: "/login?error=invalid"])
        }
    }

    func bootstrap(_ request: Request, _ context: AgnesRequestContext) async throws -> TokenResponse {
        context.audit.record("auth.bootstrap")
        try services.rateLimiter.check(endpoint: "/auth/bootstrap", client: context.clientIP, limit: .bootstrap)
        let closed = APIError(.forbidden, "Bootstrap disabled — a user with a password already exists. Use /auth/password/login.")
        guard try await !services.users.anyUserHasPassword() else { throw closed }
        let body = try await request.decodeJSON(BootstrapRequest.self, context: context)
        let password = body.password ?? ""
        if let problem = PasswordHasher.problem(with: password) { throw APIError.badRequest(problem) }
        let hash = try await services.passwords.hash(password)
        let name = body.name.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        guard let user = try await services.users.claimBootstrap(email: body.email, name: name, passwordHash: hash) else { throw closed }
        context.audit.attribute(toUser: user.id)
        try await services.users.recordLogin(id: user.id)
        return try await services.sessionResponse(for: user)
    }
}

extension TokenResponse: ResponseEncodable {}
