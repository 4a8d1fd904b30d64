// The job queue's wire types: `POST /api/jobs`, `GET /api/jobs`, `GET /api/jobs/{id}` (docs/scale-out.md).
import Foundation

/// Where a job is.
public enum JobStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting for a worker (or for `run_after`, after a failed attempt).
    case queued
    /// A worker holds its lease.
    case running
    case done
    /// Failed on its last allowed attempt.
    case failed
}

/// A job of the queue.
public struct Job: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    /// What to do: `sync` (payload `{"tables": [ids]}` or `{}` for the due tables), `rebuild`.
    public var kind: String
    public var payload: JSONValue
    public var status: JobStatus
    /// Higher runs first.
    public var priority: Int
    /// Not claimed before this time.
    public var runAfter: Date
    /// Attempts started so far.
    public var attempts: Int
    public var maxAttempts: Int
    /// The worker that holds (or last held) the lease.
    public var leasedBy: String?
    public var leaseExpiresAt: Date?
    public var idempotencyKey: String?
    /// The error of the last failed attempt.
    public var lastError: String?
    /// What the job reported when it ended.
    public var result: JSONValue?
    public var createdAt: Date
    public var createdBy: String?
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(id: String, kind: String, payload: JSONValue, status: JobStatus, priority: Int, runAfter: Date, attempts: Int,
                maxAttempts: Int, leasedBy: String?, leaseExpiresAt: Date?, idempotencyKey: String?, lastError: String?,
                result: JSONValue?, createdAt: Date, createdBy: String?, startedAt: Date?, finishedAt: Date?) {
        self.id = id
        self.kind = kind
        self.payload = payload
        self.status = status
        self.priority = priority
        self.runAfter = runAfter
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.leasedBy = leasedBy
        self.leaseExpiresAt = leaseExpiresAt
        self.idempotencyKey = idempotencyKey
        self.lastError = lastError
        self.result = result
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, payload, status, priority, attempts, result
        case runAfter = "run_after"
        case maxAttempts = "max_attempts"
        case leasedBy = "leased_by"
        case leaseExpiresAt = "lease_expires_at"
        case idempotencyKey = "idempotency_key"
        case lastError = "last_error"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }
}

/// The body of `POST /api/jobs`.
public struct JobRequest: Codable, Sendable, Equatable {
    public var kind: String
    public var payload: JSONValue?
    /// While a job with this key is queued or running, the same job is answered instead of a new one.
    public var idempotencyKey: String?
    public var priority: Int?
    public var maxAttempts: Int?

    public init(kind: String, payload: JSONValue? = nil, idempotencyKey: String? = nil, priority: Int? = nil, maxAttempts: Int? = nil) {
        self.kind = kind
        self.payload = payload
        self.idempotencyKey = idempotencyKey
        self.priority = priority
        self.maxAttempts = maxAttempts
    }

    enum CodingKeys: String, CodingKey {
        case kind, payload, priority
        case idempotencyKey = "idempotency_key"
        case maxAttempts = "max_attempts"
    }
}

/// The body of `GET /api/jobs`.
public struct JobList: Codable, Sendable, Equatable {
    public var jobs: [Job]
    public init(jobs: [Job]) { self.jobs = jobs }
}
