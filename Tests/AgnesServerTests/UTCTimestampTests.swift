// `UTCTimestamp.parse` reads what `JSONEncoder`'s `.iso8601` writes, to the same date, and nothing else; `formatMilliseconds`
// writes what `ISO8601DateFormatter` does with fractional seconds.
import AgnesCore
import Foundation
import Testing

@Suite("UTC timestamps")
struct UTCTimestampTests {
    @Test("the encoder's own text reads back as the same second, across two centuries")
    func roundTrip() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var generator = SystemRandomNumberGenerator()
        let fixed: [TimeInterval] = [0, 951_782_400, 951_868_799, 1_709_164_800, 4_102_444_799]
        for seconds in fixed + (0..<1_000).map({ _ in TimeInterval(Int.random(in: 0...4_102_444_799, using: &generator)) }) {
            let date = Date(timeIntervalSince1970: seconds)
            let text = try JSONDecoder().decode(String.self, from: try encoder.encode(date))
            #expect(UTCTimestamp.parse(text) == date, "\(text)")
        }
    }

    @Test("milliseconds are written as ISO8601DateFormatter writes them, across two centuries")
    func formatsMilliseconds() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        let fixed: [TimeInterval] = [0, 0.999, 951_782_400.5, 1_709_251_199.001, 4_102_444_799.999]
        for seconds in fixed + (0..<2_000).map({ _ in TimeInterval(Int.random(in: 0...4_102_444_799_999, using: &generator)) / 1000 }) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(UTCTimestamp.formatMilliseconds(date) == formatter.string(from: date), "\(seconds)")
        }
        #expect(UTCTimestamp.formatMilliseconds(Date(timeIntervalSince1970: 1_709_251_199.25)) == "2024-02-29T23:59:59.250Z")
    }

    @Test("anything but YYYY-MM-DDTHH:MM:SSZ, or a day that does not exist, is nil")
    func rejects() {
        for text in ["", "2026-12-05", "2026-12-05T03:46:44", "2026-12-05T03:46:44+01:00", "2026-12-05T03:46:44.5Z", "2026-13-05T03:46:44Z",
                     "2026-02-30T00:00:00Z", "2026-12-05T24:00:00Z", "2026-12-0aT03:46:44Z", " 2026-12-05T03:46:44Z"] {
            #expect(UTCTimestamp.parse(text) == nil, "\(text)")
        }
        #expect(UTCTimestamp.parse("2024-02-29T23:59:59Z") == Date(timeIntervalSince1970: 1_709_251_199))
    }
}
