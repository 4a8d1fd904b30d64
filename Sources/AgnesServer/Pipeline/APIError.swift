// The API's error responses: `{"detail": …}` with the upstream wording, and `request_id` on server errors.
import Foundation
import Hummingbird

/// An error a route throws to answer with a status and a `detail` message (or, for 422, the fields at fault).
public struct APIError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var detail: String
    /// For 422: each field that is missing or malformed, as upstream (FastAPI) lists them.
    public var fieldErrors: [FieldError]?
    /// A `detail` that is an object rather than a message (upstream's `{"error": "validator_rejected", …}`).
    var structuredDetail: JSONValue?
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.detail = detail
        self.headers = headers
    }

    public static func notFound(_ detail: String = "Not Found") -> APIError { APIError(.notFound, detail) }
    public static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, detail) }
    public static func conflict(_ detail: String) -> APIError { APIError(.conflict, detail) }
    public static let unauthorized = APIError(.unauthorized, "Missing or invalid Authorization header")
    public static let adminRequired = APIError(.forbidden, "Admin access required")

    /// 422 when the list field `field` of a request has more than `maximum` items (`api.max_list_items`).
    public static func checkListSize(_ count: Int, field: String, maximum: Int) throws {
        guard count <= maximum else {
            throw unprocessable([FieldError(type: "too_long", loc: ["body", field], msg: "\(field) has \(count) items; at most \(maximum) are allowed")])
        }
    }

    /// 422 naming the fields at fault.
    public static func unprocessable(_ errors: [FieldError]) -> APIError {
        var error = APIError(.unprocessableContent, errors.first?.msg ?? "Unprocessable Entity")
        error.fieldErrors = errors
        return error
    }
}

/// One entry of a 422 body: `{"type": "missing", "loc": ["body", "email"], "msg": "Field required"}`.
public struct FieldError: Codable, Sendable, Equatable {
    public var type: String
    public var loc: [String]
    public var msg: String

    public init(type: String, loc: [String], msg: String) {
        self.type = type
        self.loc = loc
        self.msg = msg
    }
}

/// The JSON body of an error response.
struct ErrorBody: Encodable {
    enum Detail: Encodable {
        case message(String)
        case fields([FieldError])
        case structured(JSONValue)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .message(text): try container.encode(text)
            case let .fields(errors): try container.encode(errors)
            case let .structured(value): try container.encode(value)
            }
        }
    }

    let detail: Detail
    let requestId: String?

    enum CodingKeys: String, CodingKey {
        case detail
        case requestId = "request_id"
    }

    /// A JSON response with this body.
    static func response(status: HTTPResponse.Status, detail: String, fieldErrors: [FieldError]? = nil, structuredDetail: JSONValue? = nil,
                         requestId: String?, headers: HTTPFields = [:]) -> Response {
        let body = ErrorBody(detail: fieldErrors.map(Detail.fields) ?? structuredDetail.map(Detail.structured) ?? .message(detail), requestId: requestId)
        let data = (try? JSONCoding.encoder.encode(body)) ?? Data(#"{"detail":"Internal server error"}"#.utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
