// The body of every error response: `{"detail": …}` with upstream's wording, `request_id` on server errors.
import Foundation

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

/// `{"detail": "message" | [FieldError] | {…}, "request_id": …}`.
public struct ErrorBody: Codable, Sendable {
    /// A message, the fields at fault (422), or a structured detail (`{"error": "validator_rejected", …}`).
    public enum Detail: Codable, Sendable, Equatable {
        case message(String)
        case fields([FieldError])
        case structured(JSONValue)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) { self = .message(text) }
            else if let fields = try? container.decode([FieldError].self) { self = .fields(fields) }
            else { self = .structured(try container.decode(JSONValue.self)) }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .message(text): try container.encode(text)
            case let .fields(errors): try container.encode(errors)
            case let .structured(value): try container.encode(value)
            }
        }

        /// The detail as one line of text.
        public var text: String {
            switch self {
            case let .message(text): return text
            case let .fields(errors): return errors.map { "\($0.loc.joined(separator: ".")): \($0.msg)" }.joined(separator: "; ")
            case let .structured(value):
                return (try? JSONCoding.encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "error"
            }
        }
    }

    public var detail: Detail
    public var requestId: String?

    public init(detail: Detail, requestId: String?) {
        self.detail = detail
        self.requestId = requestId
    }

    enum CodingKeys: String, CodingKey {
        case detail
        case requestId = "request_id"
    }
}
