// The job queue on both state backends: idempotent enqueueing, claiming with leases, expiry and retries, and
// concurrent claimers that never share a job.
import AgnesAPI
@testable import AgnesState
import Foundation
import Testing

@Suite("job queue")
struct JobsRepositoryTests {
    @Test("a job is claimed once, completed with its result, and an idempotency key answers the same job until it ends", arguments: StateBackendUnderTest.all)
    func lifecycle(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let jobs = JobsRepository(store: store)
            let (job, created) = try await jobs.enqueue(kind: "sync", payload: ["tables": ["orders"]], idempotencyKey: "nightly", createdBy: "admin")
            #expect(created && job.status == .queued && job.attempts == 0 && job.payload == ["tables": ["orders"]])
            let again = try await jobs.enqueue(kind: "sync", payload: [:], idempotencyKey: "nightly", createdBy: "admin")
            #expect(!again.created && again.job.id == job.id)

            let claim = try #require(try await jobs.claim(worker: "w1", lease: .seconds(30)))
            #expect(claim.job.id == job.id && claim.job.status == .running && claim.job.attempts == 1 && claim.job.leasedBy == "w1")
            #expect(try await jobs.claim(worker: "w2", lease: .seconds(30)) == nil, "a held job is not claimed twice")
            #expect(try await jobs.enqueue(kind: "sync", payload: [:], idempotencyKey: "nightly", createdBy: nil).job.id == job.id)
            #expect(try await jobs.renew(claim, lease: .seconds(30)))
            #expect(try await jobs.complete(claim, result: ["synced": 1]))
            let done = try #require(try await jobs.get(id: job.id))
            #expect(done.status == .done && done.result == ["synced": 1] && done.finishedAt != nil)
            #expect(try await jobs.complete(claim, result: [:]) == false, "a finished job cannot be finished again")

            let next = try await jobs.enqueue(kind: "sync", payload: [:], idempotencyKey: "nightly", createdBy: nil)
            #expect(next.created && next.job.id != job.id, "a key whose job ended starts a new one")
            #expect(try await jobs.list().map(\.id) == [next.job.id, job.id])
            #expect(try await jobs.list(status: .done).map(\.id) == [job.id])
        }
    }

    @Test("an expired lease is claimed again with a new token; the old holder can neither renew nor finish; the last attempt fails for good", arguments: StateBackendUnderTest.all)
    func leasesExpire(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let jobs = JobsRepository(store: store)
            let start = Date()
            let job = try await jobs.enqueue(kind: "rebuild", payload: [:], maxAttempts: 2, runAfter: start, createdBy: nil).job
            let first = try #require(try await jobs.claim(worker: "w1", lease: .seconds(10), now: start))
            #expect(try await jobs.claim(worker: "w2", lease: .seconds(10), now: start.addingTimeInterval(5)) == nil)
            let second = try #require(try await jobs.claim(worker: "w2", lease: .seconds(10), now: start.addingTimeInterval(11)))
            #expect(second.job.id == job.id && second.job.attempts == 2 && second.token != first.token && second.job.leasedBy == "w2")
            #expect(try await jobs.renew(first, lease: .seconds(10)) == false)
            #expect(try await jobs.complete(first, result: [:]) == false)
            // The second holder dies too: its lease expires on the last allowed attempt.
            #expect(try await jobs.claim(worker: "w3", lease: .seconds(10), now: start.addingTimeInterval(30)) == nil)
            let failed = try #require(try await jobs.get(id: job.id))
            #expect(failed.status == .failed && failed.lastError?.contains("lease") == true)
        }
    }

    @Test("a failed attempt waits and is retried while attempts remain, then the job fails with the last error", arguments: StateBackendUnderTest.all)
    func retries(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let jobs = JobsRepository(store: store)
            let start = Date()
            let job = try await jobs.enqueue(kind: "sync", payload: [:], maxAttempts: 2, runAfter: start, createdBy: nil).job
            let first = try #require(try await jobs.claim(worker: "w", lease: .seconds(30), now: start))
            #expect(try await jobs.fail(first, error: "source unreachable", retryAfter: .seconds(60), now: start))
            #expect(try await jobs.get(id: job.id)?.status == .queued)
            #expect(try await jobs.claim(worker: "w", lease: .seconds(30), now: start.addingTimeInterval(30)) == nil, "not before run_after")
            let second = try #require(try await jobs.claim(worker: "w", lease: .seconds(30), now: start.addingTimeInterval(61)))
            #expect(try await jobs.fail(second, error: "still unreachable", retryAfter: .seconds(60), now: start.addingTimeInterval(62)))
            let failed = try #require(try await jobs.get(id: job.id))
            #expect(failed.status == .failed && failed.attempts == 2 && failed.lastError == "still unreachable")
        }
    }

    @Test("concurrent claimers take every job exactly once; concurrent enqueuers of one key make one job", arguments: StateBackendUnderTest.all)
    func concurrency(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend, poolSize: 4) { store in
            let jobs = JobsRepository(store: store)
            for index in 0..<24 { _ = try await jobs.enqueue(kind: "sync", payload: ["n": .number(Double(index))], createdBy: nil) }
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var mine: [String] = []
                        while let claim = try await jobs.claim(worker: "w\(worker)", lease: .seconds(60)) {
                            mine.append(claim.job.id)
                            try await jobs.complete(claim, result: [:])
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claimed.count == 24 && Set(claimed).count == 24)

            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await jobs.enqueue(kind: "rebuild", payload: [:], idempotencyKey: "once", createdBy: nil).job.id } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
        }
    }
}
