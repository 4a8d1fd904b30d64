// Errors of the CLI with the exit codes of SPEC §11: 0 ok, 1 failure, 2 usage, 3 rate-limited, 5 server error,
// 7 unreachable or unauthenticated, 8 forbidden or not found. The message is one line, with the server's detail.
import Foundation

public struct ClientError: Error, CustomStringConvertible, Equatable {
    public enum Code: Int32, Sendable {
        case failure = 1, usage = 2, rateLimited = 3, server = 5, unreachable = 7, denied = 8
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The error for an HTTP status and the server's `detail`.
    static func http(status: Int, detail: String, path: String) -> ClientError {
        switch status {
        case 401: ClientError(.unreachable, "not signed in or the token is no longer valid (\(detail)); run `agnes login`")
        case 403, 404: ClientError(.denied, detail)
        case 429: ClientError(.rateLimited, "rate limited: \(detail)")
        case 500...: ClientError(.server, "server error on \(path): \(detail)")
        default: ClientError(.failure, detail)
        }
    }
}
