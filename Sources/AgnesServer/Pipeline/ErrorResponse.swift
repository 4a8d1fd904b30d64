// Error responses: a `ServiceError` (or any other error) as an HTTP status and the `{"detail": …}` body.
import AgnesAPI
import AgnesDomain
import Foundation
import Hummingbird

extension ServiceError.Status {
    /// The HTTP status of this kind of refusal.
    var http: HTTPResponse.Status {
        switch self {
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .gone: .gone
        case .contentTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .rangeNotSatisfiable: .rangeNotSatisfiable
        case .unprocessableContent: .unprocessableContent
        case .tooManyRequests: .tooManyRequests
        case .serviceUnavailable: .serviceUnavailable
        case .internalServerError: .internalServerError
        }
    }
}

extension ServiceError {
    /// The JSON response answering this error.
    func response(requestId: String? = nil) -> Response {
        var headers: HTTPFields = [:]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return ErrorBody.response(status: status.http, body(requestId: requestId), headers: headers)
    }
}

extension ErrorBody {
    /// A JSON response with a message as its detail.
    static func response(status: HTTPResponse.Status, detail: String, requestId: String?) -> Response {
        response(status: status, ErrorBody(detail: .message(detail), requestId: requestId))
    }

    /// A JSON response with this body.
    static func response(status: HTTPResponse.Status, _ body: ErrorBody, headers: HTTPFields = [:]) -> Response {
        let data = (try? JSONCoding.encoder.encode(body)) ?? Data(#"{"detail":"Internal server error"}"#.utf8)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
