// Around every request: a request id (propagated when the client sent a sane one), version headers on /api/*, and
// every error turned into a JSON `{"detail": …}` body — server errors carry the request id and never internals.
import AgnesCore
import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    static let requestID = HTTPField.Name("x-request-id")!
    static let agnesLatestVersion = HTTPField.Name("X-Agnes-Latest-Version")!
    static let agnesMinimumVersion = HTTPField.Name("X-Agnes-Min-Version")!
}

/// The first middleware of the Agnes router.
struct RequestPipelineMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The CLI version this server still accepts (clients older than this are told to upgrade).
    static var minimumClientVersion: String { "0.0.0" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestId = Self.requestId(from: request.headers[.requestID])
        var context = context
        context.logger[metadataKey: "request_id"] = .string(requestId)
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = ErrorBody.response(status: error.status, detail: error.detail, requestId: nil, headers: error.headers)
        } catch let error as HTTPResponseError {
            // Errors raised by Hummingbird itself (unknown route, body too large, undecodable body …).
            let detail = (error as? HTTPError)?.body ?? error.status.reasonPhrase
            response = ErrorBody.response(status: error.status, detail: error.status == .notFound ? "Not Found" : detail, requestId: nil)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": .string(String(describing: type(of: error)))])
            response = ErrorBody.response(status: .internalServerError, detail: "Internal server error", requestId: requestId)
        }
        response.headers[.requestID] = requestId
        if request.uri.path.hasPrefix("/api/") {
            response.headers[.agnesLatestVersion] = AgnesVersion.current
            response.headers[.agnesMinimumVersion] = Self.minimumClientVersion
        }
        return response
    }

    /// The client's id when it is short and plain (letters, digits, `-`, `_`, `.`), else a new UUID.
    static func requestId(from header: String?) -> String {
        if let header, !header.isEmpty, header.count <= 128,
           header.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }) {
            return header
        }
        return UUID().uuidString.lowercased()
    }
}
