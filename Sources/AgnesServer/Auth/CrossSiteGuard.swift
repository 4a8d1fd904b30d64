// Cookie-authenticated API requests that change state must be same-origin JSON: a page on another site can make a
// browser send the session cookie with a form post, but not with `Content-Type: application/json` (that needs a CORS
// preflight, which this server never grants), and the browser names the page's origin in `Origin` and
// `Sec-Fetch-Site`. Bearer-token requests carry no ambient credential and are not affected; the web UI's forms go to
// the web routes, which check their own CSRF tokens.
import AgnesDomain
import Foundation
import HTTPTypes
import Hummingbird

enum CrossSiteGuard {
    /// Throws 415 or 403 when a cookie-authenticated, state-changing request is not same-origin JSON.
    static func check(_ request: Request, serverURL: String) throws {
        switch request.method {
        case .get, .head, .options: return
        default: break
        }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw ServiceError(.unsupportedMediaType, "Requests signed in with the session cookie must send Content-Type: application/json")
        }
        if let origin = request.headers[.origin] {
            guard isSameOrigin(origin, request: request, serverURL: serverURL) else {
                throw ServiceError(.forbidden, "Cross-site request refused: Origin \(origin) is not this server")
            }
        } else if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased(), site != "same-origin" {
            throw ServiceError(.forbidden, "Cross-site request refused: Sec-Fetch-Site is \(site)")
        }
    }

    /// Whether `origin` (`scheme://host[:port]`) is the server's public URL or the host the request was sent to.
    static func isSameOrigin(_ origin: String, request: Request, serverURL: String) -> Bool {
        guard let url = URL(string: origin), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host?.lowercased() else { return false }
        let authority = url.port.map { "\(host):\($0)" } ?? host
        if let server = URL(string: serverURL), let serverHost = server.host?.lowercased(), server.scheme?.lowercased() == scheme,
           (server.port.map { "\(serverHost):\($0)" } ?? serverHost) == authority {
            return true
        }
        return request.head.authority?.lowercased() == authority
    }
}
