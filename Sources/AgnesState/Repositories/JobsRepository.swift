// The job queue: enqueued work that worker processes claim with a lease they keep renewing. A worker that dies
// stops renewing; once its lease has expired another worker claims the job again, until `max_attempts` attempts
// have started. On PostgreSQL claimers skip the rows another claimer holds (`FOR UPDATE SKIP LOCKED`).
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes `jobs` and `job_keys`. Job rows feed no cache, so their writes leave the caches as they are.
public struct JobsRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    static let columns = """
        id, kind, payload, status, priority, run_after, attempts, max_attempts, leased_by, lease_expires_at, idempotency_key,
        last_error, result, created_at, created_by, started_at, finished_at
        """

    /// A claimed job and the token that proves the lease (renewing and finishing need it).
    public struct Claim: Sendable, Equatable {
        public let job: Job
        public let token: String
    }

    /// Adds a job, or — when `idempotencyKey` names a job still queued or running — answers that one (`created`
    /// false).
    public func enqueue(kind: String, payload: JSONValue, idempotencyKey: String? = nil, priority: Int = 0, maxAttempts: Int = 3,
                        runAfter: Date = Date(), createdBy: String?) async throws -> (job: Job, created: Bool) {
        guard (1...100).contains(maxAttempts) else { throw StateError.invalid("max_attempts must be between 1 and 100") }
        let payloadText = String(decoding: try JSONCoding.encoder.encode(payload), as: UTF8.self)
        let id = Identifier.make()
        return try await store.writeKeepingCaches { connection in
            if let idempotencyKey {
                if let existing = try connection.scalar(String.self, "SELECT job_id FROM job_keys WHERE idempotency_key = $1", idempotencyKey),
                   let job = try Self.fetch(connection, id: existing), job.status == .queued || job.status == .running {
                    return (job, false)
                }
                try updateOrInsert(connection, update: "UPDATE job_keys SET job_id = $2 WHERE idempotency_key = $1", [idempotencyKey, id],
                                   insert: "INSERT INTO job_keys (idempotency_key, job_id) VALUES ($1, $2)", [idempotencyKey, id])
            }
            try connection.execute("""
                INSERT INTO jobs (id, kind, payload, status, priority, run_after, attempts, max_attempts, idempotency_key, created_at, created_by)
                VALUES ($1, $2, $3, 'queued', $4, $5, 0, $6, $7, $8, $9)
                """, id, kind, payloadText, priority, runAfter, maxAttempts, idempotencyKey, Date(), createdBy)
            return (try Self.fetch(connection, id: id)!, true)
        }
    }

    /// Claims the next job that is due (highest priority, then oldest), or one whose lease expired, for `worker`,
    /// holding it for `lease`; nil when there is none. A job whose lease expired on its last attempt is marked failed.
    public func claim(worker: String, kinds: [String]? = nil, lease: Duration, now: Date = Date()) async throws -> Claim? {
        let token = Identifier.make()
        let expires = now.addingTimeInterval(lease.seconds)
        // An idle queue costs a read, not a write transaction, per poll.
        let due = try await store.read { connection in
            try connection.scalar(Bool.self, """
                SELECT count(*) > 0 FROM jobs WHERE (status = 'queued' AND run_after <= $1) OR (status = 'running' AND lease_expires_at < $1)
                """, now)
        }
        guard due == true else { return nil }
        return try await store.writeKeepingCaches { connection in
            try connection.execute("""
                UPDATE jobs SET status = 'failed', finished_at = $1, lease_token = NULL,
                       last_error = coalesce(last_error, 'the worker stopped renewing its lease on the last attempt')
                WHERE status = 'running' AND lease_expires_at < $1 AND attempts >= max_attempts
                """, now)
            guard let id = try connection.scalar(String.self, """
                SELECT id FROM jobs
                WHERE ((status = 'queued' AND run_after <= $1) OR (status = 'running' AND lease_expires_at < $1))
                  AND ($2::VARCHAR[] IS NULL OR list_contains($2, kind))
                ORDER BY priority DESC, run_after, created_at, id
                LIMIT 1\(connection.dialect.skipLocked)
                """, now, kinds) else { return nil }
            try connection.execute("""
                UPDATE jobs SET status = 'running', attempts = attempts + 1, leased_by = $2, lease_token = $3, lease_expires_at = $4,
                       started_at = coalesce(started_at, $5)
                WHERE id = $1
                """, id, worker, token, expires, now)
            return Claim(job: try Self.fetch(connection, id: id)!, token: token)
        }
    }

    /// Extends a held lease; false when the lease was lost (it expired and another worker claimed the job).
    public func renew(_ claim: Claim, lease: Duration, now: Date = Date()) async throws -> Bool {
        try await store.writeKeepingCaches { connection in
            try connection.execute("UPDATE jobs SET lease_expires_at = $3 WHERE id = $1 AND lease_token = $2 AND status = 'running'",
                                   claim.job.id, claim.token, now.addingTimeInterval(lease.seconds)) == 1
        }
    }

    /// Ends a held job as done with `result`; false when the lease was lost.
    @discardableResult
    public func complete(_ claim: Claim, result: JSONValue, now: Date = Date()) async throws -> Bool {
        let resultText = String(decoding: try JSONCoding.encoder.encode(result), as: UTF8.self)
        return try await store.writeKeepingCaches { connection in
            try connection.execute("""
                UPDATE jobs SET status = 'done', result = $3, finished_at = $4, lease_token = NULL, lease_expires_at = NULL
                WHERE id = $1 AND lease_token = $2 AND status = 'running'
                """, claim.job.id, claim.token, resultText, now) == 1
        }
    }

    /// Ends an attempt that failed: the job waits `retryAfter` and is claimed again while attempts remain, else it
    /// fails for good. False when the lease was lost.
    @discardableResult
    public func fail(_ claim: Claim, error: String, retryAfter: Duration, now: Date = Date()) async throws -> Bool {
        try await store.writeKeepingCaches { connection in
            try connection.execute("""
                UPDATE jobs SET last_error = $3, lease_token = NULL, lease_expires_at = NULL,
                       status = CASE WHEN attempts < max_attempts THEN 'queued' ELSE 'failed' END,
                       run_after = CASE WHEN attempts < max_attempts THEN $4 ELSE run_after END,
                       finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE $5 END
                WHERE id = $1 AND lease_token = $2 AND status = 'running'
                """, claim.job.id, claim.token, String(error.prefix(2_000)), now.addingTimeInterval(retryAfter.seconds), now) == 1
        }
    }

    /// A job by id.
    public func get(id: String) async throws -> Job? {
        try await store.read { try Self.fetch($0, id: id) }
    }

    /// Jobs, newest first, optionally of one status.
    public func list(status: JobStatus? = nil, limit: Int = 100) async throws -> [Job] {
        try await store.read { connection in
            try connection.fetchAll(Row.self, """
                SELECT \(Self.columns) FROM jobs WHERE $1::VARCHAR IS NULL OR status = $1 ORDER BY created_at DESC, id DESC LIMIT $2
                """, status?.rawValue, max(1, min(limit, 1_000))).map { try $0.job() }
        }
    }

    static func fetch(_ connection: any StateConnection, id: String) throws -> Job? {
        try connection.fetchOne(Row.self, "SELECT \(columns) FROM jobs WHERE id = $1", id).map { try $0.job() }
    }

    /// A row as stored: the payload and result are JSON text.
    private struct Row: Decodable {
        let id: String, kind: String, payload: String, status: JobStatus, priority: Int, run_after: Date, attempts: Int, max_attempts: Int
        let leased_by: String?, lease_expires_at: Date?, idempotency_key: String?, last_error: String?, result: String?
        let created_at: Date, created_by: String?, started_at: Date?, finished_at: Date?

        func job() throws -> Job {
            Job(id: id, kind: kind, payload: try JSONCoding.decoder.decode(JSONValue.self, from: Data(payload.utf8)), status: status, priority: priority,
                runAfter: run_after, attempts: attempts, maxAttempts: max_attempts, leasedBy: leased_by, leaseExpiresAt: lease_expires_at,
                idempotencyKey: idempotency_key, lastError: last_error, result: try result.map { try JSONCoding.decoder.decode(JSONValue.self, from: Data($0.utf8)) },
                createdAt: created_at, createdBy: created_by, startedAt: started_at, finishedAt: finished_at)
        }
    }
}

extension Duration {
    /// The duration in seconds, as Foundation's time intervals count.
    var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
