// Password setup (invitations, 7-day links) and reset (24-hour links), as JSON endpoints and as HTML form flows.
// Requests for a link always get the same answer, so they do not reveal which emails have accounts.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct PasswordRoutes {
    let services: ServerServices

    struct SetupRequest: Decodable {
        var email: String
        var token: String
        var password: String
    }

    static let linkRequestedMessage = "If this email is registered, you will receive a link to set your password."

    func register(on router: Router<AgnesRequestContext>) {
        router.post("/auth/password/setup") { request, context in try await setupJSON(request, context) }
        router.get("/auth/password/setup") { request, _ in passwordForm(request, purpose: .passwordSetup) }
        router.post("/auth/password/setup/request") { request, context in try await requestLink(request, context, purpose: .passwordSetup) }
        router.post("/auth/password/setup/confirm") { request, context in try await confirm(request, context, purpose: .passwordSetup) }
        router.get("/auth/password/reset") { request, _ in passwordForm(request, purpose: .passwordReset) }
        router.post("/auth/password/reset") { request, context in try await requestLink(request, context, purpose: .passwordReset) }
        router.post("/auth/password/reset/confirm") { request, context in try await confirm(request, context, purpose: .passwordReset) }
    }

    private var links: OneTimeLinks { services.domain.links }

    /// `POST /auth/password/setup` (JSON): sets the password with a setup token and signs the user in.
    func setupJSON(_ request: Request, _ context: AgnesRequestContext) async throws -> TokenResponse {
        context.audit.record("auth.password_setup")
        try await services.rateLimiter.checkSignIn(client: context.clientIP)
        let body = try await request.decodeJSON(SetupRequest.self, context: context)
        let (user, message) = try await setPassword(email: body.email, token: body.token, password: body.password, confirmation: nil,
                                                    purpose: .passwordSetup, context: context)
        return try await services.sessionResponse(for: user, includeUserId: false, message: message)
    }

    /// Checks the token and the new password, then stores the password: every earlier session ends, and a reset also
    /// revokes the user's personal access tokens. Returns the user as stored now and what to tell them. Throws with
    /// upstream's wording.
    private func setPassword(email: String, token: String, password: String, confirmation: String?, purpose: OneTimeTokenPurpose,
                             context: AgnesRequestContext) async throws -> (User, String) {
        try await services.rateLimiter.checkSignIn(account: email)
        guard let user = try await services.users.find(email: email) else { throw ServiceError.notFound("User not found") }
        context.audit.attribute(toUser: user.id)
        guard user.active else { throw ServiceError(.forbidden, "Account deactivated") }
        if let problem = PasswordHasher.problem(with: password) { throw ServiceError.badRequest(problem) }
        if let confirmation, confirmation != password { throw ServiceError.badRequest("Passwords do not match") }
        let kind = purpose == .passwordSetup ? "setup" : "reset"
        switch try await links.consume(purpose, secret: token, for: user) {
        case .success: break
        case .failure(.expired): throw ServiceError.badRequest("\(kind == "setup" ? "Setup" : "Reset") token has expired")
        case .failure(.invalid): throw ServiceError.badRequest("Invalid \(kind) token")
        }
        let (changed, revoked) = try await services.users.changePassword(id: user.id, hash: try await services.passwords.hash(password),
                                                                        kind: purpose == .passwordReset ? .reset : .change)
        try await services.users.recordLogin(id: user.id)
        if purpose == .passwordReset {
            context.audit.record("auth.password_reset", params: ["tokens_revoked": String(revoked)])
            return (changed, "Password reset: every other session has ended"
                        + (revoked == 0 ? "" : " and your \(revoked) personal access token\(revoked == 1 ? " was" : "s were") revoked"))
        }
        return (changed, "Password set")
    }

    /// The HTML form behind a link (`?email&token`), or, without a token, the form that asks for a link.
    func passwordForm(_ request: Request, purpose: OneTimeTokenPurpose) -> Response {
        let email = request.uri.queryParameters.get("email") ?? ""
        let title = purpose == .passwordSetup ? "Set your password" : "Reset your password"
        let base = purpose == .passwordSetup ? "/auth/password/setup" : "/auth/password/reset"
        guard let token = request.uri.queryParameters.get("token"), !token.isEmpty else {
            return AuthPages.page(title: title, message: "Enter your email and we will send you a link.", action: "\(base)\(purpose == .passwordSetup ? "/request" : "")",
                                  fields: [.init(name: "email", label: "Email", type: "email", value: email)], submit: "Send link")
        }
        return newPasswordForm(purpose: purpose, email: email, token: token)
    }

    /// The form that sets the new password, behind a link (and again, with the reason, after a failed attempt).
    func newPasswordForm(purpose: OneTimeTokenPurpose, email: String, token: String, error: ServiceError? = nil) -> Response {
        let isSetup = purpose == .passwordSetup
        return AuthPages.page(title: isSetup ? "Set your password" : "Reset your password", error: error?.detail,
                              action: "\(isSetup ? "/auth/password/setup" : "/auth/password/reset")/confirm", fields: [
                                  .init(name: "email", label: "Email", type: "hidden", value: email),
                                  .init(name: "token", label: "Token", type: "hidden", value: token),
                                  .init(name: "password", label: "New password (at least \(PasswordHasher.minimumLength) characters)", type: "password"),
                                  .init(name: "confirm_password", label: "Repeat the password", type: "password"),
                              ], submit: "Set password", status: error?.status.http ?? .ok)
    }

    /// Sends a setup or reset link when the email belongs to an active user; answers the same either way.
    func requestLink(_ request: Request, _ context: AgnesRequestContext, purpose: OneTimeTokenPurpose) async throws -> Response {
        let isSetup = purpose == .passwordSetup
        context.audit.record(isSetup ? "auth.password_setup_request" : "auth.password_reset_request")
        try await services.rateLimiter.check(endpoint: isSetup ? "/auth/password/setup/request" : "/auth/password/reset", client: context.clientIP,
                                       limit: isSetup ? .setupRequest : .passwordResetRequest)
        let fields = try await request.formFields(context: context)
        if let email = fields["email"], let user = try await services.users.find(email: email), user.active {
            context.audit.attribute(toUser: user.id)
            let link = try await links.issue(purpose, for: user)
            _ = await links.deliver(isSetup ? MailTemplates.invitation(to: user.email, link: link) : MailTemplates.passwordReset(to: user.email, link: link))
        }
        if Self.wantsJSON(request) {
            return try JSONCoding.encoder.encode(["message": Self.linkRequestedMessage]).response(status: .ok)
        }
        return AuthPages.page(title: isSetup ? "Set your password" : "Reset your password", message: Self.linkRequestedMessage)
    }

    /// Sets the password from the form behind a link; signs the browser in (cookie + 302 to /) or, for JSON, returns a token.
    func confirm(_ request: Request, _ context: AgnesRequestContext, purpose: OneTimeTokenPurpose) async throws -> Response {
        let isSetup = purpose == .passwordSetup
        context.audit.record(isSetup ? "auth.password_setup" : "auth.password_reset")
        let fields = try await request.formFields(context: context)
        do {
            try await services.rateLimiter.checkSignIn(client: context.clientIP)
            let (user, message) = try await setPassword(email: fields["email"] ?? "", token: fields["token"] ?? "", password: fields["password"] ?? "",
                                                        confirmation: fields["confirm_password"], purpose: purpose, context: context)
            if let name = fields["name"]?.trimmingCharacters(in: .whitespaces), !name.isEmpty {
                _ = try await services.users.update(id: user.id, name: name)
            }
            if Self.wantsJSON(request) {
                return try JSONCoding.encoder.encode(try await services.sessionResponse(for: user, includeUserId: false, message: message))
                    .response(status: .ok)
            }
            let token = try await services.tokens.issueSession(for: user)
            return Response(status: .found, headers: [.location: "/", .setCookie: services.sessionCookie(token)])
        } catch let error as ServiceError where !Self.wantsJSON(request) {
            context.audit.record(isSetup ? "auth.password_setup" : "auth.password_reset", params: ["failure": error.detail])
            return newPasswordForm(purpose: purpose, email: fields["email"] ?? "", token: fields["token"] ?? "", error: error)
        }
    }

    static func wantsJSON(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true
    }
}

extension Data {
    /// This JSON as a response with `status`.
    func response(status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: self)))
    }
}
