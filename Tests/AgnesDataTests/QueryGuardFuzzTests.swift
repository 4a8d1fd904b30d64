// The query guard under generated and mutated SQL. The property (a differential one): whatever the guard lets through
// over the granted tables only answers exactly what a locked-down engine answers — an engine that holds only the
// granted tables and may not touch a file or another database. The permissive engine the guard is checked on also holds
// an ungranted table, an attached database, a schema of its own and parquet and CSV files, each full of a canary;
// a query that reaches any of them differs from the locked-down engine's answer, or carries the canary. The converse,
// for SQL the generator builds from harmless parts only: the guard refuses none that the locked-down engine runs.
// (`SHOW TABLES` is the one answer allowed to differ: it lists the engine it runs on, and a caller's query runs in a
// scope that holds only their tables.)
@testable import AgnesData
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

@Suite("query guard fuzzing")
struct QueryGuardFuzzTests {
    static let canary = "CANARY-7f3a"
    static let granted: Set<String> = ["orders", "customers"]

    /// The two engines the property compares.
    struct Engines {
        /// The engine the guard parses with and the query runs on, holding everything a query must not reach.
        let permissive: Connection
        /// Only the granted tables; no file, network or other database.
        let locked: Connection
        let files: URL

        init() throws {
            files = FileManager.default.temporaryDirectory.appendingPathComponent("guard-fuzz-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            let tables = """
                CREATE TABLE orders AS SELECT i AS id, i % 4 AS customer_id, (i * 7.5)::DOUBLE AS amount, ['north', 'south'][i % 2 + 1] AS region
                    FROM range(1, 21) t(i);
                CREATE TABLE customers AS SELECT i AS id, 'customer ' || i AS name FROM range(0, 4) t(i);
                """
            permissive = try Database(configuration: .init(threads: 1, memoryLimit: "256MB")).connect()
            _ = try permissive.execute(tables)
            let canary = QueryGuardFuzzTests.canary
            _ = try permissive.execute("""
                CREATE TABLE secret AS SELECT i AS id, '\(canary)-' || i AS code FROM range(3) t(i);
                CREATE SCHEMA hidden; CREATE TABLE hidden.orders AS SELECT '\(canary)' AS id;
                ATTACH ':memory:' AS other_db; CREATE TABLE other_db.main.t AS SELECT '\(canary)' AS id;
                COPY (SELECT '\(canary)' AS id) TO '\(files.path)/secret.parquet' (FORMAT parquet);
                COPY (SELECT '\(canary)' AS id) TO '\(files.path)/secret.csv' (FORMAT csv);
                """)
            locked = try Database(configuration: .init(threads: 1, memoryLimit: "256MB",
                                                       options: ["enable_external_access": "false", "lock_configuration": "true"])).connect()
            _ = try locked.execute(tables)
        }

        /// Rows as sorted text, or the error (a failure, or the time limit).
        func answer(_ sql: String, on connection: Connection) -> Result<[String], Error> {
            Result {
                try QueryDeadline(milliseconds: 500).run(on: connection) {
                    try connection.query(sql).rows().map { row in row.values.map(\.description).joined(separator: "\u{1F}") }.sorted()
                }
            }
        }
    }

    @Test("what the guard lets through over granted tables answers as the locked-down engine does; harmless SQL is never refused")
    func differential() async throws {
        let (outcome, compared) = try await offTheCooperativePool { () throws -> (Fuzz.Outcome, Int) in
            let engines = try Engines()
            defer { try? FileManager.default.removeItem(at: engines.files) }
            let files = engines.files.path
            var corpus = GuardSQL.corpus(files: files)
            var accepted = 0, compared = 0
            let outcome = Fuzz.run("query-guard") { random, _ in
                var generator = GuardSQL(random: random, files: files)
                let sql: String
                if random.oneIn(3), let base = corpus.randomElement(using: &random) {
                    sql = Fuzz.mutate(base, &random, dictionary: GuardSQL.dictionary(files: files), other: corpus.randomElement(using: &random))
                } else {
                    sql = generator.statement()
                }
                let verdict = Result { try QueryGuard.analyze(sql, using: engines.permissive) }
                guard case let .success(analysis) = verdict else {
                    // Refused. A statement built from harmless parts only must not be, when the locked-down engine runs it.
                    if generator.harmless, sql == generator.last, case .success = engines.answer(sql, on: engines.locked) {
                        return "the guard refused harmless SQL the locked-down engine runs: \(sql) — \(verdict)"
                    }
                    return nil
                }
                guard analysis.tables.isSubset(of: Self.granted) else { return nil }  // the caller's grant check refuses it
                accepted += 1
                guard case let .success(rows) = engines.answer(sql, on: engines.permissive) else { return nil }
                compared += 1
                let leaked = rows.contains { $0.contains(Self.canary) }
                let lockedRows = engines.answer(sql, on: engines.locked)
                let same = (try? lockedRows.get()) == rows || GuardSQL.isVolatile(sql) || GuardSQL.listsTables(sql)
                if accepted % 50 == 0 { corpus.append(sql) }
                return !leaked && same ? nil : "the guard let through \(sql) — permissive \(rows.prefix(5)), locked-down \(lockedRows)"
            }
            print(#"{"fuzzer":"query-guard","accepted_over_granted":\#(accepted),"compared":\#(compared)}"#)
            return (outcome, compared)
        }
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
        #expect(compared > 0, "the generator produced nothing the guard accepts")
    }
}

/// A generator of SELECTs from parts both harmless (granted tables, CTEs, subqueries, set operations, lateral joins,
/// generators) and not (an ungranted table, qualified names, files, an attached database, functions that reach out).
struct GuardSQL {
    var random: FuzzRandom
    let files: String
    /// Whether every part of the last statement was harmless.
    var harmless = true
    var last = ""
    var depth = 0

    init(random: FuzzRandom, files: String) {
        self.random = random
        self.files = files
    }

    static func corpus(files: String) -> [String] {
        [
            "SELECT * FROM orders", "SELECT count(*) FROM orders o JOIN customers c ON o.customer_id = c.id",
            "WITH secret AS (SELECT * FROM orders) SELECT * FROM secret", "WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a",
            "SELECT * FROM orders WHERE id IN (WITH secret AS (SELECT 1 AS x) SELECT x FROM secret)",
            "WITH RECURSIVE t AS (SELECT 1 AS v UNION ALL SELECT v + 1 FROM t WHERE v < 3) SELECT * FROM t",
            "SELECT * FROM orders o, LATERAL (SELECT count(*) FROM customers) l", "SELECT id FROM orders UNION ALL SELECT id FROM customers",
            "SELECT * FROM '\(files)/secret.parquet'", "SELECT * FROM read_csv('\(files)/secret.csv')", "SELECT * FROM other_db.main.t",
            "SELECT * FROM hidden.orders", "SELECT * FROM main.orders", "SELECT * FROM memory.main.secret", "SELECT getenv('HOME')",
            "DESCRIBE SELECT * FROM orders", "SUMMARIZE SELECT * FROM customers", "SHOW TABLES", "SELECT * FROM range(3)",
            "SELECT (SELECT count(*) FROM customers), (SELECT max(amount) FROM orders)", "FROM orders SELECT region, sum(amount) GROUP BY ALL",
            "SELECT * FROM orders QUALIFY row_number() OVER (PARTITION BY region ORDER BY id) = 1", "PIVOT orders ON region USING sum(amount)",
        ]
    }

    static func dictionary(files: String) -> [String] {
        ["secret", "hidden.", "other_db.main.", "main.", "memory.main.", "system.main.", "'\(files)/secret.parquet'", "read_parquet(", "read_csv(",
         "WITH ", "RECURSIVE ", " AS (SELECT * FROM secret)", " UNION ALL SELECT * FROM secret", " LATERAL ", "getenv(", ";", "--", "/*", "*/",
         "\"", "'", "(", ")", ",", " FROM ", " JOIN ", "duckdb_tables()", "information_schema.tables", "query('SELECT 1')", "$$", "e'"]
    }

    /// `SHOW TABLES` lists the engine it runs on: the guard lets it through because a caller's query runs in a scope
    /// that holds only their tables (here, the permissive engine lists the ungranted table's name, by design).
    static func listsTables(_ sql: String) -> Bool { sql.lowercased().contains("show") }

    /// Volatile functions answer differently on two engines.
    static func isVolatile(_ sql: String) -> Bool {
        let lower = sql.lowercased()
        return ["random", "uuid", "now", "current_", "gen_random", "setseed", "today", "epoch_"].contains { lower.contains($0) }
    }

    mutating func statement() -> String {
        harmless = true
        depth = 0
        last = select()
        return last
    }

    mutating func unsafe(_ part: String) -> String {
        harmless = false
        return part
    }

    mutating func tableReference(_ ctes: [String]) -> String {
        switch Int.random(in: 0..<14, using: &random) {
        case 0...3: return random.pick(["orders", "customers"]) + random.pick(["", " o", " AS t", " secret"])
        case 4 where !ctes.isEmpty: return random.pick(ctes)
        case 5: return unsafe("secret")
        case 6: return unsafe(random.pick(["main.orders", "memory.main.orders", "hidden.orders", "other_db.main.t", "other_db.t",
                                           "system.main.duckdb_settings", "\"hidden\".\"orders\"", "memory.secret"]))
        case 7: return unsafe(random.pick(["'\(files)/secret.parquet'", "read_parquet(['\(files)/secret.parquet'])", "read_csv('\(files)/secret.csv')",
                                           "'\(files)/secret.csv'", "read_text('/etc/hostname')", "glob('\(files)/*')", "duckdb_tables()",
                                           "information_schema.tables", "query('SELECT * FROM secret')", "query_table('secret')"]))
        case 8: return random.pick(["range(3) r(v)", "generate_series(1, 3) g(v)", "unnest([1, 2]) u(v)"])
        case 9 where depth < 3: return "(\(select(ctes))) s"
        case 10 where depth < 3: return "LATERAL (\(select(ctes))) l"
        default: return random.pick(["orders", "customers"])
        }
    }

    mutating func expression(_ ctes: [String]) -> String {
        switch Int.random(in: 0..<10, using: &random) {
        case 0: return "count(*)"
        case 1: return "1"
        case 2 where depth < 3: return "(SELECT count(*) FROM \(tableReference(ctes)))"
        case 3 where depth < 3: return "EXISTS (\(select(ctes)))"
        case 4: return unsafe(random.pick(["getenv('HOME')", "current_setting('threads')", "(SELECT code FROM secret LIMIT 1)"]))
        case 5: return "'text'"
        case 6: return random.pick(["max(1)", "sum(1)", "min(2)"])
        default: return "*"
        }
    }

    mutating func select(_ outer: [String] = []) -> String {
        depth += 1
        defer { depth -= 1 }
        var ctes = outer
        var text = ""
        if depth < 3, random.oneIn(3) {
            let recursive = random.oneIn(4)
            var definitions: [String] = []
            for _ in 0..<Int.random(in: 1...2, using: &random) {
                let name = random.pick(["a", "b", "secret", "orders", "t"])
                if recursive, definitions.isEmpty {
                    definitions.append("\(name)(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM \(name) WHERE v < 3)")
                } else {
                    definitions.append("\(name) AS (\(select(ctes)))")
                }
                ctes.append(name)
            }
            text = "WITH \(recursive ? "RECURSIVE " : "")\(definitions.joined(separator: ", ")) "
        }
        text += "SELECT \(expression(ctes)) FROM \(tableReference(ctes))"
        if random.oneIn(3) { text += " JOIN \(tableReference(ctes)) ON true" }
        if random.oneIn(3) { text += " WHERE \(random.oneIn(2) ? "1 = 1" : "EXISTS (\(depth < 3 ? select(ctes) : "SELECT 1"))")" }
        if random.oneIn(4), depth < 3 { text += random.pick([" UNION ALL ", " UNION ", " EXCEPT ", " INTERSECT "]) + select(outer) }
        if random.oneIn(5) { text += " LIMIT \(Int.random(in: 0...5, using: &random))" }
        return text
    }
}
