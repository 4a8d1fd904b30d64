// Reading request bodies: JSON into a Decodable (422 naming the field when it does not fit, 413 when too large) and
// HTML form fields (application/x-www-form-urlencoded).
import AgnesAPI
import AgnesDomain
import Foundation
import Hummingbird

extension Request {
    /// The body as `T`. A missing or malformed field is a 422 naming it; a body over the context's limit is a 413.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: AgnesRequestContext) async throws -> T {
        let buffer = try await collectBodyWithinLimit(context: context)
        guard buffer.readableBytes > 0 else {
            throw ServiceError.unprocessable([FieldError(type: "missing", loc: ["body"], msg: "Field required")])
        }
        do {
            return try JSONCoding.decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw ServiceError.unprocessable([FieldError(error)])
        }
    }

    /// The body as `T`, or nil when it is empty; a malformed body is a 422.
    func decodeOptionalJSON<T: Decodable>(_ type: T.Type, context: AgnesRequestContext) async throws -> T? {
        let buffer = try await collectBodyWithinLimit(context: context)
        guard buffer.readableBytes > 0 else { return nil }
        do { return try JSONCoding.decoder.decode(T.self, from: Data(buffer: buffer)) } catch {
            throw ServiceError.unprocessable([FieldError(type: "json_invalid", loc: ["body"], msg: "JSON decode error")])
        }
    }

    /// The fields of a URL-encoded form (for a JSON body, its top-level string, number and boolean values).
    func formFields(context: AgnesRequestContext) async throws -> [String: String] {
        let buffer = try await collectBodyWithinLimit(context: context)
        let text = String(buffer: buffer)
        if headers[.contentType]?.lowercased().hasPrefix("application/json") == true {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw ServiceError.unprocessable([FieldError(type: "json_invalid", loc: ["body"], msg: "JSON decode error")])
            }
            return object.compactMapValues { value in
                switch value {
                case let text as String: text
                case let number as NSNumber: number.stringValue
                default: nil
                }
            }
        }
        return Self.parseForm(text)
    }

    static func parseForm(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }

    private func collectBodyWithinLimit(context: AgnesRequestContext) async throws -> ByteBuffer {
        var request = self
        do {
            return try await request.collectBody(upTo: context.maxUploadSize)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ServiceError(.contentTooLarge, "Request body too large (the limit is \(context.maxUploadSize / 1024) KiB)")
        }
    }
}

extension FieldError {
    /// The field a decoding error is about, as `["body", "field", …]`.
    init(_ error: DecodingError) {
        func location(_ path: [any CodingKey], _ key: (any CodingKey)? = nil) -> [String] {
            ["body"] + (path + (key.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }
        }
        switch error {
        case let .keyNotFound(key, context):
            self.init(type: "missing", loc: location(context.codingPath, key), msg: "Field required")
        case let .valueNotFound(type, context):
            self.init(type: "missing", loc: location(context.codingPath), msg: "Input should be a valid \(Self.name(of: type)), not null")
        case let .typeMismatch(type, context):
            self.init(type: "type_error", loc: location(context.codingPath), msg: "Input should be a valid \(Self.name(of: type))")
        case let .dataCorrupted(context) where context.codingPath.isEmpty:
            self.init(type: "json_invalid", loc: ["body"], msg: "JSON decode error")
        case let .dataCorrupted(context):
            self.init(type: "value_error", loc: location(context.codingPath), msg: context.debugDescription)
        @unknown default:
            self.init(type: "value_error", loc: ["body"], msg: "Invalid body")
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "string"
        case is Int.Type, is Int64.Type: "integer"
        case is Bool.Type: "boolean"
        case is Double.Type: "number"
        case is [Any].Type: "list"
        default: type == [String: Any].self ? "object" : "value"
        }
    }
}
