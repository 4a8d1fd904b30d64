// The audit trail. Entries of reads are queued without touching the database and appended in batches (at least every
// 200 ms, and on close), so auditing a read never adds a round trip to it. An entry that records a change is written
// durably before the caller goes on (`recordDurably`): entries arriving together are group-committed in one append,
// so a crash never loses the record of an acknowledged change and a busy server still pays one commit per group.
import AgnesAPI
import AgnesCore
import DuckDB
import Foundation
import Synchronization

/// Appends to and queries `audit_log`. `start()` runs a writer thread with its own connection that appends queued
/// entries every `flushInterval`; it does not depend on the Swift concurrency pool, so a busy server still writes
/// its audit trail on time.
public final class AuditLog: Sendable {
    let store: StateStore
    /// How often queued entries are written.
    public let flushInterval: Duration
    private let queue = PendingEntries()
    private let writer = WriterThread()
    private let groupCommit = Mutex(GroupCommit())

    public init(store: StateStore, flushInterval: Duration = .milliseconds(200)) {
        self.store = store
        self.flushInterval = flushInterval
    }

    /// Queues an entry; it is written at the next flush.
    public func record(_ entry: AuditEntry) {
        queue.append(entry)
    }

    /// Writes `entry` durably (committed to the database file) before returning. Entries that arrive while a commit
    /// runs are written together by the next one. If the write fails, the entry goes to the batched queue (so it is
    /// retried) and the error is thrown.
    public func recordDurably(_ entry: AuditEntry) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let leads = groupCommit.withLock { state -> Bool in
                state.waiting.append((entry, continuation))
                if state.committing { return false }
                state.committing = true
                return true
            }
            if leads { Task { await self.commitGroups() } }
        }
    }

    /// Commits waiting entries, group after group, until none wait.
    private func commitGroups() async {
        while true {
            let group = groupCommit.withLock { state -> [(AuditEntry, CheckedContinuation<Void, any Error>)] in
                defer { state.waiting.removeAll(keepingCapacity: true) }
                if state.waiting.isEmpty { state.committing = false }
                return state.waiting
            }
            if group.isEmpty { return }
            do {
                let entries = group.map(\.0)
                // A few entries go in as prepared VALUES inserts in one transaction (DuckDB keeps their plan); a large
                // group through the appender.
                if entries.count <= 8 {
                    // No cache reads the audit trail: its writes leave every cache as it is.
                    try await store.writeKeepingCaches { connection in for entry in entries { try Self.insert(entry, on: connection) } }
                } else {
                    try await store.read { try Self.append(entries, to: $0) }
                }
                for (_, continuation) in group { continuation.resume() }
            } catch {
                for (entry, continuation) in group {
                    queue.append(entry)
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Number of entries queued and not yet written.
    public var pendingCount: Int { queue.count }

    /// Starts the writer thread (once; later calls while it runs do nothing).
    public func start() throws {
        guard !writer.isRunning else { return }
        let owned = WriterConnection(connection: try store.dedicatedConnection())
        writer.start(interval: flushInterval.seconds) { [queue] in
            let batch = queue.takeAll()
            guard !batch.isEmpty else { return }
            do { try Self.append(batch, to: owned.connection) } catch { queue.prepend(batch) }
        } finish: {
            owned.connection.close()
        }
    }

    /// Stops the writer thread after a last flush, then writes anything still queued.
    public func close() async throws {
        await writer.stop()
        try await flush()
    }

    /// Writes every queued entry now, in one appender batch, through the store's pool. On failure the entries are
    /// queued again.
    public func flush() async throws {
        let batch = queue.takeAll()
        guard !batch.isEmpty else { return }
        do {
            try await store.read { try Self.append(batch, to: $0) }
        } catch {
            queue.prepend(batch)
            throw error
        }
    }

    /// Inserts one entry with a prepared statement (inside the caller's transaction).
    static func insert(_ entry: AuditEntry, on connection: any StateConnection) throws {
        try connection.execute("""
            INSERT INTO audit_log (id, timestamp, user_id, action, resource, params, result, duration_ms, client_ip, client_kind, request_id)
            VALUES ($1, $2, $3, $4, $5, $6::JSON, $7, $8, $9, $10, $11)
            """, entry.id, entry.timestamp, entry.userId, entry.action, entry.resource, entry.params, entry.result, entry.durationMs,
            entry.clientIp, entry.clientKind, entry.requestId)
    }

    /// Appends `batch` to `audit_log`: column by column through DuckDB's appender, or on PostgreSQL as prepared inserts
    /// in one transaction.
    static func append(_ batch: [AuditEntry], to connection: any StateConnection) throws {
        guard let duckDB = connection as? Connection else {
            try connection.transaction {
                for entry in batch { try insert(entry, on: connection) }
                CrashPoint.auditMidFlush.reach()
            }
            return
        }
        let appender = try duckDB.appender(table: "audit_log")
        try appender.appendColumns([
            AppendColumn(batch.map(\.id)),
            AppendColumn(batch.map { DuckDBTimestamp($0.timestamp).microseconds }),
            AppendColumn(batch.map(\.userId)),
            AppendColumn(batch.map(\.action)),
            AppendColumn(batch.map(\.resource)),
            AppendColumn(batch.map(\.params)),
            AppendColumn(batch.map(\.result)),
            AppendColumn(batch.map(\.durationMs)),
            AppendColumn(batch.map(\.clientIp)),
            AppendColumn(batch.map(\.clientKind)),
            AppendColumn(batch.map(\.requestId)),
        ])
        CrashPoint.auditMidFlush.reach()
        try appender.close()
    }

    /// Entries matching `query`, newest first. `limit` is clamped to 1…1,000; pass `nextCursor` to get the next page.
    public func query(_ query: AuditQuery) async throws -> AuditPage {
        let limit = max(1, min(query.limit, AuditQuery.maximumLimit))
        let cursor = try query.cursor.map(Self.parseCursor)
        let entries = try await store.read { connection in
            try connection.fetchAll(AuditEntry.self, """
                SELECT id, timestamp, user_id, action, resource, params, result, duration_ms, client_ip, client_kind, request_id
                FROM audit_log
                WHERE ($1::VARCHAR IS NULL OR user_id = $1) AND ($2::VARCHAR IS NULL OR action = $2) AND ($3::VARCHAR IS NULL OR resource = $3)
                  AND ($4::TIMESTAMPTZ IS NULL OR timestamp >= $4) AND ($5::TIMESTAMPTZ IS NULL OR timestamp < $5)
                  AND ($6::TIMESTAMPTZ IS NULL OR timestamp < $6 OR (timestamp = $6 AND id < $7))
                  AND ($9::VARCHAR IS NULL OR starts_with(action, $9)) AND ($10::VARCHAR IS NULL OR result = $10)
                ORDER BY timestamp DESC, id DESC
                LIMIT $8
                """, parameters: [query.userId, query.action, query.resource, query.since, query.until,
                                  cursor.map { DuckDBValue.timestampTZ(.init(microseconds: $0.micros)) }, cursor?.id, limit + 1,
                                  query.actionPrefix, query.result])
        }
        let page = Array(entries.prefix(limit))
        let next = entries.count > limit ? page.last.map { "\(DuckDBTimestamp($0.timestamp).microseconds)_\($0.id)" } : nil
        return AuditPage(entries: page, nextCursor: next)
    }

    private static func parseCursor(_ text: String) throws -> (micros: Int64, id: String) {
        let parts = text.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, let micros = Int64(parts[0]) else { throw StateError.invalid("malformed audit cursor '\(text)'") }
        return (micros, String(parts[1]))
    }
}

/// Entries waiting for a durable write, and whether a commit is under way.
private struct GroupCommit {
    var waiting: [(AuditEntry, CheckedContinuation<Void, any Error>)] = []
    var committing = false
}

/// The queue of entries not yet written, guarded by a lock.
private final class PendingEntries: @unchecked Sendable {
    // Every access to `entries` happens under `lock`.
    private let lock = NSLock()
    private var entries: [AuditEntry] = []

    var count: Int { lock.withLock { entries.count } }
    func append(_ entry: AuditEntry) { lock.withLock { entries.append(entry) } }
    func prepend(_ batch: [AuditEntry]) { lock.withLock { entries.insert(contentsOf: batch, at: 0) } }
    func takeAll() -> [AuditEntry] {
        lock.withLock {
            defer { entries.removeAll(keepingCapacity: true) }
            return entries
        }
    }
}

/// The writer thread's own connection. Handed over once and then used by that thread alone.
private struct WriterConnection: @unchecked Sendable {
    let connection: any StateConnection
}

/// A thread that runs `tick` every interval until stopped, then once more, then `finish`.
private final class WriterThread: @unchecked Sendable {
    // `running`, `stopping` and `waiters` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var running = false
    private var stopping = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    var isRunning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return running
    }

    func start(interval: TimeInterval, tick: @escaping @Sendable () -> Void, finish: @escaping @Sendable () -> Void) {
        condition.lock()
        defer { condition.unlock() }
        guard !running else { return }
        running = true
        stopping = false
        let thread = Thread { [self] in
            while true {
                condition.lock()
                if !stopping { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
                let stop = stopping
                condition.unlock()
                tick()
                if stop { break }
            }
            finish()
            condition.lock()
            running = false
            let resumed = waiters
            waiters.removeAll()
            condition.unlock()
            resumed.forEach { $0.resume() }
        }
        thread.name = "agnes-audit-writer"
        thread.start()
    }

    /// Asks the thread to stop and waits until it has written its last batch.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            guard running else {
                condition.unlock()
                continuation.resume()
                return
            }
            stopping = true
            waiters.append(continuation)
            condition.signal()
            condition.unlock()
        }
    }
}
