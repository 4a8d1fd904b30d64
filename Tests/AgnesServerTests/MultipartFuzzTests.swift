// The streaming multipart parser under generated and mutated bodies. Generated bodies (random boundaries, parts,
// headers, and data full of near-delimiters) come back part for part under a random chunking; mutated bodies get the
// same answer under every chunking — the same parts or the same refusal — and never more body bytes than were sent.
@testable import AgnesServer
import AgnesTestSupport
import Foundation
import Testing

@Suite("multipart fuzzing")
struct MultipartFuzzTests {
    typealias Part = MultipartStreamParserTests.Part

    /// Parses `body` fed in the chunks `sizes` gives (cycled); nil when the parser refuses it.
    static func parse(_ body: [UInt8], boundary: String, sizes: [Int]) -> (parts: [Part], finished: Bool)? {
        try? MultipartStreamParserTests.parse(body, boundary: boundary, sizes: sizes)
    }

    /// Part data full of near-delimiters: every proper prefix of the delimiter, and the delimiter with its last byte changed.
    static func bytes(_ random: inout FuzzRandom, boundary: String) -> [UInt8] {
        let delimiter = Array("\r\n--\(boundary)".utf8)
        var data: [UInt8] = []
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            switch Int.random(in: 0..<5, using: &random) {
            case 0: data += delimiter.prefix(Int.random(in: 1..<delimiter.count, using: &random))
            case 1: data += delimiter.dropLast() + [random.pick([0, 45, 13, 10, 255].filter { $0 != delimiter.last })]
            case 2: data += [13, 10, 13, 10, 45, 45]
            default: data += (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
        }
        return data
    }

    @Test("generated bodies come back part for part under any chunking; mutated ones answer the same under every chunking")
    func bodies() async throws {
        let characters = Array("abcXYZ0129'()+_,-./:=? ")
        let outcome = try await offTheCooperativePool { Fuzz.run("multipart") { random, _ in
            let boundary = String((0..<Int.random(in: 1...70, using: &random)).map { _ in random.pick(characters) }).trimmingCharacters(in: .whitespaces)
            guard !boundary.isEmpty else { return nil }
            var parts: [Part] = []
            var body = Array(random.oneIn(2) ? "preamble\r\n".utf8 : "".utf8)
            for index in 0..<Int.random(in: 0...4, using: &random) {
                var headers = ["content-disposition": "form-data; name=\"f\(index)\"" + (random.oneIn(2) ? "; filename=\"x\(index).jsonl\"" : "")]
                if random.oneIn(2) { headers["content-type"] = "application/octet-stream" }
                var data = Self.bytes(&random, boundary: boundary)
                // Random bytes may complete the delimiter by chance (a two-character boundary): then it is not part data.
                while data.count >= boundary.utf8.count + 4, data.firstRange(of: Array("\r\n--\(boundary)".utf8)) != nil { data.removeLast() }
                parts.append(Part(headers: headers, body: data))
                body += Array("--\(boundary)\r\n".utf8)
                for (name, value) in headers.sorted(by: { $0.key < $1.key }) { body += Array("\(name): \(value)\r\n".utf8) }
                body += Array("\r\n".utf8) + data + Array("\r\n".utf8)
            }
            body += Array("--\(boundary)--\r\n".utf8) + (random.oneIn(2) ? Array("epilogue".utf8) : [])
            let sizes = (0..<Int.random(in: 1...5, using: &random)).map { _ in Int.random(in: 1...200, using: &random) }
            let expected = parts.isEmpty ? nil : parts
            let parsed = Self.parse(body, boundary: boundary, sizes: sizes)
            // A body without parts is only a closing delimiter: nothing comes out, and it is finished.
            let ok = parsed?.finished == true && (parsed?.parts ?? []) == (expected ?? [])
            guard ok else {
                return "boundary '\(boundary)', chunks \(sizes): \(String(describing: parsed?.parts.count)) parts, expected \(parts.count)"
            }

            // The same body mutated: every chunking gives the same answer, and never more data than was sent.
            let mutated = Array(Fuzz.mutate(String(decoding: body, as: UTF8.self), &random,
                                            dictionary: ["--\(boundary)", "\r\n", "--", ":", "\r\n\r\n", "--\(boundary)--"]).utf8)
            let whole = Self.parse(mutated, boundary: boundary, sizes: [mutated.count])
            let bytewise = Self.parse(mutated, boundary: boundary, sizes: [1])
            let ragged = Self.parse(mutated, boundary: boundary, sizes: sizes)
            let same = whole?.parts == bytewise?.parts && whole?.parts == ragged?.parts && whole?.finished == bytewise?.finished
                && whole?.finished == ragged?.finished
            let bounded = (whole?.parts ?? []).reduce(0) { $0 + $1.body.count } <= mutated.count
            return same && bounded ? nil : "boundary '\(boundary)': chunkings disagree on a mutated body"
        } }
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
    }
}
