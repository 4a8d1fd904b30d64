// The bytes of an answer on their way from the thread that reads them out of DuckDB to the connection that sends them:
// a bounded queue, so a client that reads slowly slows the query down instead of making the server hold its answer.
// The producer blocks (on its own thread, never on Swift's cooperative pool) while `capacity` bytes wait; the consumer
// awaits the next chunk. Either side can end it: the producer with `finish()`, the consumer with `close()` (its
// client went away), after which `send` throws.
import Foundation

/// The consumer closed the pipe: nobody reads what would be sent.
public struct ResultPipeClosed: Error {}

public final class ResultPipe: @unchecked Sendable {
    /// How the pipe began: what its consumer learns before deciding how to answer.
    public enum Opening: Sendable {
        /// The producer finished before sending a chunk of its own: these bytes (its last) are the whole answer.
        case whole([UInt8])
        /// The producer failed before sending anything.
        case failed(any Error)
        /// Bytes are flowing: read them with `next()`.
        case streaming
    }

    /// How many bytes may wait for the consumer before `send` blocks.
    public let capacity: Int
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var chunks: [[UInt8]] = []
    private var waiting = 0
    private var sent = 0
    private var finished = false
    private var failure: (any Error)?
    private var closed = false
    private var reader: CheckedContinuation<Void, Never>?

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    // MARK: - Producer

    /// Queues `bytes`, first waiting while the queue is full; `stop` is asked every 50 ms while it waits and may throw
    /// (the query's time limit). Throws `ResultPipeClosed` once the consumer has closed the pipe.
    public func send(_ bytes: [UInt8], stop: () throws -> Void) throws {
        condition.lock()
        while !closed, waiting >= capacity {
            condition.unlock()
            try stop()
            condition.lock()
            if !closed, waiting >= capacity { _ = condition.wait(until: Date().addingTimeInterval(0.05)) }
        }
        guard !closed else {
            condition.unlock()
            throw ResultPipeClosed()
        }
        chunks.append(bytes)
        waiting += bytes.count
        sent += 1
        let woken = reader
        reader = nil
        condition.unlock()
        woken?.resume()
    }

    /// Whether a chunk has gone out: after that, a failure can only be told in the bytes.
    public var hasSent: Bool {
        condition.lock()
        defer { condition.unlock() }
        return sent > 0
    }

    /// Queues the last bytes and ends the pipe, in one step (so `opening()` never mistakes a whole answer for a stream).
    public func finish(_ last: [UInt8]) {
        end(last: last, failure: nil)
    }

    /// Ends the pipe with a failure, to be reported by `opening()` if nothing was sent.
    public func fail(_ error: any Error) {
        end(last: nil, failure: error)
    }

    private func end(last: [UInt8]?, failure error: (any Error)?) {
        condition.lock()
        if let last, !closed {
            chunks.append(last)
            waiting += last.count
        }
        finished = true
        failure = error
        let woken = reader
        reader = nil
        condition.unlock()
        woken?.resume()
    }

    // MARK: - Consumer

    /// Waits until the answer is complete in one chunk, has failed before its first byte, or has begun to flow.
    public func opening() async -> Opening {
        while true {
            if let state = currentOpening() { return state }
            await waitForChange()
        }
    }

    private func currentOpening() -> Opening? {
        condition.lock()
        defer { condition.unlock() }
        if sent > 0 { return .streaming }
        guard finished else { return nil }
        return failure.map { .failed($0) } ?? .whole(chunks.first ?? [])
    }

    /// The next chunk, in order; nil after the last one.
    public func next() async -> [UInt8]? {
        while true {
            let (chunk, done) = take()
            if let chunk { return chunk }
            if done { return nil }
            await waitForChange()
        }
    }

    /// The first waiting chunk (waking a producer that waits for room), and whether no more will come.
    private func take() -> ([UInt8]?, Bool) {
        condition.lock()
        defer { condition.unlock() }
        guard !chunks.isEmpty else { return (nil, finished || closed) }
        let chunk = chunks.removeFirst()
        waiting -= chunk.count
        condition.broadcast()
        return (chunk, false)
    }

    /// The consumer is gone: the producer's next `send` throws and what waits is dropped.
    public func close() {
        condition.lock()
        closed = true
        chunks.removeAll()
        waiting = 0
        condition.broadcast()
        let woken = reader
        reader = nil
        condition.unlock()
        woken?.resume()
    }

    /// Suspends until the producer sends, finishes or the pipe closes (returns at once if one of them happened since the
    /// caller last looked).
    private func waitForChange() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if !register(continuation) { continuation.resume() }
        }
    }

    /// Keeps `continuation` to be resumed on the next change; false when there is something to see already.
    private func register(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard chunks.isEmpty, !finished, !closed else { return false }
        reader = continuation
        return true
    }
}
