// `POST /api/query` answers larger than `query.stream_after_bytes` are sent as they are read (chunked), over the real
// agnes-server binary and raw sockets: the streamed JSON is whole and right; the byte cap still cuts it; the time
// limit still holds once the first bytes are out — a client that stops reading gets, when it reads again, valid JSON
// ending in `"truncated": true` and `"error"`; a client that goes away frees its concurrency slot at once; the audit
// entry tells the rows really sent.
import AgnesAPI
import AgnesTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite("query streaming", .serialized)
struct QueryStreamingTests {
    /// One `POST /api/query` on a raw connection: the request is sent, `firstBytes` read, then (after `pause`) the rest
    /// until the server closes the connection; the body decoded as a `QueryResult` (nil when it is not one). Reading and
    /// decoding megabytes take seconds in a debug build: they run off Swift's cooperative pool, which the in-process
    /// servers of other tests need.
    static func query(port: Int, token: String, sql: String, limit: Int, firstBytes: Int = 0,
                      pause: Double = 0) async throws -> (response: RawResponse, result: QueryResult?) {
        try await offTheCooperativePool {
            let connection = try RawConnection(port: port)
            let body = String(decoding: try JSONEncoder().encode(QueryRequest(sql: sql, limit: limit)), as: UTF8.self)
            connection.send("POST /api/query HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
            var received = connection.receive(atMost: firstBytes)
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
            received += connection.receive(atMost: .max)
            let response = try RawResponse(received)
            return (response, try? JSONDecoder().decode(QueryResult.self, from: response.body))
        }
    }

    @Test("a large answer streams chunked and holds every row; the audit entry tells the rows sent")
    func streamsWhole() async throws {
        let server = try await DemoServer.start(environment: ["AGNES_QUERY_STREAM_AFTER_BYTES": "65536"])
        defer { server.stop() }
        let port = try #require(server.client.base.port)
        let count = try await server.client.call("POST", "/api/query", json: ["sql": "SELECT count(*), min(order_item_id), max(order_item_id) FROM order_items"],
                                                 token: server.analyst)
        let expected = try #require((count.object["rows"] as? [[Int]])?.first)
        #expect(count.headers["Content-Length"] != nil || count.headers["content-length"] != nil, "a small answer is sent whole")

        let (response, decoded) = try await Self.query(port: port, token: server.analyst, sql: "SELECT * FROM order_items ORDER BY order_item_id",
                                                       limit: 100_000)
        #expect(response.status == 200)
        #expect(response.headers["transfer-encoding"] == "chunked" && response.headers["content-length"] == nil, "\(response.headers)")
        #expect(response.body.count > 1 << 20)
        let result = try #require(decoded)
        #expect(result.rowCount == expected[0] && result.rows.count == expected[0] && !result.truncated && result.error == nil)
        #expect(result.rows.first?.first == .integer(Int64(expected[1])) && result.rows.last?.first == .integer(Int64(expected[2])))
        #expect(result.columns.first == "order_item_id")

        // A table the analyst may not read: refused before a byte of it is read, however large the answer would be.
        let (refused, _) = try await Self.query(port: port, token: server.analyst, sql: "SELECT * FROM web_sessions", limit: 100_000)
        let refusal = String(decoding: refused.body, as: UTF8.self)
        #expect(refused.status == 403 && refused.headers["content-length"] != nil, "\(refused.status) \(refused.headers)")
        #expect(refusal.contains("Access denied") && !refusal.contains("session_id") && !refusal.contains("rows"), "\(refusal)")

        // The entry is written once the body is sent (reads are batched), with the rows really sent.
        var entry: [String: Any]?
        for _ in 0..<50 where entry == nil {
            let audit = try await server.client.call("GET", "/api/admin/audit?action=query.local&limit=50", token: server.admin)
            entry = (audit.object["rows"] as? [[String: Any]] ?? []).first { ($0["params"] as? String)?.contains("\"streamed\":\"true\"") == true }
            if entry == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        let params = try #require(entry?["params"] as? String)
        #expect(params.contains("\"rows_returned\":\"\(expected[0])\"") && params.contains("\"bytes\":\"\(response.body.count)\""), "\(params)")
    }

    @Test("the byte cap still cuts a streamed answer, at a row, and says so")
    func byteCap() async throws {
        let server = try await DemoServer.start(environment: ["AGNES_QUERY_STREAM_AFTER_BYTES": "65536", "AGNES_QUERY_MAX_RESULT_BYTES": "400000"])
        defer { server.stop() }
        let (response, decoded) = try await Self.query(port: try #require(server.client.base.port), token: server.analyst,
                                                       sql: "SELECT order_item_id, repeat('x', 100) AS pad FROM order_items", limit: 100_000)
        #expect(response.status == 200 && response.headers["transfer-encoding"] == "chunked")
        let result = try #require(decoded)
        #expect(result.truncated && result.error == nil && result.rowCount == result.rows.count && result.rows.count > 1000)
        #expect(response.body.count <= 400_000 + 200, "\(response.body.count) bytes")
    }

    @Test("the time limit holds after the first bytes: a client that stops reading gets valid JSON that ends with the error")
    func timeLimitAfterFirstBytes() async throws {
        let server = try await DemoServer.start(environment: ["AGNES_QUERY_STREAM_AFTER_BYTES": "65536", "AGNES_QUERY_TIMEOUT_SECONDS": "1",
                                                              "AGNES_QUERY_MAX_RESULT_BYTES": String(1 << 30)])
        defer { server.stop() }
        // About 120 MB: far more than the socket buffers and the server's queue hold while the client sleeps.
        let (response, decoded) = try await Self.query(port: try #require(server.client.base.port), token: server.analyst,
                                                       sql: "SELECT order_item_id, repeat('x', 2000) AS pad FROM order_items", limit: 100_000,
                                                       firstBytes: 65536, pause: 3)
        #expect(response.status == 200)
        let result = try #require(decoded, "not a QueryResult: \(String(decoding: response.body.suffix(300), as: UTF8.self))")
        #expect(result.truncated && result.rowCount == result.rows.count && result.rows.count > 0 && result.rows.count < 60_000)
        #expect(result.error?.contains("interrupted after 1000 ms") == true, "\(result.error ?? "no error")")
        #expect(response.body.count < 60 << 20, "the server stopped writing at the time limit: \(response.body.count) bytes")
    }

    @Test("a client that goes away mid-stream frees its concurrency slot at once")
    func disconnectFreesSlot() async throws {
        let server = try await DemoServer.start(environment: ["AGNES_QUERY_STREAM_AFTER_BYTES": "65536", "AGNES_QUERY_TIMEOUT_SECONDS": "120",
                                                              "AGNES_QUERY_MAX_RESULT_BYTES": String(1 << 30),
                                                              "AGNES_QUERY_MAX_CONCURRENT_PER_USER": "1"])
        defer { server.stop() }
        let port = try #require(server.client.base.port)
        let token = server.analyst
        try await offTheCooperativePool {
            let connection = try RawConnection(port: port)
            let body = #"{"sql": "SELECT order_item_id, repeat('x', 2000) AS pad FROM order_items", "limit": 100000}"#
            connection.send("POST /api/query HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n"
                            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
            _ = connection.receive(atMost: 65536)
        }  // closed here, with megabytes unread
        // With one slot per user, this waits until the stream's query ends: at once when it is cancelled, not after
        // the 120-second time limit.
        let started = ContinuousClock.now
        let next = try await server.client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM orders"], token: token)
        #expect(next.status == 200)
        #expect(ContinuousClock.now - started < .seconds(25), "the slot was held by a stream nobody reads")
        #expect(!server.log.contains("Fatal error"))
        // Its audit entry says it was cancelled, with the rows sent before.
        var params: String?
        for _ in 0..<50 where params == nil {
            let audit = try await server.client.call("GET", "/api/admin/audit?action=query.local&limit=50", token: server.admin)
            params = (audit.object["rows"] as? [[String: Any]] ?? []).compactMap { $0["params"] as? String }.first { $0.contains("\"streamed\":\"true\"") }
            if params == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        let recorded = try #require(params)
        #expect(recorded.contains("client disconnected") && recorded.contains("\"rows_returned\":\"") && !recorded.contains("\"rows_returned\":\"0\""),
                "\(recorded)")
    }
}

/// A response read whole from a raw connection, its chunked body decoded.
struct RawResponse {
    let status: Int
    let headers: [String: String]
    let body: Data

    init(_ raw: Data) throws {
        guard let end = raw.range(of: Data("\r\n\r\n".utf8)) else { throw DemoServerError(message: "no response head in \(raw.count) bytes") }
        let head = String(decoding: raw[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        let rest = Data(raw[end.upperBound...])
        guard headers["transfer-encoding"] == "chunked" else {
            body = rest
            return
        }
        var decoded = Data()
        var index = rest.startIndex
        while let lineEnd = rest[index...].range(of: Data("\r\n".utf8)) {
            guard let size = Int(String(decoding: rest[index..<lineEnd.lowerBound], as: UTF8.self), radix: 16) else {
                throw DemoServerError(message: "a malformed chunk size")
            }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard rest.endIndex - start >= size + 2 else { throw DemoServerError(message: "a chunk cut short: the body ended early") }
            decoded += rest[start..<start + size]
            index = start + size + 2
        }
        body = decoded
    }
}

extension RawConnection {
    /// Up to `limit` bytes (blocking until the server closes the connection or 60 seconds pass without a byte).
    func receive(atMost limit: Int) -> Data {
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while received.count < limit {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 60_000) > 0 else { break }
            let count = recv(descriptor, &buffer, min(buffer.count, limit - received.count), 0)
            if count <= 0 { break }
            received += Data(buffer.prefix(count))
        }
        return received
    }
}
