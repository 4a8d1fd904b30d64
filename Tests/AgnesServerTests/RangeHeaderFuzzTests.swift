// The `Range` header parser under generated and mutated headers: never a trap, never a range outside the file, and for
// every header of the strict form `bytes=<first>-<last>` the answer RFC 9110 §14.1.2 gives.
@testable import AgnesServer
import AgnesTestSupport
import Foundation
import Testing

@Suite("Range header fuzzing")
struct RangeHeaderFuzzTests {
    typealias Answer = DownloadRoutes.RangeRequest

    /// RFC 9110's reading of `bytes=<first>-<last>` for a file of `size` bytes; nil for any other header.
    static func reference(_ header: String, size: Int) -> Answer? {
        guard let match = header.wholeMatch(of: /bytes=([0-9]{0,15})-([0-9]{0,15})/) else { return nil }
        let first = Int(match.1), last = Int(match.2)
        switch (first, last) {
        case (nil, nil): return .whole
        case let (nil, suffix?): return suffix == 0 || size == 0 ? .unsatisfiable : .bytes(max(0, size - suffix)...(size - 1))
        case let (start?, end):
            if let end, end < start { return .whole }
            if start >= size { return .unsatisfiable }
            return .bytes(start...min(end ?? Int.max, size - 1))
        }
    }

    @Test("inside the file, and RFC 9110's answer for the strict form")
    func ranges() async throws {
        let corpus = ["bytes=0-99", "bytes=-500", "bytes=100-", "bytes=0-0,5-9", "items=0-5", "bytes = 1-2", "BYTES=1-2", "bytes=5-1", "bytes=-0"]
        let outcome = try await offTheCooperativePool { Fuzz.run("range-header") { random, _ in
            let size = random.pick([0, 1, 2, 100, 1_000_000, Int.random(in: 0...10_000, using: &random)])
            let header: String
            if random.oneIn(2) {
                header = Fuzz.mutate(random.pick(corpus), &random, dictionary: ["bytes=", "-", ",", " ", "\t", "="])
            } else {
                let number = { (random: inout FuzzRandom) -> String in
                    random.oneIn(3) ? "" : random.oneIn(4) ? random.pick(Fuzz.interestingNumbers) : String(Int.random(in: 0...(size + 5), using: &random))
                }
                header = "bytes=\(number(&random))-\(number(&random))"
            }
            let answer = DownloadRoutes.rangeRequest(header, size: size)
            var ok = true
            if case let .bytes(range) = answer { ok = range.lowerBound >= 0 && range.upperBound < size }
            if let expected = Self.reference(header, size: size) { ok = ok && answer == expected }
            return ok ? nil : "'\(header)' of \(size) bytes → \(answer), RFC 9110 says \(String(describing: Self.reference(header, size: size)))"
        } }
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
    }
}
