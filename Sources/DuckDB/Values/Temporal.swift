// DuckDB's date, time, timestamp and interval values, stored exactly as DuckDB stores them.
import Foundation

/// A calendar date (DuckDB `DATE`): days since 1970-01-01 in the proleptic Gregorian calendar.
public struct DuckDBDate: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Days since 1970-01-01; negative before it.
    public var days: Int32

    public init(days: Int32) { self.days = days }

    /// The date of a year, month (1–12) and day (1–31).
    public init(year: Int, month: Int, day: Int) {
        days = Int32(CivilCalendar.days(year: year, month: month, day: day))
    }

    /// Year, month and day of this date.
    public var components: (year: Int, month: Int, day: Int) { CivilCalendar.civil(days: Int(days)) }

    /// Midnight UTC of this date.
    public var date: Date { Date(timeIntervalSince1970: Double(days) * 86_400) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.days < rhs.days }

    /// ISO-8601 (`2024-02-29`; years before 1 are written with a sign, as ISO-8601 expanded years).
    public var description: String {
        let (y, m, d) = components
        return "\(CivilCalendar.formatYear(y))-\(CivilCalendar.pad2(m))-\(CivilCalendar.pad2(d))"
    }
}

/// A time of day without a time zone (DuckDB `TIME`), in microseconds since midnight.
public struct DuckDBTime: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public init(hour: Int, minute: Int, second: Int, microsecond: Int = 0) {
        microseconds = Int64(((hour * 60 + minute) * 60 + second)) * 1_000_000 + Int64(microsecond)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.microseconds < rhs.microseconds }

    public var description: String {
        let seconds = microseconds / 1_000_000
        let fraction = microseconds % 1_000_000
        var text = "\(CivilCalendar.pad2(Int(seconds / 3600))):\(CivilCalendar.pad2(Int(seconds / 60 % 60))):\(CivilCalendar.pad2(Int(seconds % 60)))"
        if fraction != 0 { text += "." + CivilCalendar.fraction(fraction, digits: 6) }
        return text
    }
}

/// A point in time (DuckDB `TIMESTAMP`, `TIMESTAMP_S/_MS/_NS` and `TIMESTAMPTZ`), kept in the unit DuckDB stores.
public struct DuckDBTimestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The resolution a timestamp is stored with.
    public enum Unit: Int, Sendable, Hashable, Comparable {
        case seconds = 1
        case milliseconds = 1_000
        case microseconds = 1_000_000
        case nanoseconds = 1_000_000_000

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Units of `unit` since 1970-01-01 00:00:00 UTC.
    public var value: Int64
    public var unit: Unit

    public init(value: Int64, unit: Unit = .microseconds) {
        self.value = value
        self.unit = unit
    }

    /// A microsecond timestamp (DuckDB's default `TIMESTAMP` resolution).
    public init(microseconds: Int64) { self.init(value: microseconds, unit: .microseconds) }

    /// The timestamp of a Foundation date, at microsecond resolution; a date beyond what 64-bit microseconds hold
    /// (about 292,000 years either side of 1970) is clamped to the nearest end rather than trapping.
    public init(_ date: Date) {
        let microseconds = (date.timeIntervalSince1970 * 1_000_000).rounded()
        self.init(microseconds: Int64(exactly: microseconds) ?? (microseconds.isNaN ? 0 : microseconds < 0 ? Int64.min : Int64.max))
    }

    /// Microseconds since the epoch (nanosecond timestamps are truncated toward negative infinity).
    public var microseconds: Int64 {
        switch unit {
        case .seconds: return value * 1_000_000
        case .milliseconds: return value * 1_000
        case .microseconds: return value
        case .nanoseconds: return value >= 0 ? value / 1_000 : (value - 999) / 1_000
        }
    }

    /// The same instant as a Foundation date (to Double precision).
    public var date: Date {
        let perSecond = Int64(unit.rawValue)
        let seconds = value >= 0 ? value / perSecond : (value - perSecond + 1) / perSecond
        let fraction = value - seconds * perSecond
        return Date(timeIntervalSince1970: Double(seconds) + Double(fraction) / Double(perSecond))
    }

    /// Comparison across units is by instant.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        let unit = max(lhs.unit, rhs.unit)
        let l = lhs.widened(to: unit), r = rhs.widened(to: unit)
        return l < r
    }

    private func widened(to target: Unit) -> Int128 {
        Int128(value) * Int128(target.rawValue / unit.rawValue)
    }

    /// ISO-8601 in UTC, with as many fractional digits as the unit holds and no trailing zeros.
    public var description: String {
        let perSecond = Int64(unit.rawValue)
        var seconds = value / perSecond
        var fraction = value % perSecond
        if fraction < 0 { seconds -= 1; fraction += perSecond }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { days -= 1; secondOfDay += 86_400 }
        let date = DuckDBDate(days: Int32(clamping: days))
        var text = "\(date) \(CivilCalendar.pad2(Int(secondOfDay / 3600))):\(CivilCalendar.pad2(Int(secondOfDay / 60 % 60))):\(CivilCalendar.pad2(Int(secondOfDay % 60)))"
        if fraction != 0 {
            let digits = String(perSecond).count - 1
            text += "." + CivilCalendar.fraction(fraction, digits: digits)
        }
        return text
    }
}

/// A calendar interval (DuckDB `INTERVAL`): months, days and microseconds, each kept separately as DuckDB does.
public struct DuckDBInterval: Hashable, Sendable, CustomStringConvertible {
    public var months: Int32
    public var days: Int32
    public var microseconds: Int64

    public init(months: Int32 = 0, days: Int32 = 0, microseconds: Int64 = 0) {
        self.months = months
        self.days = days
        self.microseconds = microseconds
    }

    public var description: String { "\(months) months \(days) days \(microseconds) microseconds" }
}

/// Conversions between day numbers and civil dates (Howard Hinnant's algorithms, valid for any Int range used here).
enum CivilCalendar {
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    static func formatYear(_ year: Int) -> String {
        if year >= 0 && year <= 9999 {
            let text = String(year)
            return String(repeating: "0", count: 4 - text.count) + text
        }
        let text = String(abs(year))
        return (year < 0 ? "-" : "+") + String(repeating: "0", count: max(0, 4 - text.count)) + text
    }

    /// A fraction of a second with `digits` digits, trailing zeros removed.
    static func fraction(_ value: Int64, digits: Int) -> String {
        var text = String(value)
        text = String(repeating: "0", count: max(0, digits - text.count)) + text
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
