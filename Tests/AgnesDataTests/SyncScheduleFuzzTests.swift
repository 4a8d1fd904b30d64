// The schedule parser under generated and mutated text: it answers a schedule or `ScheduleError`, never traps, and
// what it answers is sane — a positive, finite interval, or times of day inside the day, sorted — and agrees with a
// reference reading of the grammar for the forms the grammar defines.
import AgnesData
import AgnesTestSupport
import Foundation
import Testing

@Suite("sync schedule fuzzing")
struct SyncScheduleFuzzTests {
    static let corpus = ["every 15m", "every 2h", "daily 03:00", "daily 03:00,15:30", " Every 5M ", "daily 23:59, 00:00", "", "hourly", "every 0m",
                         "daily 24:00", "every -5m", "every 9223372036854775807m"]

    /// The grammar's own reading: `every <digits>(m|h)`, or `daily HH:MM[,HH:MM…]`.
    static func reference(_ text: String) -> SyncSchedule?? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        if text.isEmpty { return .some(.always) }
        if let match = text.wholeMatch(of: /every +([0-9]{1,9})([mh])/), let count = Int(match.1), count > 0 {
            return .some(.every(TimeInterval(count * (match.2 == "m" ? 60 : 3600))))
        }
        if text.hasPrefix("daily "), text.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false)
            .allSatisfy({ $0.trimmingCharacters(in: .whitespaces).wholeMatch(of: /([01][0-9]|2[0-3]):[0-5][0-9]/) != nil }) {
            let times = text.dropFirst(6).split(separator: ",").map { part -> Int in
                let pieces = part.trimmingCharacters(in: .whitespaces).split(separator: ":")
                return Int(pieces[0])! * 60 + Int(pieces[1])!
            }
            return .some(.daily(times.sorted()))
        }
        return nil  // outside the forms the reference decides (leniencies of the parser are allowed)
    }

    @Test("a schedule or a clear error; sane values; the grammar's forms read as the grammar says")
    func schedules() async throws {
        let outcome = try await offTheCooperativePool { Fuzz.run("sync-schedule") { random, _ in
            let text: String
            if random.oneIn(2) {
                text = Fuzz.mutate(random.pick(Self.corpus), &random, dictionary: ["every ", "daily ", "m", "h", ":", ",", " "])
            } else if random.oneIn(2) {
                text = "every \(random.pick(Fuzz.interestingNumbers + [String(Int.random(in: 0...100_000, using: &random))]))\(random.pick(["m", "h", "s", ""]))"
            } else {
                let times = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                    [Int.random(in: 0...25, using: &random), Int.random(in: 0...61, using: &random)]
                        .map { $0 < 10 ? "0\($0)" : String($0) }.joined(separator: ":")
                }
                text = "daily " + times.joined(separator: random.pick([",", ", ", ",,"]))
            }
            let parsed: SyncSchedule?
            do { parsed = try SyncSchedule(text) } catch {
                guard error is ScheduleError else { return "'\(text)' → \(type(of: error)) \(error)" }
                parsed = nil
            }
            var ok = true
            switch parsed {
            case let .every(interval): ok = interval > 0 && interval.isFinite
            case let .daily(times): ok = !times.isEmpty && times.allSatisfy { (0..<1440).contains($0) } && times == times.sorted()
            case .always, nil: break
            }
            if let expected = Self.reference(text) { ok = ok && parsed == expected }
            if let parsed { _ = parsed.isDue(lastSync: Date(timeIntervalSince1970: 0), now: Date(timeIntervalSince1970: 1_800_000_000)) }
            return ok ? nil : "'\(text)' → \(String(describing: parsed)), the grammar says \(String(describing: Self.reference(text)))"
        } }
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
    }

    @Test("regression: a count that overflows the interval is an error, not a trap")
    func overflow() {
        #expect(throws: ScheduleError.self) { try SyncSchedule("every 9223372036854775807m") }
        #expect(throws: ScheduleError.self) { try SyncSchedule("every 153722867280912931h") }
    }
}
