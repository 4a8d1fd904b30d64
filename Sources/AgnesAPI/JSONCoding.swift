// The JSON coders of the API, shared by the server (encoding) and the client (decoding).
import Foundation

/// ISO-8601 UTC timestamps, keys sorted so responses are stable.
public enum JSONCoding {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Accepts timestamps with and without fractional seconds (upstream writes both).
    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = try? Date(text, strategy: .iso8601) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not an ISO-8601 timestamp"))
        }
        return decoder
    }()
}

/// JSON text written by hand where a body is spliced from parts encoded once (the manifest's sections reuse the
/// entries of its flat `tables`).
public enum JSONText {
    /// `value` as a JSON string literal: quotes, backslashes and control characters escaped (RFC 8259 §7), `/` not.
    public static func string(_ value: String) -> Data {
        var out = Data("\"".utf8)
        out.reserveCapacity(value.utf8.count + 2)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: Array(#"\""#.utf8))
            case UInt8(ascii: "\\"): out.append(contentsOf: Array(#"\\"#.utf8))
            case 0x0A: out.append(contentsOf: Array(#"\n"#.utf8))
            case 0x0D: out.append(contentsOf: Array(#"\r"#.utf8))
            case 0x09: out.append(contentsOf: Array(#"\t"#.utf8))
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}
