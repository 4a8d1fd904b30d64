// The per-request context of the Agnes router: who is calling, from where, and what to write to the audit trail.
import AgnesAPI
import AgnesDomain
import Foundation
import Hummingbird
import NIOCore

/// The request context every Agnes route receives.
public struct AgnesRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address as the socket reports it (the proxy's, behind a proxy).
    public let peerAddress: String?
    /// The client's connection (to notice when it goes away, `ConnectionPresence`).
    let channel: any Channel
    /// The authenticated caller, set by `AuthenticationMiddleware`.
    public var identity: Identity?
    /// The request id (`x-request-id`), set by the pipeline middleware.
    public var requestId: String = ""
    /// The client's IP address used for rate limits and the audit trail, set by the pipeline middleware.
    public var clientIP: String = "unknown"
    /// What the route did, for the audit trail; shared with the audit middleware, which writes it after the response.
    public let audit = AuditNote()

    /// JSON bodies larger than this are refused with 413.
    public var maxUploadSize: Int { 1 << 20 }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress
        self.channel = source.channel
    }

    /// The caller, or 401 when the route was reached without authentication.
    public func requireIdentity() throws -> Identity {
        guard let identity else { throw ServiceError.unauthorized }
        return identity
    }

    /// The path parameter `name`, percent-decoded exactly once (the router leaves it as sent): 400 when it does not
    /// decode, is empty, or holds a slash or a control character — nothing that could name another path.
    public func pathParameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        guard let decoded = raw.removingPercentEncoding, !decoded.isEmpty,
              !decoded.unicodeScalars.contains(where: { $0 == "/" || $0 == "\\" || $0.properties.generalCategory == .control }) else {
            throw ServiceError.badRequest("Invalid \(name) in the path: '\(raw.prefix(100))'")
        }
        return decoded
    }

    public var requestDecoder: JSONDecoder { JSONCoding.decoder }
    public var responseEncoder: JSONEncoder { JSONCoding.encoder }
}
