// `--auto-snapshot`'s pieces that need no server: the snapshot name (as upstream derives it) and the rewrite of a
// query's table references in DuckDB's parse tree.
@testable import AgnesClient
import DuckDB
import Testing

@Suite("auto-snapshot")
struct AutoSnapshotTests {
    @Test("the snapshot is auto_ and the first 8 hex digits of sha256 of the lower-cased table id")
    func name() throws {
        // python3 -c "import hashlib; print(hashlib.sha256(b'live_events').hexdigest()[:8])"
        #expect(try AutoSnapshot.name(for: "live_events") == "auto_1c192673")
        #expect(try AutoSnapshot.name(for: "LIVE_Events") == "auto_1c192673")
    }

    @Test("references are pointed at the snapshot under the table's name; strings, qualified names and CTEs of that name are left alone")
    func rewrite() throws {
        let replacements = ["live": "auto_1"]
        func rewritten(_ sql: String) throws -> String { try AutoSnapshot.rewrite(sql, replacing: replacements) }
        #expect(try rewritten("SELECT live.id FROM live WHERE name = 'live'") == "SELECT live.id FROM auto_1 AS live WHERE (\"name\" = 'live')")
        #expect(try rewritten("SELECT * FROM LIVE l JOIN other o ON o.id = l.id") == "SELECT * FROM auto_1 AS l INNER JOIN other AS o ON ((o.id = l.id))")
        #expect(try rewritten("SELECT * FROM src.main.live") == "SELECT * FROM src.main.live")
        // A CTE named like the table hides it from the rest of the query, not from its own body.
        #expect(try rewritten("WITH live AS (SELECT * FROM live WHERE id < 3) SELECT count(*) FROM live")
                == "WITH live AS (SELECT * FROM auto_1 AS live WHERE (id < 3))SELECT count_star() FROM live")
        #expect(throws: ClientError.self) { try rewritten("SELEC oops") }
        // What it writes, DuckDB reads back as the same query over the snapshot.
        let connection = try Database().connect()
        try connection.execute("CREATE TABLE auto_1 AS SELECT range AS id FROM range(10)")
        #expect(try connection.scalar(Int64.self, try rewritten("SELECT sum(live.id) FROM live WHERE live.id > 6")) == 24)
    }
}
