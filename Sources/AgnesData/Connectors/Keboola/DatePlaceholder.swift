// Date placeholders in `where_filters` values (upstream's): `{{today}}`, `{{yesterday}}`, `{{this_month}}` and
// `{{last_month}}` (their first days), `{{this_year}}` and `{{last_year}}` (their first days), as `YYYY-MM-DD` in UTC,
// resolved when a sync runs so a filter like "from the start of last month" moves with the calendar.
import Foundation

public enum DatePlaceholder {
    public static let names = ["today", "yesterday", "this_month", "last_month", "this_year", "last_year"]

    /// The date `text` stands for at `now`; `text` itself when it is no placeholder; nil for an unknown placeholder.
    public static func resolve(_ text: String, now: Date) -> String? {
        guard text.hasPrefix("{{"), text.hasSuffix("}}") else { return text }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let today = calendar.startOfDay(for: now)
        let parts = calendar.dateComponents([.year, .month], from: today)
        let monthStart = calendar.date(from: parts)!, yearStart = calendar.date(from: DateComponents(year: parts.year))!
        let date: Date? = switch text.dropFirst(2).dropLast(2).trimmingCharacters(in: .whitespaces) {
        case "today": today
        case "yesterday": calendar.date(byAdding: .day, value: -1, to: today)
        case "this_month": monthStart
        case "last_month": calendar.date(byAdding: .month, value: -1, to: monthStart)
        case "this_year": yearStart
        case "last_year": calendar.date(byAdding: .year, value: -1, to: yearStart)
        default: nil
        }
        guard let date else { return nil }
        let formatter = DateFormatter()
        formatter.calendar = calendar
        formatter.timeZone = calendar.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
