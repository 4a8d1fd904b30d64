// A small deterministic fuzzing loop for the parsers we wrote (docs/reliability.md, "Fuzzers"): each fuzzer generates
// inputs from a grammar and by mutating a corpus of real inputs, and checks a property of the parser's answer on each
// (not only "does not crash"). Runs are bounded by time — `AGNES_FUZZ_SECONDS` (10 in `make test`, 60 in
// `make fuzz`) — and reproducible: iteration `i` draws from a generator seeded with `AGNES_FUZZ_SEED` (fixed unless set)
// plus `i`, and a failed property names the seed and the input, which then becomes a regression test.
import Foundation

/// SplitMix64: small, fast and good enough to drive mutations; the same seed gives the same inputs on every machine.
public struct FuzzRandom: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `1 / n`.
    public mutating func oneIn(_ n: Int) -> Bool { Int.random(in: 0..<n, using: &self) == 0 }
    /// One of `choices`.
    public mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &self)] }
}

public enum Fuzz {
    /// How long each fuzzer runs.
    public static var seconds: Double {
        ProcessInfo.processInfo.environment["AGNES_FUZZ_SECONDS"].flatMap(Double.init) ?? 10
    }

    /// The base seed; iteration `i` uses `seed + i`.
    public static var seed: UInt64 {
        ProcessInfo.processInfo.environment["AGNES_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_204
    }

    /// What a run found: how many inputs it tried, and the first property that did not hold (with its seed and input).
    public struct Outcome: Sendable {
        public var iterations: Int
        public var failure: String?
    }

    /// Runs `body` with a fresh generator per iteration until `seconds` have passed (at least `minimum` iterations),
    /// prints one JSON line with the count, and returns it. `body` answers nil when the property holds, or what went
    /// wrong — which stops the run (one bug does not print a thousand times). Call it through `offTheCooperativePool`:
    /// a fuzzer keeps a core busy for its whole budget.
    public static func run(_ name: String, seconds: Double = Fuzz.seconds, minimum: Int = 50,
                           _ body: (_ random: inout FuzzRandom, _ seed: UInt64) throws -> String?) rethrows -> Outcome {
        let start = Date()
        var outcome = Outcome(iterations: 0, failure: nil)
        while outcome.iterations < minimum || Date().timeIntervalSince(start) < seconds {
            let seed = Self.seed &+ UInt64(outcome.iterations)
            var random = FuzzRandom(seed: seed)
            outcome.iterations += 1
            if let failure = try body(&random, seed) {
                outcome.failure = "seed \(seed): \(failure)"
                break
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        print(#"{"fuzzer":"\#(name)","iterations":\#(outcome.iterations),"seconds":\#((elapsed * 10).rounded() / 10),"seed":\#(Self.seed)}"#)
        return outcome
    }

    /// `input` changed in one to four places: a byte flipped, inserted or deleted, a span deleted or repeated, a
    /// token from `dictionary` inserted, a number made huge or negative, or a splice with `other`.
    public static func mutate(_ input: String, _ random: inout FuzzRandom, dictionary: [String] = [], other: String? = nil) -> String {
        var bytes = Array(input.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<9, using: &random) {
            case 0 where position < bytes.count:
                bytes[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1:
                bytes.insert(random.pick(interestingBytes), at: position)
            case 2 where position < bytes.count:
                bytes.remove(at: position)
            case 3 where position < bytes.count:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &random))
                bytes.removeSubrange(position..<end)
            case 4 where position < bytes.count:
                let end = min(bytes.count, position + Int.random(in: 1...16, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            case 5 where !dictionary.isEmpty:
                bytes.insert(contentsOf: Array(random.pick(dictionary).utf8), at: position)
            case 6:
                bytes.insert(contentsOf: Array(random.pick(interestingNumbers).utf8), at: position)
            case 7 where other != nil:
                let donor = Array(other!.utf8)
                guard !donor.isEmpty else { break }
                let from = Int.random(in: 0..<donor.count, using: &random)
                bytes = Array(bytes[..<position]) + donor[from...]
            default:
                if let digit = bytes.indices.filter({ (48...57).contains(bytes[$0]) }).randomElement(using: &random) {
                    bytes.replaceSubrange(digit...digit, with: Array(random.pick(interestingNumbers).utf8))
                }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Bytes that parsers treat specially.
    public static let interestingBytes: [UInt8] = [0, 1, 9, 10, 13, 32, 34, 39, 44, 45, 46, 47, 58, 59, 61, 92, 127, 0x80, 0xC3, 0xFF]
        + Array("{}[]()\"',;:-=\\/*%._$#".utf8)
    /// Numbers at the edges of integer and date arithmetic.
    public static let interestingNumbers = ["0", "-1", "1", "00", "24", "60", "255", "65536", "2147483648", "4294967296", "9223372036854775807",
                                            "9223372036854775808", "99999999999999999999", "1e308", "-0", "+1", "1.5", "NaN"]
}
