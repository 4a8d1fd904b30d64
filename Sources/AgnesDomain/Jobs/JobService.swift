// `POST /api/jobs`, `GET /api/jobs`, `GET /api/jobs/{id}`: work handed to the worker processes through the queue
// (administrators and the scheduler token).
import AgnesAPI
import AgnesState
import Foundation

public struct JobService: Sendable {
    let domain: Domain

    /// The kinds a worker knows how to run.
    public static let kinds: Set<String> = [JobKind.sync, JobKind.rebuild]

    /// Queues a job (or answers the one its idempotency key names while that is queued or running).
    public func enqueue(_ request: JobRequest, for caller: Caller) async throws -> Job {
        try caller.requireAdmin()
        guard Self.kinds.contains(request.kind) else {
            throw ServiceError.badRequest("unknown job kind '\(request.kind)'; known kinds: \(Self.kinds.sorted().joined(separator: ", "))")
        }
        let payload = request.payload ?? [:]
        if request.kind == JobKind.sync { _ = try JobKind.syncTables(payload) }
        if let key = request.idempotencyKey, key.isEmpty || key.count > 200 {
            throw ServiceError.badRequest("idempotency_key must be 1 to 200 characters")
        }
        let maxAttempts = request.maxAttempts ?? 3
        guard (1...100).contains(maxAttempts) else { throw ServiceError.badRequest("max_attempts must be between 1 and 100") }
        let priority = request.priority ?? 0
        guard (-1_000...1_000).contains(priority) else { throw ServiceError.badRequest("priority must be between -1000 and 1000") }
        let (job, created) = try await JobsRepository(store: domain.state).enqueue(
            kind: request.kind, payload: payload, idempotencyKey: request.idempotencyKey, priority: priority, maxAttempts: maxAttempts,
            createdBy: caller.identity.user.email)
        caller.audit.record("jobs.enqueue", resource: job.id, params: ["kind": job.kind, "created": String(created)])
        return job
    }

    /// The scheduler of a shared state: every `interval`, while this process holds the scheduler's lease, queues a
    /// sync of the due tables for the workers (one such job at a time: its idempotency key). A process that takes the
    /// lease over ticks at once. Runs until cancelled.
    public func scheduleDueSyncs(lease: LeaderLease, every interval: Duration = .seconds(60), check: Duration = .seconds(1)) async {
        domain.logger.info("scheduler on (elected): due tables are queued for the workers every \(interval)")
        var wasHeld = false
        var nextTick = ContinuousClock.now
        while !Task.isCancelled {
            let held = lease.isHeld
            if held != wasHeld {
                domain.logger.info(held ? "this process runs the scheduler" : "this process no longer runs the scheduler")
                nextTick = ContinuousClock.now
            }
            wasHeld = held
            if held && ContinuousClock.now >= nextTick {
                nextTick = ContinuousClock.now + interval
                do {
                    let (job, created) = try await JobsRepository(store: domain.state).enqueue(
                        kind: JobKind.sync, payload: ["tables": .null], idempotencyKey: "scheduler:sync", createdBy: "system:scheduler")
                    if created { domain.logger.info("scheduler queued job \(job.id)") }
                } catch {
                    domain.logger.error("scheduler tick failed: \(error)")
                }
            }
            do { try await Task.sleep(for: check) } catch { return }
        }
    }

    /// Jobs, newest first.
    public func list(status: String?, limit: Int?, for caller: Caller) async throws -> JobList {
        try caller.requireAdmin()
        let parsed = try status.map { text in
            guard let value = JobStatus(rawValue: text) else {
                throw ServiceError.badRequest("status must be one of \(JobStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        return JobList(jobs: try await JobsRepository(store: domain.state).list(status: parsed, limit: limit ?? 100))
    }

    /// One job.
    public func get(id: String, for caller: Caller) async throws -> Job {
        try caller.requireAdmin()
        guard let job = try await JobsRepository(store: domain.state).get(id: id) else { throw ServiceError.notFound("Job not found") }
        return job
    }
}

/// The job kinds and their payloads.
public enum JobKind {
    /// Syncs `{"tables": [ids]}`, or the due tables when `tables` is absent or null.
    public static let sync = "sync"
    /// Rebuilds the query engine from the registry.
    public static let rebuild = "rebuild"

    /// The table ids of a sync payload (nil: the due tables); a payload of another shape is a bad request.
    static func syncTables(_ payload: JSONValue) throws -> [String]? {
        guard case let .object(fields) = payload else { throw ServiceError.badRequest("a sync job's payload is an object: {\"tables\": [ids]}") }
        switch fields["tables"] {
        case nil, .null?: return nil
        case let .array(values)?:
            return try values.map { value in
                guard case let .string(id) = value else { throw ServiceError.badRequest("a sync job's tables are table ids (strings)") }
                return id
            }
        default: throw ServiceError.badRequest("a sync job's tables are a list of table ids")
        }
    }
}
