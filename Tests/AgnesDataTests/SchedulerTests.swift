// The in-process scheduler, driven through four hours of schedules in a moment by a clock the test steps: each tick
// syncs exactly the tables whose schedule says they are due, and a cancelled wait stops the loop.
import AgnesAPI
@testable import AgnesData
import AgnesState
import Foundation
import Synchronization
import Testing

/// A clock whose time moves only when the scheduler sleeps: each sleep first waits for the sync run the tick started
/// to finish, then moves the time on; after `ticks` sleeps it stops the scheduler.
final class SteppedClock: SyncClock {
    private let time: Mutex<Date>
    private let remaining: Mutex<Int>
    let idle: @Sendable () async -> Void

    init(start: Date, ticks: Int, idle: @escaping @Sendable () async -> Void) {
        time = Mutex(start)
        remaining = Mutex(ticks)
        self.idle = idle
    }

    func now() -> Date { time.withLock { $0 } }

    func sleep(for duration: Duration) async throws {
        await idle()
        let left = remaining.withLock { value -> Int in
            value -= 1
            return value
        }
        if left <= 0 { throw CancellationError() }
        time.withLock { $0 = $0.addingTimeInterval(TimeInterval(duration.components.seconds)) }
    }
}

@Suite("scheduler")
struct SchedulerTests {
    @Test("ticks every 15 minutes for four hours sync each table exactly when its schedule says, and the loop stops when told")
    func schedulerLoop() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-scheduler-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = root.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        try "id\n1\n2\n".write(to: files.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        let state = try StateStore.inMemory()
        _ = try await DataSourcesRepository(store: state).upsert(name: "shop", type: "files", config: #"{"directory":"\#(files.path)"}"#, secretEnv: [])
        let schedules = ["quarterly": "every 15m", "hourly": "every 1h", "nightly": "daily 03:00", "manual": nil as String?, "live": "every 15m"]
        for (id, schedule) in schedules {
            var table = RegisteredTable(id: id, name: id)
            table.sourceName = id == "manual" ? nil : "shop"
            table.sourceTable = "t.csv"
            table.syncSchedule = schedule
            if id == "live" { table.queryMode = .remote }
            _ = try await RegistryRepository(store: state).upsert(table)
        }
        // Midnight UTC, 17 ticks 15 minutes apart: 00:00, 00:15, … 04:00.
        let midnight = Date(timeIntervalSince1970: 1_767_225_600)
        let box = Mutex<DataPlane?>(nil)
        let clock = SteppedClock(start: midnight, ticks: 17) {
            while box.withLock({ $0?.runningTables }) != nil { try? await Task.sleep(for: .milliseconds(5)) }
        }
        let plane = DataPlane(state: state, dataDirectory: root, clock: clock)
        box.withLock { $0 = plane }
        await plane.runScheduler(every: .seconds(15 * 60))

        let syncer = SyncStateRepository(store: state)
        func runs(_ id: String) async throws -> [Date] { try await syncer.history(tableId: id, limit: 100).map(\.startedAt).sorted() }
        #expect(try await runs("quarterly").count == 17)
        #expect(try await runs("hourly") == (0...4).map { midnight.addingTimeInterval(TimeInterval($0 * 3600)) })
        #expect(try await runs("nightly") == [midnight, midnight.addingTimeInterval(3 * 3600)])
        let manual = try await runs("manual"), live = try await runs("live")
        #expect(manual.isEmpty && live.isEmpty, "no source, or served live: never synced by the scheduler")
        #expect(clock.now() == midnight.addingTimeInterval(16 * 15 * 60))
        try await state.close()
    }
}
