// A grant scope is built once: callers that ask for it while it is being built wait for that build and get the same
// scope; a build that fails reaches every caller waiting for it, is not kept, and the next caller builds again.
@testable import AgnesData
import Foundation
import Synchronization
import Testing

@Suite("grant scope cache")
struct GrantScopeCacheTests {
    struct Failure: Error {}

    /// Runs `body` on `count` threads of their own at once and waits for all of them.
    private func onThreads(_ count: Int, _ body: @escaping @Sendable () -> Void) {
        let group = DispatchGroup()
        for _ in 0..<count {
            group.enter()
            Thread.detachNewThread {
                body()
                group.leave()
            }
        }
        group.wait()
    }

    @Test("callers asking for a scope while it is built share that build")
    func oneBuild() {
        let cache = GrantScopeCache(capacity: 4)
        let builds = Atomic<Int>(0)
        let received = Mutex<[ObjectIdentifier]>([])
        onThreads(4) {
            let scope = try? cache.scope(for: ["a"], enforcing: false) {
                builds.add(1, ordering: .relaxed)
                Thread.sleep(forTimeInterval: 0.3)  // the other callers arrive meanwhile
                return try GrantScope(tables: [], enforcing: false, engine: [:], settings: EngineSettings())
            }
            received.withLock { $0.append(scope.map(ObjectIdentifier.init) ?? ObjectIdentifier(Failure.self)) }
        }
        #expect(builds.load(ordering: .relaxed) == 1)
        let identities = received.withLock { $0 }
        #expect(identities.count == 4 && Set(identities).count == 1 && cache.count == 1)
    }

    @Test("a failed build reaches its waiters and is not kept")
    func failedBuild() throws {
        let cache = GrantScopeCache(capacity: 4)
        let attempts = Atomic<Int>(0), failures = Atomic<Int>(0)
        onThreads(3) {
            do {
                _ = try cache.scope(for: ["b"], enforcing: false) {
                    attempts.add(1, ordering: .relaxed)
                    Thread.sleep(forTimeInterval: 0.3)
                    throw Failure()
                }
            } catch is Failure {
                failures.add(1, ordering: .relaxed)
            } catch {}
        }
        #expect(attempts.load(ordering: .relaxed) == 1 && failures.load(ordering: .relaxed) == 3 && cache.count == 0)
        _ = try cache.scope(for: ["b"], enforcing: false) {
            attempts.add(1, ordering: .relaxed)
            return try GrantScope(tables: [], enforcing: false, engine: [:], settings: EngineSettings())
        }
        #expect(attempts.load(ordering: .relaxed) == 2 && cache.count == 1)
    }
}
