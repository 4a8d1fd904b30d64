// The streaming multipart parser: whatever the chunking (down to one byte at a time, so that delimiters straddle
// chunks), parts come out with their headers and exact bytes; broken bodies are refused.
@testable import AgnesServer
import Foundation
import Testing

@Suite("multipart stream parser")
struct MultipartStreamParserTests {
    struct Part: Equatable {
        var headers: [String: String]
        var body: [UInt8]
    }

    func parse(_ body: [UInt8], boundary: String, chunk: Int) throws -> (parts: [Part], finished: Bool) {
        try Self.parse(body, boundary: boundary, sizes: [chunk])
    }

    /// Parses `body` fed in chunks of the sizes `sizes` gives, in turn.
    static func parse(_ body: [UInt8], boundary: String, sizes: [Int]) throws -> (parts: [Part], finished: Bool) {
        var parser = MultipartStreamParser(boundary: boundary)
        var parts: [Part] = []
        var offset = 0, index = 0
        while offset < body.count {
            let chunk = max(1, sizes[index % sizes.count])
            index += 1
            let piece = Array(body[offset..<min(offset + chunk, body.count)])
            offset += chunk
            try piece.withUnsafeBytes { bytes in
                try parser.feed(bytes) { event in
                    switch event {
                    case let .partStart(headers): parts.append(Part(headers: headers, body: []))
                    case let .body(bytes): parts[parts.count - 1].body += bytes
                    case .partEnd: break
                    }
                }
            }
        }
        return (parts, parser.isFinished)
    }

    @Test("parts survive any chunking, including near-delimiters in the data")
    func chunking() throws {
        let tricky: [UInt8] = Array("line\r\n--bound\r\n--boundar\r\r\n-".utf8) + [0, 255, 13, 10]
        let body = Array("preamble to ignore\r\n--boundary\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nfirst\r\n".utf8)
            + Array("--boundary  \r\ncontent-disposition: form-data; name=\"file\"; filename=\"x.jsonl\"\r\nContent-Type: text/plain\r\n\r\n".utf8)
            + tricky + Array("\r\n--boundary--\r\nepilogue".utf8)
        let expected = [Part(headers: ["content-disposition": "form-data; name=\"a\""], body: Array("first".utf8)),
                        Part(headers: ["content-disposition": "form-data; name=\"file\"; filename=\"x.jsonl\"", "content-type": "text/plain"], body: tricky)]
        for chunk in [1, 2, 3, 7, 13, 64, body.count] {
            let result = try parse(body, boundary: "boundary", chunk: chunk)
            #expect(result.parts == expected, "chunk \(chunk)")
            #expect(result.finished)
        }
        // Without a leading CRLF before the first delimiter, and an empty part.
        let bare = try parse(Array("--b\r\nX: 1\r\n\r\n\r\n--b--".utf8), boundary: "b", chunk: 1)
        #expect(bare.parts == [Part(headers: ["x": "1"], body: [])] && bare.finished)
    }

    @Test("a body that ends early is unfinished; junk after a delimiter or header without a colon is refused")
    func broken() throws {
        #expect(try parse(Array("--b\r\nX: 1\r\n\r\nabc".utf8), boundary: "b", chunk: 4).finished == false)
        #expect(throws: MultipartStreamParser.ParseError.self) { try parse(Array("--bjunk\r\n".utf8), boundary: "b", chunk: 100) }
        #expect(throws: MultipartStreamParser.ParseError.self) { try parse(Array("--b\r\nno colon\r\n\r\n".utf8), boundary: "b", chunk: 100) }
    }
}
