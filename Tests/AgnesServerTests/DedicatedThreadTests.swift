// `DedicatedThread` runs background work on a thread of its own: what it returns or throws comes back, and the shared
// blocking pool stays free for requests while it runs.
import AgnesCore
import Foundation
import NIOCore
import NIOPosix
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
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let count = NIOSingletons.blockingPoolThreadCountSuggestion
        async let blocked: Void = withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask { try await DedicatedThread.run { started.signal(); release.wait() } }
            }
            try await group.waitForAll()
        }
        for _ in 0..<count { #expect(started.wait(timeout: .now() + 10) == .success) }
        // Waited for with a time limit, so that a pool held by the bodies fails the test instead of hanging it.
        let ran = DispatchSemaphore(value: 0)
        NIOThreadPool.singleton.submit { _ in ran.signal() }
        #expect(ran.wait(timeout: .now() + 5) == .success, "the shared pool ran nothing while the bodies were blocked")
        for _ in 0..<count { release.signal() }
        try await blocked
    }
}
