// The API's error responses: `{"detail": …}` with the upstream wording, and `request_id` on server errors.
import Foundation
import Hummingbird

/// An error a route throws to answer with a status and a `detail` message.
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var detail: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    public static func notFound(_ detail: String = "Not Found") -> APIError { APIError(.notFound, detail) }
    public static let unauthorized = APIError(.unauthorized, "Missing or invalid Authorization header")
    public static let adminRequired = APIError(.forbidden, "Admin access required")
}

/// The JSON body of an error response.
struct ErrorBody: Encodable {
    let detail: String
    let requestId: String?

    enum CodingKeys: String, CodingKey {
        case detail
        case requestId = "request_id"
    }

    /// A JSON response with this body.
    static func response(status: HTTPResponse.Status, detail: String, requestId: String?, headers: HTTPFields = [:]) -> Response {
        let body = ErrorBody(detail: detail, requestId: requestId)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(body)) ?? Data(#"{"detail":"Internal server error"}"#.utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
