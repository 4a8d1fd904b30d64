// ISO 8601 timestamps in UTC (`2026-12-05T03:46:44Z`, `2026-12-05T03:46:44.120Z`), read and written without Foundation's
// date machinery: its formatters load ICU's locale and time-zone data, megabytes a process otherwise never touches.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

public enum UTCTimestamp {
    /// The date `text` names when it is `YYYY-MM-DDTHH:MM:SSZ` (what `JSONEncoder`'s `.iso8601` writes), else nil.
    /// A `JSONDecoder` reading a date with `.iso8601` loads the ICU time-zone data first, about a millisecond of a
    /// command that otherwise takes twenty.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int32? {
            var value: Int32 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int32(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = timegm(&parts)
        // timegm normalizes (February 30th becomes March 2nd): such a text names no date.
        guard parts.tm_mday == day, parts.tm_mon == month - 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`: what `ISO8601DateFormatter` writes with `.withFractionalSeconds`, to the nearest
    /// millisecond. For dates from year 0 to 9999.
    public static func formatMilliseconds(_ date: Date) -> String {
        // In whole milliseconds first, to the nearest: a `Date` counts from 2001, so its time since 1970 carries
        // rounding errors (1970's 0.999 s comes back as 0.99899…), which truncating would turn into a millisecond less.
        let total = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (quotient, remainder) = total.quotientAndRemainder(dividingBy: 1000)
        var whole = time_t(remainder < 0 ? quotient - 1 : quotient)
        let milliseconds = Int(remainder < 0 ? remainder + 1000 : remainder)
        var parts = tm()
        gmtime_r(&whole, &parts)
        var bytes = [UInt8]()
        bytes.reserveCapacity(24)
        func append(_ value: Int, digits: Int, then separator: Character?) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
            if let separator { bytes.append(separator.asciiValue!) }
        }
        append(Int(parts.tm_year) + 1900, digits: 4, then: "-")
        append(Int(parts.tm_mon) + 1, digits: 2, then: "-")
        append(Int(parts.tm_mday), digits: 2, then: "T")
        append(Int(parts.tm_hour), digits: 2, then: ":")
        append(Int(parts.tm_min), digits: 2, then: ":")
        append(Int(parts.tm_sec), digits: 2, then: ".")
        append(milliseconds, digits: 3, then: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }
}
