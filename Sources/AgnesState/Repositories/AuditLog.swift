// The audit trail: entries are queued without touching the database and appended in batches (at least every
// 200 ms, and on close), so auditing never adds a round trip to a request.
import DuckDB
import Foundation

/// Appends to and queries `audit_log`.
public final class AuditLog: Sendable {
    let store: StateStore
    /// How often queued entries are written.
    public let flushInterval: Duration
    private let queue = PendingEntries()
    private let flusher = FlusherTask()

    public init(store: StateStore, flushInterval: Duration = .milliseconds(200)) {
        self.store = store
        self.flushInterval = flushInterval
    }

    /// Queues an entry; it is written at the next flush.
    public func record(_ entry: AuditEntry) {
        queue.append(entry)
    }

    /// Number of entries queued and not yet written.
    public var pendingCount: Int { queue.count }

    /// Starts writing queued entries every `flushInterval` until `close()`.
    public func start() {
        flusher.start { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: flushInterval)
                try? await flush()
            }
        }
    }

    /// Stops the periodic flush and writes everything still queued.
    public func close() async throws {
        await flusher.stop()
        try await flush()
    }

    /// Writes every queued entry now, in one appender batch. On failure the entries are queued again.
    public func flush() async throws {
        let batch = queue.takeAll()
        guard !batch.isEmpty else { return }
        do {
            try await store.read { connection in
                let appender = try connection.appender(table: "audit_log")
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
                try appender.close()
            }
        } catch {
            queue.prepend(batch)
            throw error
        }
    }

    /// Entries matching `query`, newest first. `limit` is clamped to 1…1,000; pass `nextCursor` to get the next page.
    public func query(_ query: AuditQuery) async throws -> AuditPage {
        let limit = max(1, min(query.limit, AuditQuery.maximumLimit))
        let cursor = try query.cursor.map(Self.parseCursor)
        let entries = try await store.read { connection in
            try connection.query("""
                SELECT id, timestamp, user_id, action, resource, params, result, duration_ms, client_ip, client_kind, request_id
                FROM audit_log
                WHERE ($1 IS NULL OR user_id = $1) AND ($2 IS NULL OR action = $2) AND ($3 IS NULL OR resource = $3)
                  AND ($4 IS NULL OR timestamp >= $4) AND ($5 IS NULL OR timestamp < $5)
                  AND ($6 IS NULL OR timestamp < $6 OR (timestamp = $6 AND id < $7))
                ORDER BY timestamp DESC, id DESC
                LIMIT $8
                """, parameters: [query.userId, query.action, query.resource, query.since, query.until,
                                  cursor.map { DuckDBValue.timestampTZ(.init(microseconds: $0.micros)) }, cursor?.id, limit + 1])
                .decode(AuditEntry.self)
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

/// Owns the periodic flush task.
private final class FlusherTask: @unchecked Sendable {
    // `task` is only touched under `lock`.
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    func start(_ body: @escaping @Sendable () async -> Void) {
        lock.withLock {
            guard task == nil else { return }
            task = Task { await body() }
        }
    }

    func stop() async {
        let running = lock.withLock { () -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
    }
}
