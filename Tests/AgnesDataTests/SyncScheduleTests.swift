// Sync schedules: parsing, errors that name the accepted forms, and when a table is due.
@testable import AgnesData
import Foundation
import Testing

@Suite("sync schedules")
struct SyncScheduleTests {
    let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    func at(_ day: Int, _ hour: Int, _ minute: Int) -> Date {
        utc.date(from: DateComponents(year: 2026, month: 11, day: day, hour: hour, minute: minute))!
    }

    @Test("every Nm, every Nh, daily HH:MM[,HH:MM] and none parse; anything else is refused with the accepted forms")
    func parsing() throws {
        #expect(try SyncSchedule(nil) == .always)
        #expect(try SyncSchedule("every 15m") == .every(900))
        #expect(try SyncSchedule("Every 2h") == .every(7200))
        #expect(try SyncSchedule("daily 15:00,03:00") == .daily([180, 900]))
        for bad in ["every", "every 0m", "every 5s", "hourly", "daily 3:00", "daily 24:00", "daily 03:60", "daily "] {
            #expect(throws: ScheduleError.self, "\(bad)") { try SyncSchedule(bad) }
        }
        #expect(ScheduleError(text: "hourly").description.contains("every Nm"))
    }

    @Test("due: never synced, an interval elapsed, or a daily time passed since the last sync")
    func due() throws {
        let now = at(22, 10, 0)
        #expect(SyncSchedule.always.isDue(lastSync: now, now: now))
        #expect(try SyncSchedule("every 15m").isDue(lastSync: nil, now: now))
        #expect(!(try SyncSchedule("every 15m").isDue(lastSync: at(22, 9, 50), now: now)))
        #expect(try SyncSchedule("every 15m").isDue(lastSync: at(22, 9, 45), now: now))
        let daily = try SyncSchedule("daily 03:00,15:00")
        #expect(daily.isDue(lastSync: at(22, 2, 0), now: now))
        #expect(!daily.isDue(lastSync: at(22, 3, 30), now: now))
        #expect(daily.isDue(lastSync: at(21, 14, 0), now: now))
        #expect(daily.isDue(lastSync: at(22, 3, 30), now: at(22, 15, 1)))
    }
}
