// The JSON of a query's answer written straight from DuckDB's vectors says value for value what the typed
// `QueryResult` says — for every type, NULLs, text that needs escaping, values past the double range — and holds the
// row and byte caps as the typed path does.
import AgnesAPI
@testable import AgnesData
import DuckDB
import Foundation
import Testing

@Suite("query answers written as JSON")
struct QueryResultJSONTests {
    static let everyType = """
        SELECT * FROM (VALUES
          (true, 1::TINYINT, -2::SMALLINT, 300000::INTEGER, -9007199254740993::BIGINT, 255::UTINYINT, 65535::USMALLINT,
           4294967295::UINTEGER, 18446744073709551615::UBIGINT, 170141183460469231731687303715884105727::HUGEINT,
           1.5::FLOAT, 0.1::DOUBLE, 'plain', 12345.678::DECIMAL(12, 3), DATE '2024-02-29', TIMESTAMP '2024-02-29 13:14:15.5',
           [1, 2, NULL], {'a': 1, 'b': 'x'}, '\\x00ab'::BLOB, 'caf\u{e9} "quoted" \\ back/slash' || chr(10) || chr(9) || chr(1) || '💡',
           'infinity'::DOUBLE, 'nan'::DOUBLE, 1e300::DOUBLE, 5e-324::DOUBLE, 0.0::DOUBLE, -0.0::DOUBLE),
          (false, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '',
           '-infinity'::DOUBLE, NULL, -1e-7::DOUBLE, NULL, NULL, NULL)
        ) AS t(b, i8, i16, i32, i64, u8, u16, u32, u64, i128, f32, f64, txt, dec, day, ts, list, struct, bytes, escaped,
               inf, nan, big, tiny, zero, minus_zero)
        """

    func both(_ sql: String, limit: Int = 100, maximumBytes: Int = .max) throws -> (typed: QueryResult, json: QueryResult, bytes: [UInt8]) {
        let connection = try Database().connect()
        let typed = try QueryRunner.collect(try connection.query(sql), limit: limit, maximumBytes: maximumBytes)
        var json = try QueryResultJSON.collect(try connection.query(sql), limit: limit, maximumBytes: maximumBytes)
        let bytes = try json.finished(rowScope: nil)
        return (typed, try JSONCoding.decoder.decode(QueryResult.self, from: Data(bytes)), bytes)
    }

    @Test("every type reads back as the typed answer's cell")
    func everyTypeAgrees() throws {
        let (typed, json, bytes) = try both(Self.everyType)
        #expect(json.columns == typed.columns && json.rowCount == 2 && !json.truncated)
        for (index, column) in typed.columns.enumerated() {
            for row in 0..<2 {
                let expected = typed.rows[row][index], got = json.rows[row][index]
                // A whole number written from a double reads back as an integer; the value is the same.
                if case let .number(value) = expected, case let .integer(read) = got, Double(read) == value { continue }
                if case let .integer(value) = expected, case let .number(read) = got, Double(value) == read { continue }
                #expect(got == expected, "\(column), row \(row)")
            }
        }
        // The JSON is what the standard decoder accepts as a whole and strings are escaped (RFC 8259 §7).
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["row_scope"] is NSNull && object["truncated"] as? Bool == false)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""caf\#u{e9} \"quoted\" \\ back/slash\n\t\u0001💡""#))
    }

    @Test("the row cap and the byte cap cut where the typed answer cuts, and a first row over the byte cap is refused")
    func capsHold() throws {
        let rows = "SELECT i, repeat('x', 100) AS pad FROM range(1000) t(i)"
        let (typed, json, _) = try both(rows, limit: 10)
        #expect(json.rowCount == 10 && json.truncated && json.rows == typed.rows)

        let (_, capped, bytes) = try both(rows, limit: 1000, maximumBytes: 5_000)
        #expect(capped.truncated && capped.rowCount > 0 && capped.rowCount < 1000)
        #expect(bytes.count <= 5_000 + 200, "the rows written stay within the cap (the closing fields aside)")
        #expect(capped.rows.enumerated().allSatisfy { $0.element.first == .integer(Int64($0.offset)) })

        #expect(throws: RowTooLarge.self) { _ = try both("SELECT repeat('y', 100000) AS huge", maximumBytes: 1_000) }
        let (_, empty, _) = try both("SELECT 1 AS one WHERE false")
        #expect(empty.rowCount == 0 && empty.rows.isEmpty && empty.columns == ["one"] && !empty.truncated)
    }

    @Test("a row scope closes the body as the typed answer encodes it")
    func rowScope() throws {
        let connection = try Database().connect()
        var json = try QueryResultJSON.collect(try connection.query("SELECT 1 AS n"), limit: 10, maximumBytes: .max)
        let bytes = try json.finished(rowScope: RowScope(policiedTables: ["orders"]))
        let result = try JSONCoding.decoder.decode(QueryResult.self, from: Data(bytes))
        #expect(result.rowScope == RowScope(policiedTables: ["orders"]) && result.rows == [[.integer(1)]])
    }

    @Test("handed on in chunks at row ends, the bytes are the whole answer's; the caps count what was handed on; a failure after is a broken stream")
    func streamedChunks() throws {
        let connection = try Database().connect()
        let sql = "SELECT i, repeat('x', i % 50) AS pad FROM range(20000) t(i)"
        for maximumBytes in [Int.max, 100_000] {
            var whole = try QueryResultJSON.collect(try connection.query(sql), limit: 50_000, maximumBytes: maximumBytes)
            var chunks: [[UInt8]] = []
            var rest = try QueryResultJSON.streamed(try connection.query(sql), limit: 50_000, maximumBytes: maximumBytes,
                                                    firstChunk: 10_000, chunk: 4_000) { chunks.append($0) }
            #expect(chunks.count > 5 && chunks.dropFirst().allSatisfy { $0.first == UInt8(ascii: ",") }, "every chunk starts at a row")
            let streamedBytes: [UInt8] = Array(chunks.joined()) + (try rest.finished(rowScope: nil))
            let wholeBytes: [UInt8] = try whole.finished(rowScope: nil)
            #expect(streamedBytes == wholeBytes, "cap \(maximumBytes)")
        }
        // The time limit (or any failure) after bytes were handed on: what was sent is counted in rows.
        var sent = 0
        do {
            _ = try QueryResultJSON.streamed(try connection.query(sql), limit: 50_000, maximumBytes: .max, firstChunk: 10_000, chunk: 4_000) { bytes in
                sent += 1
                if sent == 3 { throw QueryTimedOut(milliseconds: 5) }
            }
            Issue.record("the failure was swallowed")
        } catch let broken as QueryStreamBroken {
            #expect(broken.cause is QueryTimedOut && broken.rowsSent > 0)
            let end = try QueryResultJSON.failedEnd(rowCount: broken.rowsSent, rowScope: nil, error: "Query error: interrupted")
            let body: [UInt8] = Array(#"{"columns":[],"rows":[[1]"#.utf8) + end
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            #expect(object["truncated"] as? Bool == true && object["error"] as? String == "Query error: interrupted")
        }
    }

    @Test("the pipe: a whole answer, a failure before any byte, a stream with back-pressure, a consumer that leaves")
    func pipe() async throws {
        let whole = ResultPipe(capacity: 10)
        whole.finish([1, 2, 3])
        guard case let .whole(bytes) = await whole.opening() else { Issue.record("not whole"); return }
        #expect(bytes == [1, 2, 3])

        let failed = ResultPipe(capacity: 10)
        failed.fail(QueryCancelled())
        guard case let .failed(error) = await failed.opening() else { Issue.record("not failed"); return }
        #expect(error is QueryCancelled)

        // The producer blocks once `capacity` bytes wait, and goes on as the consumer takes them.
        let stream = ResultPipe(capacity: 4)
        let producer = Thread {
            for index in 0..<10 { try? stream.send([UInt8(index), UInt8(index)]) {} }
            stream.finish([255])
        }
        producer.start()
        guard case .streaming = await stream.opening() else { Issue.record("not streaming"); return }
        var received: [UInt8] = []
        while let chunk = await stream.next() { received += chunk }
        let expected: [UInt8] = (0..<10).flatMap { [UInt8($0), UInt8($0)] } + [255]
        #expect(received == expected)

        // A consumer that leaves: the producer's next send throws instead of waiting forever.
        let abandoned = ResultPipe(capacity: 2)
        try abandoned.send([1, 2]) {}
        abandoned.close()
        #expect(throws: ResultPipeClosed.self) { try abandoned.send([3]) {} }
        // A producer waiting for room stops when its time is up.
        let slow = ResultPipe(capacity: 2)
        try slow.send([1, 2]) {}
        #expect(throws: QueryTimedOut.self) { try slow.send([3]) { throw QueryTimedOut(milliseconds: 1) } }
    }
}
