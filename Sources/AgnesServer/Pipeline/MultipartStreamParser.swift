// A streaming `multipart/form-data` parser (RFC 7578 / RFC 2046): bytes go in as they arrive, parts come out as
// header dictionaries and body slices, with at most one delimiter's length of body held back between chunks.
// Delimiters are found with `memchr` and `memcmp`, so a 50 MiB upload costs a few scans, not a closure call per byte.
import Foundation

struct MultipartStreamParser {
    enum ParseError: Error { case malformed }

    /// What the parser found, in order.
    enum Event {
        case partStart(headers: [String: String])
        case body(ArraySlice<UInt8>)
        case partEnd
    }

    private enum State { case preamble, afterDelimiter, headers, body, epilogue }

    /// `\r\n--<boundary>`.
    private let delimiter: [UInt8]
    private var state = State.preamble
    private var buffer: [UInt8]
    private var start = 0
    static let maximumHeaderBytes = 16 << 10

    init(boundary: String) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first delimiter may come without the CRLF in front: supply one.
        buffer = Array("\r\n".utf8)
    }

    /// Whether the closing delimiter was seen.
    var isFinished: Bool { state == .epilogue }

    /// Consumes `bytes`, reporting what they complete.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (Event) throws -> Void) throws {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
        while true {
            switch state {
            case .preamble:
                guard let found = find(delimiter, from: start) else {
                    start = max(start, buffer.count - delimiter.count + 1)
                    return
                }
                start = found + delimiter.count
                state = .afterDelimiter
            case .afterDelimiter:
                guard buffer.count - start >= 2 else { return }
                if buffer[start] == UInt8(ascii: "-"), buffer[start + 1] == UInt8(ascii: "-") {
                    state = .epilogue
                    start = buffer.count
                    return
                }
                guard let lineEnd = find(Array("\r\n".utf8), from: start) else {
                    if buffer.count - start > 256 { throw ParseError.malformed }
                    return
                }
                // Transport padding (spaces, tabs) may follow a delimiter.
                guard buffer[start..<lineEnd].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) else { throw ParseError.malformed }
                start = lineEnd + 2
                state = .headers
            case .headers:
                let end: Int
                if buffer.count - start >= 2, buffer[start] == UInt8(ascii: "\r"), buffer[start + 1] == UInt8(ascii: "\n") {
                    end = start  // no headers at all
                } else if let found = find(Array("\r\n\r\n".utf8), from: start) {
                    end = found + 2
                } else {
                    if buffer.count - start > Self.maximumHeaderBytes { throw ParseError.malformed }
                    return
                }
                try emit(.partStart(headers: try Self.headers(buffer[start..<end])))
                start = end + 2
                state = .body
            case .body:
                if let found = find(delimiter, from: start) {
                    if found > start { try emit(.body(buffer[start..<found])) }
                    try emit(.partEnd)
                    start = found + delimiter.count
                    state = .afterDelimiter
                } else {
                    // Hold back what could be the start of a delimiter.
                    let safe = buffer.count - (delimiter.count - 1)
                    if safe > start {
                        try emit(.body(buffer[start..<safe]))
                        start = safe
                    }
                    return
                }
            case .epilogue:
                start = buffer.count
                return
            }
        }
    }

    /// The first occurrence of `needle` in the buffer at or after `from`.
    private func find(_ needle: [UInt8], from: Int) -> Int? {
        guard buffer.count - from >= needle.count else { return nil }
        return buffer.withUnsafeBytes { haystack in
            needle.withUnsafeBytes { pattern in
                let base = haystack.baseAddress!
                var position = from
                let last = haystack.count - pattern.count
                while position <= last {
                    guard let hit = memchr(base + position, Int32(needle[0]), last - position + 1) else { return nil }
                    let index = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + index, pattern.baseAddress!, pattern.count) == 0 { return index }
                    position = index + 1
                }
                return nil
            }
        }
    }

    /// `Name: value` lines (CRLF-terminated), names lower-cased.
    static func headers(_ bytes: ArraySlice<UInt8>) throws -> [String: String] {
        var headers: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw ParseError.malformed }
            headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }
}
