// Processes sharing one data directory: work on a shared file runs in one process at a time (a PostgreSQL advisory
// lock), and each process's scratch folder is its own and is removed once the process is gone.
import AgnesCore
import AgnesTestSupport
@testable import AgnesState
import Foundation
import Synchronization
import Testing

@Suite("shared data directory")
struct SharedDataDirectoryTests {
    /// Runs `work` on `count` threads at once and waits for all of them.
    private func concurrently(_ count: Int, _ work: @escaping @Sendable (Int) throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count { group.addTask { try await offTheCooperativePool { try work(index) } } }
            try await group.waitForAll()
        }
    }

    @Test("work of one name runs in one process at a time on a PostgreSQL state; work of other names runs alongside")
    func exclusiveWork() async throws {
        let database = try await SharedStatePostgres.createDatabase()
        defer { SharedStatePostgres.dropInBackground(database) }
        // Each caller holds the lock on a connection of its own, as separate processes do.
        let work = ExclusiveWork(location: .postgreSQL(database))
        let inside = Atomic<Int>(0), most = Atomic<Int>(0), runs = Atomic<Int>(0)
        try await concurrently(4) { _ in
            try work.run("slice:orders/v1-abc") {
                let now = inside.add(1, ordering: .sequentiallyConsistent).newValue
                _ = most.max(now, ordering: .sequentiallyConsistent)
                usleep(150_000)
                inside.subtract(1, ordering: .sequentiallyConsistent)
                runs.add(1, ordering: .relaxed)
            }
        }
        #expect(runs.load(ordering: .relaxed) == 4 && most.load(ordering: .sequentiallyConsistent) == 1, "work of one name overlapped")

        let others = Atomic<Int>(0), othersMost = Atomic<Int>(0)
        try await concurrently(3) { index in
            try work.run("slice:orders/v1-\(index)") {
                let now = others.add(1, ordering: .sequentiallyConsistent).newValue
                _ = othersMost.max(now, ordering: .sequentiallyConsistent)
                usleep(400_000)
                others.subtract(1, ordering: .sequentiallyConsistent)
            }
        }
        #expect(othersMost.load(ordering: .sequentiallyConsistent) > 1, "work of different names waited for each other")
        // An embedded state runs the work as it is.
        #expect(try ExclusiveWork(location: .embedded).run("x") { 42 } == 42)
    }

    @Test("a process's scratch folder is its own; those of gone processes are removed, other hosts' and live ones kept")
    func scratchFolders() async throws {
        try await withDataDirectory { data in
            let mine = ScratchSpace.directory(in: data)
            #expect(mine.lastPathComponent.hasSuffix("-\(getpid())") && mine.deletingLastPathComponent().lastPathComponent == "tmp")
            let host = String(mine.lastPathComponent.dropLast("-\(getpid())".count))
            // A pid no process has (beyond the kernel's maximum), one that is alive (pid 1), another host's, and the
            // shared folders of earlier versions.
            let names = [mine.lastPathComponent, "\(host)-99999999", "\(host)-1", "other-host-42", "scans", "staging", "whole"]
            for name in names {
                try FileManager.default.createDirectory(at: data.appendingPathComponent("tmp/\(name)/x"), withIntermediateDirectories: true)
            }
            #expect(Set(ScratchSpace.removeAbandoned(in: data, alone: false)) == ["\(host)-99999999"])
            #expect(Set(ScratchSpace.removeAbandoned(in: data, alone: true)) == ["scans", "staging", "whole"])
            let left = try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("tmp").path)
            #expect(Set(left) == [mine.lastPathComponent, "\(host)-1", "other-host-42"])
        }
    }
}
