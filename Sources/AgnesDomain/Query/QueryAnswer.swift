// The HTTP answer of `POST /api/query`: the JSON of its `QueryResult`, written straight from the engine's vectors. An
// answer up to `query.stream_after_bytes` is held and sent whole, so every failure still gets its status; a larger one
// is sent as it is read, through a bounded `ResultPipe`, so the server never holds it whole. Once its first bytes are
// out the status is 200, and the row cap, the byte cap and the time limit (which then includes the time a slow client
// takes to read) still hold: a failure ends the JSON with `"truncated": true` and `"error"`, never a silently short body.
import AgnesAPI
import AgnesData
import Foundation

/// The answer of a query, whole or streamed.
public enum QueryAnswer: Sendable {
    /// The whole JSON body.
    case whole([UInt8])
    /// The body, to be sent as it comes; the last chunk closes the JSON.
    case streamed(QueryStream)
}

/// The bytes of a streamed answer; `cancel()` when the client goes away (the query is interrupted, its slot freed).
public struct QueryStream: Sendable {
    let pipe: ResultPipe
    let deadline: QueryDeadline
    let producer: Task<Void, Never>

    /// The next bytes, nil after the last.
    public func next() async -> [UInt8]? { await pipe.next() }

    /// Interrupts the query and waits for it to stop (at its next chunk), so its audit facts are recorded by then.
    public func cancel() async {
        deadline.cancel()
        pipe.close()
        await producer.value
    }
}

extension QueryService {
    /// Bytes handed to the connection at a time once an answer streams.
    static let streamChunkBytes = 256 << 10

    /// `run` answering JSON (the same guard, grants, policies, caps, time limit, concurrency limit and audit), whole
    /// or streamed as its size decides. The caller's concurrency slot is held until the last byte is handed on, and
    /// the audit entry tells the rows really sent.
    public func answer(_ request: QueryRequest, for caller: Caller) async throws -> QueryAnswer {
        let (limit, (engine, readable, tables, policies, policied)) = try await prepare(request, for: caller)
        let started = ContinuousClock.now
        let deadline = QueryDeadline(milliseconds: limits.timeoutSeconds * 1000)
        let rowScope = policied.isEmpty ? nil : RowScope(policiedTables: policied)
        let pipe = ResultPipe(capacity: 4 * Self.streamChunkBytes)
        let limits = self.limits
        let producer = Task {
            do {
                var json = try await domain.queryConcurrency.run(for: caller.identity.user.id) {
                    try await QueryRunner.streamJSON(request.sql, limit: limit, maximumBytes: limits.maximumResultBytes, deadline: deadline,
                                                     streamAfter: limits.streamAfterBytes, chunk: Self.streamChunkBytes, into: pipe,
                                                     on: engine, readable: readable, policies: policies)
                }
                recordRows(json.rowCount, tables: tables, policied: policied, since: started, caller: caller,
                           extra: pipe.hasSent ? ["streamed": "true"] : [:])
                pipe.finish(try json.finished(rowScope: rowScope))
            } catch let broken as QueryStreamBroken {
                let reason = (refusal(broken.cause, caller: caller, operation: "Query") as? ServiceError)?.detail ?? "Query error: the query failed"
                recordRows(broken.rowsSent, tables: tables, policied: policied, since: started, caller: caller,
                           extra: ["streamed": "true", "error": reason])
                pipe.finish((try? QueryResultJSON.failedEnd(rowCount: broken.rowsSent, rowScope: rowScope, error: reason)) ?? [])
            } catch {
                pipe.fail(error)
            }
        }
        let opening = try await caller.untilLeaves({ deadline.cancel() }) { await pipe.opening() }
        switch opening {
        case let .whole(bytes): return .whole(bytes)
        case let .failed(error): throw refusal(error, caller: caller, operation: "Query")
        case .streaming: return .streamed(QueryStream(pipe: pipe, deadline: deadline, producer: producer))
        }
    }
}
