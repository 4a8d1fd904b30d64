// `HTTPDate.format` writes what a `DateFormatter` with HTTP's pattern writes, for any second.
import AgnesCore
import Foundation
import Testing

@Suite("HTTP dates")
struct HTTPDateTests {
    @Test("RFC 9110's example, and the formatter's answer for dates across two centuries")
    func matchesFormatter() {
        #expect(HTTPDate.format(Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        var generator = SystemRandomNumberGenerator()
        let fixed: [TimeInterval] = [0, 951_782_400, 951_868_799.999, 1_709_164_800, 4_102_444_799]
        for seconds in fixed + (0..<2_000).map({ _ in TimeInterval(Int.random(in: 0...4_102_444_799, using: &generator)) + 0.75 }) {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(HTTPDate.format(date) == formatter.string(from: date), "\(seconds)")
        }
    }
}
