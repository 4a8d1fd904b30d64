// Statements, prepared statements, transactions, errors, interrupts and row decoding on a single connection.
import DuckDB
import Foundation
import Testing

@Suite("connection")
struct ConnectionTests {
    @Test("the linked library is DuckDB v1.5.5")
    func version() {
        #expect(Database.libraryVersion == "v1.5.5")
        #expect(Database.vectorSize == 2048)
    }

    @Test("a syntax error carries DuckDB's message and the syntax kind")
    func syntaxError() throws {
        let connection = try memoryConnection()
        let error = #expect(throws: DuckDBError.self) { try connection.query("SELEC 1") }
        #expect(error?.kind == .syntax)
        #expect(error?.message.contains("syntax error at or near \"SELEC\"") == true)
        #expect(error?.sql == "SELEC 1")

        let executeError = #expect(throws: DuckDBError.self) { try connection.execute("CREATE TABLE (") }
        #expect(executeError?.kind == .syntax)
    }

    @Test("a missing table carries DuckDB's catalog message")
    func missingTable() throws {
        let connection = try memoryConnection()
        let error = #expect(throws: DuckDBError.self) { try connection.query("SELECT * FROM nowhere") }
        #expect(error?.kind == .catalog)
        #expect(error?.message.contains("Table with name nowhere does not exist") == true)
        let executeError = #expect(throws: DuckDBError.self) { try connection.execute("DELETE FROM nowhere") }
        #expect(executeError?.kind == .catalog)
    }

    @Test("a constraint violation is a constraint error")
    func constraint() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE u (id INTEGER PRIMARY KEY)")
        try connection.execute("INSERT INTO u VALUES (1)")
        let error = #expect(throws: DuckDBError.self) { try connection.execute("INSERT INTO u VALUES ($1)", 1) }
        #expect(error?.kind == .constraint)
        #expect(error?.message.contains("Duplicate key") == true)
    }

    @Test("a prepared statement runs 10,000 times with new bindings and clears them on request")
    func preparedReuse() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE kv (k INTEGER, v VARCHAR)")
        let insert = try connection.prepare("INSERT INTO kv VALUES ($1, $2)")
        #expect(insert.parameterCount == 2)
        for k in 0..<10_000 {
            try insert.bind(k, at: 1)
            try insert.bind("value \(k)", at: 2)
            try insert.execute()
        }
        #expect(try connection.scalar(Int64.self, "SELECT count(DISTINCT k) FROM kv") == 10_000)
        #expect(try connection.scalar(String.self, "SELECT v FROM kv WHERE k = 9999") == "value 9999")

        try insert.clearBindings()
        let missing = #expect(throws: DuckDBError.self) { try insert.execute() }
        #expect(missing != nil)
        #expect(throws: DuckDBError.self) { try insert.bind(1, at: 3) }
    }

    @Test("integers bind at the width the parameter is declared with, and one too large is still refused")
    func integerWidths() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE widths (t TINYINT, s SMALLINT, i INTEGER, b BIGINT, d DOUBLE)")
        try connection.execute("INSERT INTO widths VALUES ($1, $2, $3, $4, $5)", 7, Int32(300), Int64(70_000), Int32(-5), 2)
        struct Row: Decodable, Equatable { let t: Int8; let s: Int16; let i: Int32; let b: Int64; let d: Double }
        #expect(try connection.fetchOne(Row.self, "SELECT * FROM widths") == Row(t: 7, s: 300, i: 70_000, b: -5, d: 2))
        let tooLarge = #expect(throws: DuckDBError.self) {
            try connection.execute("INSERT INTO widths (i) VALUES ($1)", Int64(Int32.max) + 1)
        }
        #expect(tooLarge?.message.contains("2147483648") == true)
        #expect(try connection.scalar(Int64.self, "SELECT count(*) FROM widths WHERE i = $1", 70_000) == 1)
    }

    @Test("parameters bind by name")
    func namedParameters() throws {
        let connection = try memoryConnection()
        let statement = try connection.prepare("SELECT $greeting || ', ' || $name AS text")
        try statement.bind(["greeting": "Hello", "name": "Agnes"])
        #expect(try statement.query().scalar(String.self) == "Hello, Agnes")
        try statement.bind("Ahoj", named: "greeting")
        #expect(try statement.query().scalar(String.self) == "Ahoj, Agnes")
        let error = #expect(throws: DuckDBError.self) { try statement.bind(1, named: "nope") }
        #expect(error?.kind == .parameter)
    }

    @Test("a transaction commits when its body returns")
    func transactionCommits() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE t (x INTEGER)")
        let value = try connection.withTransaction { connection in
            try connection.execute("INSERT INTO t VALUES (1), (2)")
            return 42
        }
        #expect(value == 42)
        #expect(try connection.scalar(Int64.self, "SELECT count(*) FROM t") == 2)
    }

    @Test("a transaction rolls back when its body throws, and the error is rethrown")
    func transactionRollsBack() throws {
        struct Abort: Error {}
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE t (x INTEGER)")
        #expect(throws: Abort.self) {
            try connection.withTransaction { connection in
                try connection.execute("INSERT INTO t VALUES (1)")
                throw Abort()
            }
        }
        #expect(try connection.scalar(Int64.self, "SELECT count(*) FROM t") == 0)
        // The connection is usable again afterwards.
        try connection.withTransaction { try $0.execute("INSERT INTO t VALUES (3)") }
        #expect(try connection.scalar(Int64.self, "SELECT count(*) FROM t") == 1)
    }

    @Test("rows changed are reported for INSERT, UPDATE and DELETE")
    func rowsChanged() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE t (x INTEGER)")
        #expect(try connection.execute("INSERT INTO t SELECT * FROM range(10)") == 10)
        #expect(try connection.execute("UPDATE t SET x = x + 1 WHERE x < $1", 4) == 4)
        #expect(try connection.execute("DELETE FROM t WHERE x > $1", 5) == 4)
    }

    @Test("interrupt stops a query that would run for hours, and the connection stays usable")
    func interrupt() throws {
        let connection = try memoryConnection()
        let handle = connection.interruptHandle
        let interruptedAt = InterruptClock()
        // A dispatch queue, not a Task: synchronous DuckDB work in parallel tests can occupy the cooperative pool.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            interruptedAt.mark()
            handle.interrupt()
        }
        let error = #expect(throws: DuckDBError.self) {
            let result = try connection.query("SELECT count(*) FROM range(10000000000) a, range(1000) b WHERE a.range + b.range = -1")
            _ = try result.rows()
        }
        // The query ends because of the interrupt (it was sent, and the error says so), not on its own.
        #expect(interruptedAt.date != nil)
        #expect(error?.kind == .interrupt)
        // The connection still works after an interrupt.
        #expect(try connection.scalar(Int.self, "SELECT 1") == 1)
    }

    @Test("a result streams chunk by chunk and exposes typed, zero-copy columns")
    func streaming() throws {
        let connection = try memoryConnection()
        let result = try connection.query("SELECT i::BIGINT AS id, i / 2 AS half, CASE WHEN i % 3 = 0 THEN NULL ELSE i::INTEGER END AS maybe FROM range(100000) t(i)")
        #expect(result.columns.map(\.name) == ["id", "half", "maybe"])
        var chunks = 0, ids: [Int64] = [], halves: [Double] = [], maybes: [Int32?] = []
        while let chunk = try result.nextChunk() {
            chunks += 1
            #expect(chunk.count <= Database.vectorSize)
            try chunk.column(0).append(to: &ids)
            try chunk.column(1).append(to: &halves)
            try chunk.column(2).append(to: &maybes)
            let sum = try chunk.column(0).withUnsafeValues(as: Int64.self) { $0.reduce(0, +) }
            #expect(sum == chunk.count * (Int(ids.last!) + Int(ids[ids.count - chunk.count])) / 2)
        }
        #expect(chunks >= 100000 / Database.vectorSize)
        #expect(ids == (0..<100_000).map(Int64.init))
        #expect(halves[99_999] == 49_999.5)
        #expect(maybes[3] == nil && maybes[4] == 4)
        #expect(try result.nextChunk() == nil)
    }

    @Test("reading a column as the wrong Swift type is a clear error")
    func typeMismatch() throws {
        let connection = try memoryConnection()
        let chunk = try #require(try connection.query("SELECT 1::INTEGER AS i, NULL::BIGINT AS n").nextChunk())
        var int64s: [Int64] = []
        let wrongType = #expect(throws: DuckDBError.self) { try chunk.column(0).append(to: &int64s) }
        #expect(wrongType?.message.contains("INTEGER") == true)
        let nulls = #expect(throws: DuckDBError.self) { try chunk.column(1).append(to: &int64s) }
        #expect(nulls?.message.contains("NULL") == true)
    }

    @Test("rows decode into Decodable structs by column name, nested values and JSON included")
    func decoding() throws {
        enum Status: String, Codable { case ok, error }
        struct Address: Codable, Equatable { let city: String; let zip: String? }
        struct Settings: Codable, Equatable { let theme: String; let size: Int }
        struct Person: Decodable, Equatable {
            let id: Int
            let name: String
            let email: String?
            let status: Status
            let score: Double
            let tags: [String]
            let address: Address
            let settings: Settings
            let created: Date
            let key: UUID
            let balance: Decimal
        }
        let connection = try memoryConnection()
        let people = try connection.fetchAll(Person.self, """
            SELECT 1 AS id, 'Ada' AS name, NULL AS email, 'ok' AS status, 9.5 AS score, ['x', 'y'] AS tags,
                   {'city': 'Prague', 'zip': NULL} AS address, '{"theme": "dark", "size": 3}'::JSON AS settings,
                   TIMESTAMPTZ '2024-05-01 10:00:00+00' AS created, 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6'::UUID AS key,
                   12.50::DECIMAL(10,2) AS balance, 'ignored' AS extra
            """)
        #expect(people == [Person(id: 1, name: "Ada", email: nil, status: .ok, score: 9.5, tags: ["x", "y"],
                                  address: Address(city: "Prague", zip: nil), settings: Settings(theme: "dark", size: 3),
                                  created: Date(timeIntervalSince1970: 1_714_557_600), key: UUID(uuidString: "f81d4fae-7dec-11d0-a765-00a0c91e6bf6")!,
                                  balance: Decimal(string: "12.5")!)])
        #expect(try connection.fetchOne(Person.self, "SELECT * FROM (SELECT 1 AS id) WHERE false") == nil)

        let missing = #expect(throws: DecodingError.self) { try connection.fetchAll(Person.self, "SELECT 1 AS id") }
        #expect(missing != nil)
    }

    @Test("a closed connection refuses work with a clear error")
    func closedConnection() throws {
        let connection = try memoryConnection()
        connection.close()
        #expect(connection.isClosed)
        let error = #expect(throws: DuckDBError.self) { try connection.execute("SELECT 1") }
        #expect(error?.kind == .misuse)
    }

    @Test("configuration options are applied, and an invalid one is refused by name")
    func configuration() throws {
        let database = try Database(configuration: .init(threads: 1, memoryLimit: "256MB", options: ["default_order": "DESC"]))
        let connection = try database.connect()
        #expect(try connection.scalar(Int64.self, "SELECT current_setting('threads')") == 1)
        #expect(try firstColumn(connection, "SELECT * FROM range(3) ORDER BY 1") == [.int64(2), .int64(1), .int64(0)])
        #expect(try connection.scalar(Bool.self, "SELECT current_setting('autoinstall_known_extensions')") == false)

        let error = #expect(throws: DuckDBError.self) { try Database(configuration: .init(options: ["no_such_option": "1"])) }
        #expect(error?.message.contains("no_such_option") == true)
    }

    @Test("a read-only database refuses writes")
    func readOnly() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("ro.duckdb").path
            do {
                let connection = try Database(path: path).connect()
                try connection.execute("CREATE TABLE t AS SELECT 1 AS x")
            }
            let connection = try Database(path: path, configuration: .init(accessMode: .readOnly)).connect()
            #expect(try connection.scalar(Int.self, "SELECT x FROM t") == 1)
            let error = #expect(throws: DuckDBError.self) { try connection.execute("INSERT INTO t VALUES (2)") }
            #expect(error?.message.contains("read-only") == true)
        }
    }
}

/// When the interrupt was sent, recorded from another thread.
final class InterruptClock: @unchecked Sendable {
    private let lock = NSLock()
    private var marked: Date?
    func mark() { lock.withLock { marked = Date() } }
    var date: Date? { lock.withLock { marked } }
}
