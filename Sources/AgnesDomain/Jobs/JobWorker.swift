// A worker's loop over the job queue: claim the next job, keep its lease alive while it runs, record how it ended.
// Every process of role `worker` or `all` runs one; several workers on one PostgreSQL state share the queue.
import AgnesAPI
import AgnesData
import AgnesState
import Foundation
import Logging

public struct JobWorker: Sendable {
    let domain: Domain
    /// This worker's name in `leased_by` (host and process id).
    public let name: String
    /// How long a claim holds a job; renewed every third of it while the job runs.
    public let lease: Duration
    /// How long the loop waits when the queue is empty.
    public let idlePause: Duration

    public init(domain: Domain, name: String = JobWorker.defaultName, lease: Duration = .seconds(30), idlePause: Duration = .seconds(1)) {
        self.domain = domain
        self.name = name
        self.lease = lease
        self.idlePause = idlePause
    }

    public static var defaultName: String { "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)" }

    /// Claims and runs jobs until the task is cancelled.
    public func run() async {
        domain.logger.info("job worker \(name) started")
        while !Task.isCancelled {
            do {
                if try await runNext() == nil { try await Task.sleep(for: idlePause) }
            } catch is CancellationError {
                return
            } catch {
                domain.logger.error("job worker: \(error)")
                try? await Task.sleep(for: idlePause)
            }
        }
    }

    /// Claims one job and runs it to its end; nil when none was due.
    @discardableResult
    public func runNext() async throws -> Job? {
        let jobs = JobsRepository(store: domain.state)
        guard let claim = try await jobs.claim(worker: name, kinds: Array(JobService.kinds), lease: lease) else { return nil }
        domain.logger.info("job \(claim.job.id) (\(claim.job.kind)) started, attempt \(claim.job.attempts) of \(claim.job.maxAttempts)")
        let heartbeat = Task { [lease, logger = domain.logger] in
            while !Task.isCancelled {
                try await Task.sleep(for: lease / 3)
                if try await !jobs.renew(claim, lease: lease) {
                    logger.warning("job \(claim.job.id) lost its lease (another worker claimed it after it expired)")
                    return
                }
            }
        }
        defer { heartbeat.cancel() }
        do {
            let result = try await execute(claim.job)
            heartbeat.cancel()
            if try await jobs.complete(claim, result: result) {
                domain.logger.info("job \(claim.job.id) done")
            } else {
                domain.logger.warning("job \(claim.job.id) finished here after its lease had passed to another worker; its result is not recorded")
            }
        } catch {
            heartbeat.cancel()
            let retry: Duration = .seconds(min(300, 10 << min(claim.job.attempts, 5)))
            try await jobs.fail(claim, error: String(describing: error), retryAfter: retry)
            domain.logger.warning("job \(claim.job.id) failed on attempt \(claim.job.attempts): \(error)")
        }
        return try await jobs.get(id: claim.job.id)
    }

    private func execute(_ job: Job) async throws -> JSONValue {
        switch job.kind {
        case JobKind.sync:
            let tables = try JobKind.syncTables(job.payload)
            let outcomes = try await domain.dataPlane.syncAndWait(tables, trigger: "job")
            return ["tables": .array(outcomes.map { .string($0.tableId) }),
                    "failed": .array(outcomes.filter { $0.error != nil }.map { .string($0.tableId) })]
        case JobKind.rebuild:
            let report = try await domain.dataPlane.rebuild()
            return ["served": .number(Double(report.served.count)), "missing": .array(report.missing.map { .string($0) })]
        default:
            throw ServiceError.badRequest("unknown job kind '\(job.kind)'")
        }
    }
}
