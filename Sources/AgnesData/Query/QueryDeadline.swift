// Bounds a statement in time: DuckDB is interrupted (`duckdb_interrupt`) when the time limit passes or when `cancel()`
// is called (the client went away), and the interruption surfaces as `QueryTimedOut` or `QueryCancelled` instead of
// DuckDB's generic message.
import DuckDB
import Foundation
import Synchronization

/// A statement stopped because its caller went away.
public struct QueryCancelled: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "the query was cancelled: the client disconnected" }
}

/// The time limit and the cancellation of one statement; `run(on:_:)` may be called for each statement of a request.
public final class QueryDeadline: Sendable {
    public let milliseconds: Int
    private let running = Mutex<InterruptHandle?>(nil)
    private let cancelled = Atomic<Bool>(false)
    private let expired = Atomic<Bool>(false)

    public init(milliseconds: Int) { self.milliseconds = milliseconds }

    /// Runs `body` (DuckDB work on `connection`, on the calling thread), interrupting it after the time limit or on
    /// `cancel()`.
    public func run<T>(on connection: Connection, _ body: () throws -> T) throws -> T {
        if cancelled.load(ordering: .relaxed) { throw QueryCancelled() }
        let handle = connection.interruptHandle
        running.withLock { $0 = handle }
        defer { running.withLock { $0 = nil } }
        let fired = Atomic<Bool>(false)
        let timer = DispatchWorkItem { [self] in
            fired.store(true, ordering: .relaxed)
            expired.store(true, ordering: .relaxed)
            handle.interrupt()
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds), execute: timer)
        defer { timer.cancel() }
        // A cancel that came between the check above and the registration.
        if cancelled.load(ordering: .relaxed) { throw QueryCancelled() }
        do {
            return try body()
        } catch let error as DuckDBError where error.kind == .interrupt {
            if cancelled.load(ordering: .relaxed) { throw QueryCancelled() }
            if fired.load(ordering: .relaxed) { throw QueryTimedOut(milliseconds: milliseconds) }
            throw error
        } catch let broken as QueryStreamBroken {
            throw QueryStreamBroken(rowsSent: broken.rowsSent, cause: explained(broken.cause))
        }
    }

    /// DuckDB's interruption as what caused it.
    private func explained(_ error: any Error) -> any Error {
        guard let error = error as? DuckDBError, error.kind == .interrupt else { return error }
        if cancelled.load(ordering: .relaxed) { return QueryCancelled() }
        if expired.load(ordering: .relaxed) { return QueryTimedOut(milliseconds: milliseconds) }
        return error
    }

    /// Throws `QueryCancelled` or `QueryTimedOut` once the statement should stop: for work `run` does outside DuckDB
    /// (waiting for a slow client to take the answer), where DuckDB's interruption does not reach.
    public func checkpoint() throws {
        if cancelled.load(ordering: .relaxed) { throw QueryCancelled() }
        if expired.load(ordering: .relaxed) { throw QueryTimedOut(milliseconds: milliseconds) }
    }

    /// Interrupts the statement running now, and refuses any later one.
    public func cancel() {
        cancelled.store(true, ordering: .relaxed)
        running.withLock { $0?.interrupt() }
    }
}
