// Where acknowledged Jira events are kept until (and after) they reach the tables: one NDJSON file per table under
// the source's folder, appended with group commit — the events that arrive while a write is in progress wait for the
// next one, which writes them all and syncs each file once; an event is acknowledged only after the write that holds
// it is on disk. The tables are rebuilt from these files (newest `updated` per id).
import Foundation
import Synchronization

public final class JiraSpool: Sendable {
    struct Pending: Sendable {
        var lines: [String: Data] = [:]
        var waiters: [CheckedContinuation<Void, any Error>] = []
        var writing = false
    }

    public let directory: URL
    private let pending = Mutex(Pending())

    public init(directory: URL) { self.directory = directory }

    /// The spool file of `table`.
    public func file(_ table: String) -> URL { directory.appendingPathComponent("\(table).ndjson") }

    /// Appends `rows` durably; returns when they are on disk.
    public func append(_ rows: JiraRows) async throws {
        var lines: [String: Data] = [:]
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for (table, list) in [("issues", rows.issues), ("comments", rows.comments), ("changelog", rows.changelog)] where !list.isEmpty {
            var data = Data()
            for row in list { data += try encoder.encode(row) + Data("\n".utf8) }
            lines[table] = data
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let lead = pending.withLock { pending -> Bool in
                for (table, data) in lines { pending.lines[table, default: Data()] += data }
                pending.waiters.append(continuation)
                if pending.writing { return false }
                pending.writing = true
                return true
            }
            if lead { Thread.detachNewThread { self.writeUntilEmpty() } }
        }
    }

    /// Writes batches until nobody waits; each batch is one append and one fsync per file.
    private func writeUntilEmpty() {
        while true {
            let batch = pending.withLock { pending -> Pending? in
                guard !pending.waiters.isEmpty else {
                    pending.writing = false
                    return nil
                }
                let batch = Pending(lines: pending.lines, waiters: pending.waiters)
                pending.lines = [:]
                pending.waiters = []
                return batch
            }
            guard let batch else { return }
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                for (table, data) in batch.lines {
                    let path = file(table).path
                    let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o640)
                    guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
                    defer { close(descriptor) }
                    let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                    guard written == data.count, fsync(descriptor) == 0 else { throw CocoaError(.fileWriteUnknown) }
                }
                for waiter in batch.waiters { waiter.resume() }
            } catch {
                for waiter in batch.waiters { waiter.resume(throwing: error) }
            }
        }
    }
}
