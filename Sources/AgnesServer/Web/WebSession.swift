// Browser sessions for the web UI: the `access_token` cookie (HttpOnly, SameSite=Lax, Secure over TLS) set by the
// login form, a redirect to the login page when it is missing or no longer valid, and CSRF tokens — an HMAC of the
// session token under the server's session secret — that every form carries and every POST must present.
import AgnesCore
import AgnesDomain
import Crypto
import Foundation
import Hummingbird

enum CSRFToken {
    /// The form token of the session whose cookie holds `sessionToken`.
    static func make(sessionToken: String, secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("csrf:\(sessionToken)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Hex.encode(Data(mac).prefix(24))
    }

    /// Whether `presented` is the form token of `sessionToken` (constant-time).
    static func isValid(_ presented: String?, sessionToken: String, secret: String) -> Bool {
        guard let presented else { return false }
        return SecretComparison.equal(presented, make(sessionToken: sessionToken, secret: secret))
    }
}

/// Pages need a signed-in browser: without a valid session, a GET goes to `/login?next=<path>` and anything else is 403.
struct WebAuthenticationMiddleware: RouterMiddleware {
    let authenticator: Authenticator

    func handle(_ request: Request, context: AgnesRequestContext,
                next: (Request, AgnesRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        do {
            let identity = try await authenticator.authenticate(request, clientIP: context.clientIP)
            context.identity = identity
            context.audit.attribute(toUser: identity.user.id, clientKind: "web")
        } catch let error as ServiceError where error.status == .unauthorized {
            guard request.method == .get else { throw ServiceError(.forbidden, "Sign in first") }
            let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            let query = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
            return Response(status: .seeOther, headers: [.location: "/login?next=\(query)"])
        }
        do {
            return try await next(request, context)
        } catch let error as ServiceError where request.method == .get {
            // A page the caller may not see, or that does not exist: an HTML page saying so, with the same status.
            return WebErrorPage.response(status: error.status.http, message: error.detail)
        }
    }
}

enum WebErrorPage {
    static func response(status: HTTPResponse.Status, message: String) -> Response {
        let title = status == .forbidden ? "Not permitted" : status == .notFound ? "Not found" : "Something went wrong"
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Agnes</title><link rel="stylesheet" href="/static/agnes.css"></head><body>
            <header><a class="brand" href="/catalog">Agnes</a><a href="/catalog">Catalog</a></header>
            <main><h1>\(title)</h1><p class="flash error" role="alert">\(AuthPages.escape(message))</p><p><a href="/catalog">Back to the catalog</a></p></main>
            </body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

extension Request {
    /// The session token of the browser (the `access_token` cookie, or a bearer token for scripted use).
    var sessionToken: String? {
        if let header = headers[.authorization], header.lowercased().hasPrefix("bearer ") { return String(header.dropFirst(7)) }
        return cookies["access_token"]?.value
    }
}
