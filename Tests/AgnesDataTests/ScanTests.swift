// Snapshot scans: the predicate checker refuses what upstream's validator refuses and passes ordinary filters; the
// estimate prunes row groups by their statistics; the scan writes exactly the filtered, projected rows (a limit without
// an order: the files' first ones).
import AgnesAPI
@testable import AgnesData
import DuckDB
import Foundation
import Testing

@Suite("snapshot scans")
struct ScanTests {
    let schema = [ScanColumn(name: "id", type: "BIGINT"), ScanColumn(name: "day", type: "DATE"), ScanColumn(name: "kind", type: "VARCHAR"),
                  ScanColumn(name: "amount", type: "DOUBLE")]

    func plan(_ request: ScanRequest) throws -> ScanPlan {
        try ScanPlan.make(request, schema: schema, using: try Database().connect())
    }

    func rejection(_ predicate: String) -> String? {
        do { _ = try plan(ScanRequest(tableId: "t", where: predicate)); return nil } catch let ScanRejection.validator(kind, _) {
            return kind
        } catch { return "other: \(error)" }
    }

    @Test("the predicate validator: kinds as upstream; ordinary filters pass")
    func validator() throws {
        #expect(rejection("id > 5 AND kind = 'a;b' -- note") == nil)
        #expect(rejection("day BETWEEN DATE '2026-01-01' AND '2026-02-01' OR lower(kind) LIKE 'x%'") == nil)
        #expect(rejection("id IN (1, 2, 3) AND coalesce(amount, 0) >= 1.5 AND date_trunc('month', day) = DATE '2026-01-01'") == nil)
        #expect(rejection("id > ") == "parse_error")
        #expect(rejection("1=1); DROP TABLE x; SELECT (1") == "multi_statement" || rejection("1=1); DROP TABLE x; SELECT (1") == "parse_error")
        #expect(rejection("id IN (SELECT id FROM secrets)") == "nested_select")
        #expect(rejection("other.id = 1") == "cross_table_reference")
        #expect(rejection("nope = 1") == "unknown_column")
        #expect(rejection("getenv('HOME') = 'x'") == "unknown_function")
        #expect(rejection("length(read_text('/etc/passwd')) > 0") == "unknown_function")
        #expect(rejection("1=1) UNION SELECT * FROM secrets WHERE (1=1") != nil)
        #expect(throws: ScanRejection.invalid("unknown columns: ['ghost']")) { try plan(ScanRequest(tableId: "t", select: ["id", "ghost"])) }
        #expect(throws: ScanRejection.self) { try plan(ScanRequest(tableId: "t", orderBy: ["id; DROP"])) }
        #expect(throws: ScanRejection.self) { try plan(ScanRequest(tableId: "t", limit: 10_000_001)) }
        let ordered = try plan(ScanRequest(tableId: "t", select: ["id"], where: "id > 1", limit: 5, orderBy: ["id desc"]))
        #expect(ordered.sql(from: "x") == "SELECT \"id\" FROM x AS agnes_scan WHERE (\n(id > 1)\n) ORDER BY \"id\" DESC LIMIT 5")
        #expect(ordered.bounds == [ColumnBound(column: "id", op: .greater, literal: "1")])
    }

    @Test("a predicate that closes its parentheses to add clauses is refused", arguments: [
        "1=1) QUALIFY (row_number() OVER () > 0",
        "1=1) QUALIFY ((SELECT count(*) FROM glob('/*')) > 0",
        "1=1) ORDER BY (1",
        "1=1) LIMIT (1",
        "1=1) GROUP BY (id",
        "1=1) HAVING (count(*) > 0",
        "1=1) USING SAMPLE (10",
        "1=1) UNION ALL SELECT 1 FROM read_parquet('/etc/x') WHERE (1=1",
        "1=1) OFFSET (1",
    ])
    func escapesRefused(_ predicate: String) {
        let kind = rejection(predicate)
        #expect(kind == "disallowed_node" || kind == "parse_error" || kind == "multi_statement", "\(predicate): \(kind ?? "accepted")")
    }

    @Test("what runs is DuckDB's rendering of the checked predicate, not the caller's text")
    func renderedPredicate() throws {
        let scan = try plan(ScanRequest(tableId: "t", where: "kind = 'a'') OR (1=1' -- )\nAND id > 2"))
        #expect(scan.predicate == "((kind = 'a'') OR (1=1') AND (id > 2))")
        // A named window nothing uses leaves no trace in the tree: what runs is the bare predicate.
        #expect(try plan(ScanRequest(tableId: "t", where: "1=1) WINDOW w AS (ORDER BY id")).predicate == "(1 = 1)")
        let like = try plan(ScanRequest(tableId: "t", where: "kind LIKE 'x%' AND day >= DATE '2026-01-01'"))
        #expect(like.predicate == "((kind ~~ 'x%') AND (\"day\" >= CAST('2026-01-01' AS DATE)))")
    }

    @Test("estimates prune row groups by statistics; the scan writes the matching rows")
    func estimateAndScan() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("t.parquet").path
        let connection = try Database().connect()
        // 10 row groups (DuckDB rounds 100,000 up to 100,352 rows), ids ascending: a filter on id touches one of them.
        try connection.execute("""
            COPY (SELECT i AS id, DATE '2026-01-01' + (i // 100000)::INT AS day, (['a', 'b'])[1 + i % 2] AS kind, i * 0.5 AS amount
                  FROM range(1000000) t(i)) TO '\(file)' (FORMAT parquet, ROW_GROUP_SIZE 100000)
            """)
        let schema = try ScanRunner.schema(of: [file], on: connection)
        #expect(schema.map(\.name) == ["id", "day", "kind", "amount"])
        let narrow = try ScanPlan.make(ScanRequest(tableId: "t", select: ["id", "amount"], where: "id >= 250000 AND id < 260000"), schema: schema,
                                       using: connection)
        let estimate = try ScanRunner.estimate(narrow, tableId: "t", files: [file], schema: schema, on: connection)
        #expect(estimate.rowGroups == 10 && estimate.rowGroupsMatching == 1 && estimate.estimatedResultRows == 100_352)
        let all = try ScanRunner.estimate(try ScanPlan.make(ScanRequest(tableId: "t"), schema: schema, using: connection), tableId: "t",
                                          files: [file], schema: schema, on: connection)
        #expect(all.rowGroupsMatching == 10 && all.estimatedResultRows == 1_000_000 && all.estimatedScanBytes > estimate.estimatedScanBytes * 5)
        let byDay = try ScanPlan.make(ScanRequest(tableId: "t", where: "day BETWEEN '2026-01-03' AND '2026-01-04'", limit: 10), schema: schema,
                                      using: connection)
        let dayEstimate = try ScanRunner.estimate(byDay, tableId: "t", files: [file], schema: schema, on: connection)
        #expect(dayEstimate.rowGroupsMatching == 3 && dayEstimate.estimatedResultRows == 10)

        let output = folder.appendingPathComponent("out/snapshot.parquet")
        try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        let ordered = try ScanPlan.make(ScanRequest(tableId: "t", select: ["id", "kind"], where: "id >= 250000 AND id < 260000 AND kind = 'b'",
                                                    limit: 3, orderBy: ["id DESC"]), schema: schema, using: connection)
        #expect(try ScanRunner.write(ordered, files: [file], to: output, deadline: QueryDeadline(milliseconds: 30_000)) == 3)
        struct Row: Decodable, Equatable { let id: Int64; let kind: String }
        #expect(try connection.query("SELECT * FROM read_parquet('\(output.path)')").decode(Row.self)
            == [Row(id: 259_999, kind: "b"), Row(id: 259_997, kind: "b"), Row(id: 259_995, kind: "b")])

        // A limit without an order is the files' first rows, on two threads too.
        let first = try ScanPlan.make(ScanRequest(tableId: "t", select: ["id"], where: "id >= 150000", limit: 5), schema: schema, using: connection)
        #expect(try ScanRunner.write(first, files: [file], to: output, deadline: QueryDeadline(milliseconds: 30_000)) == 5)
        struct Id: Decodable, Equatable { let id: Int64 }
        #expect(try connection.query("SELECT * FROM read_parquet('\(output.path)')").decode(Id.self).map(\.id) == Array(150_000..<150_005))

        // Without one, every row is written (in whatever order the threads finish), in row groups of `outputRowGroupSize` rows at most.
        let everything = try ScanPlan.make(ScanRequest(tableId: "t"), schema: schema, using: connection)
        #expect(try ScanRunner.write(everything, files: [file], to: output, deadline: QueryDeadline(milliseconds: 60_000)) == 1_000_000)
        struct Totals: Decodable, Equatable { let rows: Int64; let distinct_ids: Int64; let id_sum: Int64; let b_rows: Int64 }
        #expect(try connection.query("""
            SELECT count(*) AS rows, count(DISTINCT id) AS distinct_ids, sum(id)::BIGINT AS id_sum, count(*) FILTER (WHERE kind = 'b') AS b_rows
            FROM read_parquet('\(output.path)')
            """).decodeFirst(Totals.self) == Totals(rows: 1_000_000, distinct_ids: 1_000_000, id_sum: 499_999_500_000, b_rows: 500_000))
        struct Largest: Decodable { let largest: Int64 }
        #expect(try connection.query("SELECT max(row_group_num_rows) AS largest FROM parquet_metadata('\(output.path)')")
            .decodeFirst(Largest.self)?.largest == Int64(ScanRunner.outputRowGroupSize))
    }
}
