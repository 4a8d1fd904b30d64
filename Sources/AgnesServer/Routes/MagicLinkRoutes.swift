// Magic sign-in links: `POST /auth/email/send-link` always answers the same (whether the email has an account or
// not); `POST /auth/email/verify` trades the link's token for a session token, `GET /auth/email/verify` (the link
// itself) for the session cookie. A link works once and for an hour.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct MagicLinkRoutes {
    let services: ServerServices

    struct SendRequest: Decodable { var email: String }
    struct VerifyRequest: Decodable {
        var email: String
        var token: String
    }

    static let sentMessage = "If this email is registered, you will receive a login link."

    func register(on router: Router<AgnesRequestContext>) {
        router.post("/auth/email/send-link") { request, context in try await sendLink(request, context) }
        router.post("/auth/email/verify") { request, context in try await verify(request, context) }
        router.get("/auth/email/verify") { request, context in try await verifyLink(request, context) }
    }

    private var links: OneTimeLinks { services.domain.links }

    func sendLink(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        context.audit.record("auth.magic_link_request")
        try await services.rateLimiter.check(endpoint: "/auth/email/send-link", client: context.clientIP, limit: .magicLinkSend)
        // The web login page posts a form and gets the login page back with the message.
        let isForm = request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        let email = isForm ? try await request.formFields(context: context)["email"] ?? ""
            : try await request.decodeJSON(SendRequest.self, context: context).email
        var answer = ["message": Self.sentMessage]
        if let user = try await services.users.find(email: email), user.active {
            context.audit.attribute(toUser: user.id)
            let link = try await links.issue(.magicLink, for: user)
            let sent = await links.deliver(MailTemplates.magicLink(to: user.email, link: link))
            if services.configuration.localDevMode {
                answer["dev_link"] = link
                if !sent { answer["send_error"] = "the mailer could not send the message" }
            }
        }
        if isForm {
            let notice = Self.sentMessage.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            return Response(status: .seeOther, headers: [.location: "/login?notice=\(notice)"])
        }
        return try JSONCoding.encoder.encode(answer).response(status: .ok)
    }

    func verify(_ request: Request, _ context: AgnesRequestContext) async throws -> TokenResponse {
        context.audit.record("auth.login", params: ["method": "magic_link"])
        try await services.rateLimiter.checkSignIn(client: context.clientIP)
        let body = try await request.decodeJSON(VerifyRequest.self, context: context)
        let user = try await consume(email: body.email, token: body.token, context: context)
        return try await services.sessionResponse(for: user, includeUserId: false)
    }

    func verifyLink(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        context.audit.record("auth.login", params: ["method": "magic_link"])
        context.audit.attribute(toUser: nil, clientKind: "web")
        try await services.rateLimiter.checkSignIn(client: context.clientIP)
        let email = request.uri.queryParameters.get("email") ?? ""
        let token = request.uri.queryParameters.get("token") ?? ""
        do {
            let user = try await consume(email: email, token: token, context: context)
            let session = try await services.tokens.issueSession(for: user)
            return Response(status: .found, headers: [.location: "/", .setCookie: services.sessionCookie(session)])
        } catch let error as ServiceError where error.status == .unauthorized {
            return AuthPages.page(title: "Sign-in link", error: "This link is invalid, expired or already used. Ask for a new one.",
                                  status: .unauthorized)
        }
    }

    private func consume(email: String, token: String, context: AgnesRequestContext) async throws -> User {
        let invalid = ServiceError(.unauthorized, "Invalid or expired link")
        try await services.rateLimiter.checkSignIn(account: email)
        guard let user = try await services.users.find(email: email) else { throw invalid }
        context.audit.attribute(toUser: user.id)
        guard case .success = try await links.consume(.magicLink, secret: token, for: user) else { throw invalid }
        guard user.active else { throw invalid }
        try await services.users.recordLogin(id: user.id)
        return user
    }
}
