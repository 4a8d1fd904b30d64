// The query guard decides from DuckDB's parse tree: it refuses everything but one plain SELECT over plain table
// names, and lets through what substring matching would wrongly block.
@testable import AgnesData
import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("query guard")
struct QueryGuardTests {
    let connection: Connection

    init() throws { connection = try Database().connect() }

    @Test("refuses statements that are not one plain SELECT", arguments: [
        "SELECT 1; SELECT 2", "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", "INSERT INTO t VALUES (1)", "CREATE TABLE t (a INT)",
        "COPY orders TO '/tmp/x.csv'", "ATTACH '/tmp/x.duckdb' AS x", "INSTALL httpfs", "LOAD httpfs", "PRAGMA version", "SET threads = 1",
        "SELECT * INTO t2 FROM orders", "DROP TABLE orders", "UPDATE orders SET id = 1", "DELETE FROM orders", "CALL pragma_version()",
    ])
    func refusesNonSelect(sql: String) {
        #expect(throws: QueryRejection.self) { try QueryGuard.tables(in: sql, using: connection) }
    }

    @Test("refuses functions that reach outside the query", arguments: [
        "SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM read_csv('data.csv')", "SELECT * FROM read_parquet('x.parquet')",
        "SELECT * FROM glob('/*')", "SELECT getenv('HOME')", "SELECT * FROM 'orders.parquet'", "SELECT current_setting('threads')",
        "SELECT * FROM orders WHERE id IN (SELECT * FROM read_json_auto('/tmp/x.json'))", "SELECT * FROM query('SELECT 1')",
        "SELECT * FROM postgres_query('remote:crm', 'SELECT 1')", "SELECT * FROM duckdb_secrets()", "SELECT which_secret('x', 'postgres')",
    ])
    func refusesOutsideFunctions(sql: String) {
        #expect(throws: QueryRejection.self) { try QueryGuard.tables(in: sql, using: connection) }
    }

    @Test("refuses tables named with a catalog or schema (the extracts are attached under their source names)")
    func refusesQualifiedTables() {
        #expect(throws: QueryRejection.qualifiedTable("shop.unregistered")) { try QueryGuard.tables(in: "SELECT * FROM shop.unregistered", using: connection) }
        #expect(throws: QueryRejection.self) { try QueryGuard.tables(in: "SELECT * FROM system.main.duckdb_settings", using: connection) }
    }

    @Test("passes SELECTs that substring matching would block, and names the tables they read")
    func passesPlainSelects() throws {
        #expect(try QueryGuard.tables(in: "SELECT 1 AS last_update", using: connection).isEmpty)
        #expect(try QueryGuard.tables(in: "SELECT 'a;b' AS x, '/etc/passwd' AS y FROM orders -- drop table\n", using: connection) == ["orders"])
        #expect(try QueryGuard.tables(in: "/* update */ SELECT count(*) FROM Orders o JOIN customers c ON o.c = c.id;", using: connection)
            == ["orders", "customers"])
        #expect(try QueryGuard.tables(in: "WITH recent AS (SELECT * FROM orders) SELECT * FROM recent, range(3)", using: connection) == ["orders"])
        #expect(try QueryGuard.tables(in: "SELECT * FROM deals WHERE id IN (SELECT deal FROM won)", using: connection) == ["deals", "won"])
    }

    @Test("a CTE hides a table only where DuckDB resolves the name to the CTE", arguments: [
        // The CTE's own body, a sibling defined earlier that names the table, an outer scope, a later sibling.
        ("WITH web_sessions AS (SELECT * FROM web_sessions) SELECT * FROM web_sessions", ["web_sessions"]),
        ("SELECT count(*) FROM (WITH web_sessions AS (SELECT 1) SELECT 1) a, web_sessions", ["web_sessions"]),
        ("WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS v) SELECT * FROM a", ["b"]),
        ("WITH b AS (SELECT 1 AS v), a AS (SELECT * FROM b) SELECT * FROM a", []),
        ("SELECT * FROM orders WHERE id IN (WITH orders AS (SELECT 1 AS id) SELECT id FROM orders)", ["orders"]),
        ("SELECT (WITH x AS (SELECT 1) SELECT * FROM x), * FROM x", ["x"]),
        ("WITH x AS (SELECT 1 AS id) SELECT * FROM orders WHERE id IN (SELECT id FROM x)", ["orders"]),
        ("WITH x AS (WITH y AS (SELECT 1) SELECT * FROM y) SELECT * FROM x, y", ["y"]),
        ("WITH x AS (SELECT 1) (SELECT * FROM x) UNION ALL (SELECT * FROM x)", []),
        ("(WITH x AS (SELECT 1) SELECT * FROM x) UNION ALL (SELECT * FROM x)", ["x"]),
        ("SELECT * FROM orders o, LATERAL (WITH orders AS (SELECT 1 AS n) SELECT n FROM orders) l", ["orders"]),
        // Recursive CTEs see themselves only in their recursive part.
        ("WITH RECURSIVE t AS (SELECT 1 AS v UNION ALL SELECT v + 1 FROM t WHERE v < 3) SELECT * FROM t", []),
        ("WITH RECURSIVE t AS (SELECT * FROM t UNION SELECT 1) SELECT * FROM t", ["t"]),
        ("WITH RECURSIVE t AS (SELECT * FROM t) SELECT * FROM t", ["t"]),
        ("WITH RECURSIVE a AS (SELECT * FROM b), b AS (SELECT 1 AS v) SELECT * FROM a", ["b"]),
        ("WITH RECURSIVE t AS (SELECT 1 AS v UNION ALL SELECT v + 1 FROM t, web_sessions WHERE v < 3) SELECT * FROM t", ["web_sessions"]),
        ("WITH web_sessions AS MATERIALIZED (SELECT * FROM web_sessions) SELECT * FROM web_sessions", ["web_sessions"]),
    ] as [(String, Set<String>)])
    func cteScoping(sql: String, tables: Set<String>) throws {
        #expect(try QueryGuard.tables(in: sql, using: connection) == tables, "\(sql)")
    }

    @Test("catalog listings: DESCRIBE and SUMMARIZE are checked as the query they describe; only SHOW TABLES of the rest")
    func catalogListings() throws {
        #expect(try QueryGuard.tables(in: "DESCRIBE web_sessions", using: connection) == ["web_sessions"])
        #expect(try QueryGuard.tables(in: "SUMMARIZE web_sessions", using: connection) == ["web_sessions"])
        #expect(try QueryGuard.tables(in: "SHOW web_sessions", using: connection) == ["web_sessions"])
        #expect(try QueryGuard.tables(in: "DESCRIBE SELECT * FROM orders", using: connection) == ["orders"])
        #expect(try QueryGuard.tables(in: "SHOW TABLES", using: connection).isEmpty)
        #expect(throws: QueryRejection.catalogListing("SHOW ALL TABLES")) { try QueryGuard.tables(in: "SHOW ALL TABLES", using: connection) }
        #expect(throws: QueryRejection.catalogListing("SHOW ALL TABLES")) { try QueryGuard.tables(in: "DESCRIBE", using: connection) }
        #expect(throws: QueryRejection.catalogListing("SHOW DATABASES")) { try QueryGuard.tables(in: "SHOW DATABASES", using: connection) }
        #expect(throws: QueryRejection.self) { try QueryGuard.tables(in: "DESCRIBE shop.orders", using: connection) }
        #expect(throws: QueryRejection.self) { try QueryGuard.tables(in: "SHOW TABLES FROM shop", using: connection) }
    }

    /// The time limit of the queries that must finish: far above what they take alone (well under a second), because
    /// a full `make test` on two cores has made a 100 MB `repeat` take over ten seconds.
    static let generous = 120_000

    @Test("a query over its time limit is interrupted and reported as such; rows beyond the row or byte cap are cut off")
    func timeoutAndCap() async throws {
        let extracts = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-query-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: extracts) }
        let orchestrator = Orchestrator(extractsDirectory: extracts)
        try orchestrator.rebuild(registry: [])
        let engine = try #require(orchestrator.engine)
        let capped = try await QueryRunner.run("SELECT i, i * 0.5 AS half, 'x' || i AS label, DATE '2026-01-01' + i::INT AS day FROM range(50) t(i)",
                                               limit: 10, timeoutMilliseconds: Self.generous, on: engine, readable: [], policies: .bypass)
        #expect(capped.rowCount == 10 && capped.truncated && capped.columns == ["i", "half", "label", "day"])
        #expect(capped.rows[3] == [.integer(3), .number(1.5), .text("x3"), .text("2026-01-04")])
        // The byte cap: 1,000 rows of ~1 KB each do not fit in 64 KB.
        let wide = try await QueryRunner.run("SELECT i, repeat('x', 1000) AS pad FROM range(1000) t(i)", limit: 1000, maximumBytes: 64 * 1024,
                                             timeoutMilliseconds: Self.generous, on: engine, readable: [], policies: .bypass)
        #expect(wide.truncated && wide.rowCount > 50 && wide.rowCount < 70)
        // The cap holds for the first row too: a 100 MB value is measured, never copied into an answer.
        await #expect(throws: RowTooLarge.self) {
            try await QueryRunner.run("SELECT repeat('x', 100000000) AS big", limit: 10, maximumBytes: 1 << 20, timeoutMilliseconds: Self.generous, on: engine, readable: [], policies: .bypass)
        }
        let afterBig = try await QueryRunner.run("SELECT * FROM (VALUES ('small'), (repeat('x', 100000000))) t(v)", limit: 10,
                                                 maximumBytes: 1 << 20, timeoutMilliseconds: Self.generous, on: engine, readable: [], policies: .bypass)
        #expect(afterBig.rows == [[.text("small")]] && afterBig.truncated)
        await #expect(throws: QueryTimedOut.self) {
            try await QueryRunner.run("SELECT count(*) FROM range(100000000) a, range(1000) b", limit: 10, timeoutMilliseconds: 100, on: engine, readable: [], policies: .bypass)
        }
    }
}
