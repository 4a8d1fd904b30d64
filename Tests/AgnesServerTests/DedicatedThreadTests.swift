// `DedicatedThread` runs background work on a thread of its own: what it returns or throws comes back, and the shared
// blocking pool stays free for requests while it runs.
import AgnesCore
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

@Suite("dedicated threads")
struct DedicatedThreadTests {
    struct Failure: Error, Equatable {}

    @Test("the body's result and its error come back")
    func resultAndError() async throws {
        #expect(try await DedicatedThread.run { 6 * 7 } == 42)
        await #expect(throws: Failure.self) { try await DedicatedThread.run { () throws -> Int in throw Failure() } }
    }

    @Test("while as many bodies as the shared pool has threads are blocked, the pool still runs work")
    func poolStaysFree() async throws {
        final class Progress: Sendable { let started = Atomic<Int>(0), ran = Atomic<Bool>(false) }
        let progress = Progress()
        let release = DispatchSemaphore(value: 0)
        let count = NIOSingletons.blockingPoolThreadCountSuggestion
        async let blocked: Void = withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask { try await DedicatedThread.run { progress.started.add(1, ordering: .relaxed); release.wait() } }
            }
            try await group.waitForAll()
        }
        // Waited for by polling, with time limits: the test never blocks a thread of Swift's own pool, and a shared
        // pool held by the bodies fails it instead of hanging it. The limits are long because the rest of the suite,
        // running beside this test, can keep both pools busy for half a minute.
        try await Self.poll(seconds: 300) { progress.started.load(ordering: .relaxed) == count }
        let startedCount = progress.started.load(ordering: .relaxed)
        #expect(startedCount == count)
        NIOThreadPool.singleton.submit { _ in progress.ran.store(true, ordering: .relaxed) }
        try await Self.poll(seconds: 120) { progress.ran.load(ordering: .relaxed) }
        let ran = progress.ran.load(ordering: .relaxed)
        #expect(ran, "the shared pool ran nothing while the bodies were blocked")
        for _ in 0..<count { release.signal() }
        try await blocked
    }

    /// Returns once `condition` holds or `seconds` have passed.
    static func poll(seconds: Int, _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }
}
