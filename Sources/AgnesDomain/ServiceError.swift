// The one error type of the use cases: what went wrong, in upstream's wording, and which kind of refusal it is. The
// HTTP API answers it with the matching status and `{"detail": …}`; other surfaces (web pages, MCP tools) show the
// detail.
import AgnesAPI
import Foundation

/// An error a use case throws to refuse a request, with a message that says what to do.
public struct ServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal; each maps to one HTTP status (named as in RFC 9110).
    public enum Status: Sendable, Equatable {
        case badRequest, unauthorized, forbidden, notFound, conflict, gone, contentTooLarge, unsupportedMediaType
        case rangeNotSatisfiable, unprocessableContent, tooManyRequests, serviceUnavailable
        /// The request was right but the server could not do it safely (e.g. an access policy that cannot be applied).
        case internalServerError
    }

    public var status: Status
    public var detail: String
    /// For 422: each field that is missing or malformed, as upstream (FastAPI) lists them.
    public var fieldErrors: [FieldError]?
    /// A `detail` that is an object rather than a message (upstream's `{"error": "validator_rejected", …}`).
    public var structuredDetail: JSONValue?
    /// For 429: seconds until the caller may try again.
    public var retryAfterSeconds: Int?

    public init(_ status: Status, _ detail: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.detail = detail
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { detail }

    public static func notFound(_ detail: String = "Not Found") -> ServiceError { ServiceError(.notFound, detail) }
    public static func badRequest(_ detail: String) -> ServiceError { ServiceError(.badRequest, detail) }
    public static func conflict(_ detail: String) -> ServiceError { ServiceError(.conflict, detail) }
    public static let unauthorized = ServiceError(.unauthorized, "Missing or invalid Authorization header")
    public static let adminRequired = ServiceError(.forbidden, "Admin access required")

    /// 422 when the list field `field` of a request has more than `maximum` items (`api.max_list_items`).
    public static func checkListSize(_ count: Int, field: String, maximum: Int) throws {
        guard count <= maximum else {
            throw unprocessable([FieldError(type: "too_long", loc: ["body", field], msg: "\(field) has \(count) items; at most \(maximum) are allowed")])
        }
    }

    /// 422 naming the fields at fault.
    public static func unprocessable(_ errors: [FieldError]) -> ServiceError {
        var error = ServiceError(.unprocessableContent, errors.first?.msg ?? "Unprocessable Entity")
        error.fieldErrors = errors
        return error
    }

    /// The body of the error's response.
    public func body(requestId: String?) -> ErrorBody {
        ErrorBody(detail: fieldErrors.map(ErrorBody.Detail.fields) ?? structuredDetail.map(ErrorBody.Detail.structured) ?? .message(detail),
                  requestId: requestId)
    }
}
