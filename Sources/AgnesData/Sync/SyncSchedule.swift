// When a table is due for a sync: `every 15m`, `every 2h`, `daily 03:00[,15:00]` (UTC), or no schedule (every tick).
import Foundation

/// A parsed `sync_schedule`.
public enum SyncSchedule: Sendable, Equatable {
    /// Every scheduler tick.
    case always
    /// At least this many seconds after the last sync.
    case every(TimeInterval)
    /// After each of these UTC times of day (minutes after midnight) once per day.
    case daily([Int])

    /// Parses a schedule; nil or empty text is `.always`. Throws a message naming the accepted forms.
    public init(_ text: String?) throws {
        let text = (text ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if text.isEmpty { self = .always; return }
        let problem = ScheduleError(text: text)
        if text.hasPrefix("every ") {
            let amount = text.dropFirst("every ".count).trimmingCharacters(in: .whitespaces)
            guard let unit = amount.last, let count = Int(amount.dropLast()), count > 0 else { throw problem }
            let seconds: (partialValue: Int, overflow: Bool)
            switch unit {
            case "m": seconds = count.multipliedReportingOverflow(by: 60)
            case "h": seconds = count.multipliedReportingOverflow(by: 3600)
            default: throw problem
            }
            guard !seconds.overflow else { throw problem }
            self = .every(TimeInterval(seconds.partialValue))
            return
        }
        if text.hasPrefix("daily ") {
            let times = try text.dropFirst("daily ".count).split(separator: ",").map { part -> Int in
                let pieces = part.trimmingCharacters(in: .whitespaces).split(separator: ":")
                guard pieces.count == 2, pieces[0].count == 2, pieces[1].count == 2, let hour = Int(pieces[0]), let minute = Int(pieces[1]),
                      (0..<24).contains(hour), (0..<60).contains(minute) else { throw problem }
                return hour * 60 + minute
            }
            guard !times.isEmpty else { throw problem }
            self = .daily(times.sorted())
            return
        }
        throw problem
    }

    /// Whether a table last synced at `lastSync` (nil: never) is due at `now`.
    public func isDue(lastSync: Date?, now: Date = Date()) -> Bool {
        guard let lastSync else { return true }
        switch self {
        case .always: return true
        case let .every(interval): return now.timeIntervalSince(lastSync) >= interval
        case let .daily(times):
            // Due when a scheduled time of day passed after the last sync (looking back over today and yesterday).
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let today = calendar.startOfDay(for: now)
            for day in [today, today.addingTimeInterval(-86_400)] {
                for minutes in times {
                    let slot = day.addingTimeInterval(TimeInterval(minutes * 60))
                    if slot <= now && slot > lastSync { return true }
                }
            }
            return false
        }
    }
}

/// A schedule that does not parse.
public struct ScheduleError: Error, CustomStringConvertible, Equatable {
    public let text: String
    public var description: String {
        "invalid sync_schedule '\(text)': use 'every Nm', 'every Nh' or 'daily HH:MM[,HH:MM…]' (UTC)"
    }
}
