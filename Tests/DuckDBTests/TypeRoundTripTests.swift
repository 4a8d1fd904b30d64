// Every supported DuckDB type survives bind → insert → select → read, row-wise and bulk appends, NULLs included.
import DuckDB
import Foundation
import Testing

/// One column type and values of it that must round-trip unchanged.
struct TypeCase: Sendable, CustomTestStringConvertible {
    let sql: String
    let type: LogicalType
    let values: [DuckDBValue]
    /// Nested types are appended row-wise only.
    var bulkAppendable = true

    var testDescription: String { sql }
}

let decimalCases: [TypeCase] = [
    TypeCase(sql: "DECIMAL(4,2)", type: .decimal(width: 4, scale: 2),
             values: [.decimal(.init(value: 1234, width: 4, scale: 2)), .decimal(.init(value: -9999, width: 4, scale: 2))]),
    TypeCase(sql: "DECIMAL(9,3)", type: .decimal(width: 9, scale: 3),
             values: [.decimal(.init(value: 123_456_789, width: 9, scale: 3)), .decimal(.init(value: -1, width: 9, scale: 3))]),
    TypeCase(sql: "DECIMAL(18,6)", type: .decimal(width: 18, scale: 6),
             values: [.decimal(.init(value: 999_999_999_999_999_999, width: 18, scale: 6))]),
    TypeCase(sql: "DECIMAL(38,10)", type: .decimal(width: 38, scale: 10),
             values: [.decimal(.init(value: Int128("99999999999999999999999999999999999999")!, width: 38, scale: 10)),
                      .decimal(.init(value: Int128("-12345678901234567890123456789")!, width: 38, scale: 10))]),
]

let scalarCases: [TypeCase] = [
    TypeCase(sql: "BOOLEAN", type: .boolean, values: [.bool(true), .bool(false)]),
    TypeCase(sql: "TINYINT", type: .tinyint, values: [.int8(.min), .int8(.max), .int8(0)]),
    TypeCase(sql: "SMALLINT", type: .smallint, values: [.int16(.min), .int16(.max)]),
    TypeCase(sql: "INTEGER", type: .integer, values: [.int32(.min), .int32(.max)]),
    TypeCase(sql: "BIGINT", type: .bigint, values: [.int64(.min), .int64(.max), .int64(-1)]),
    TypeCase(sql: "HUGEINT", type: .hugeint, values: [.hugeint(.min + 1), .hugeint(.max), .hugeint(-1), .hugeint(Int128(Int64.max) + 1)]),
    TypeCase(sql: "UTINYINT", type: .utinyint, values: [.uint8(.max), .uint8(0)]),
    TypeCase(sql: "USMALLINT", type: .usmallint, values: [.uint16(.max)]),
    TypeCase(sql: "UINTEGER", type: .uinteger, values: [.uint32(.max)]),
    TypeCase(sql: "UBIGINT", type: .ubigint, values: [.uint64(.max), .uint64(0)]),
    TypeCase(sql: "UHUGEINT", type: .uhugeint, values: [.uhugeint(.max), .uhugeint(0), .uhugeint(UInt128(UInt64.max) + 1)]),
    TypeCase(sql: "FLOAT", type: .float, values: [.float(1.5), .float(-.greatestFiniteMagnitude), .float(.infinity)]),
    TypeCase(sql: "DOUBLE", type: .double, values: [.double(.pi), .double(-1e308), .double(.leastNonzeroMagnitude)]),
    TypeCase(sql: "VARCHAR", type: .varchar, values: [
        .string(""), .string("abcdefghijkl"), .string("abcdefghijklm"), .string("žluťoučký kůň 🐎 úpěl ďábelské ódy"),
        .string("with\0nul"),
    ]),
    TypeCase(sql: "BLOB", type: .blob, values: [.blob(Data()), .blob(Data([0, 1, 2, 255])), .blob(Data(repeating: 7, count: 100))]),
    TypeCase(sql: "DATE", type: .date, values: [
        .date(.init(year: 1969, month: 12, day: 31)), .date(.init(year: 1, month: 1, day: 1)),
        .date(.init(year: 2024, month: 2, day: 29)), .date(.init(year: 9999, month: 12, day: 31)),
        .date(.init(year: 1492, month: 10, day: 12)),
    ]),
    TypeCase(sql: "TIME", type: .time, values: [.time(.init(hour: 23, minute: 59, second: 59, microsecond: 999_999)), .time(.init(microseconds: 0))]),
    TypeCase(sql: "TIMESTAMP", type: .timestamp(.microseconds), values: [
        .timestamp(.init(microseconds: -1)), .timestamp(.init(microseconds: 1_700_000_000_123_456)),
        .timestamp(.init(microseconds: -30_610_224_000_000_000)),  // 1000-01-01
        .timestamp(.init(microseconds: 253_402_300_799_999_999)),  // 9999-12-31 23:59:59.999999
    ]),
    TypeCase(sql: "TIMESTAMP_S", type: .timestamp(.seconds), values: [.timestamp(.init(value: -86_400, unit: .seconds))]),
    TypeCase(sql: "TIMESTAMP_MS", type: .timestamp(.milliseconds), values: [.timestamp(.init(value: 1_700_000_000_123, unit: .milliseconds))]),
    TypeCase(sql: "TIMESTAMP_NS", type: .timestamp(.nanoseconds), values: [
        .timestamp(.init(value: 1_700_000_000_123_456_789, unit: .nanoseconds)), .timestamp(.init(value: -1, unit: .nanoseconds)),
    ]),
    TypeCase(sql: "TIMESTAMPTZ", type: .timestampTZ, values: [.timestampTZ(.init(microseconds: 1_700_000_000_000_001)), .timestampTZ(.init(microseconds: -5))]),
    TypeCase(sql: "INTERVAL", type: .interval, values: [.interval(.init(months: 14, days: -3, microseconds: 5_000_001))]),
    TypeCase(sql: "UUID", type: .uuid, values: [
        .uuid(UUID(uuidString: "f81d4fae-7dec-11d0-a765-00a0c91e6bf6")!), .uuid(UUID(uuidString: "00000000-0000-0000-0000-000000000000")!),
        .uuid(UUID(uuidString: "ffffffff-ffff-ffff-ffff-ffffffffffff")!),
    ]),
    TypeCase(sql: "JSON", type: .json, values: [.string(#"{"a":1,"b":[true,null]}"#)]),
] + decimalCases

let nestedCases: [TypeCase] = [
    TypeCase(sql: "INTEGER[]", type: .list(.integer), values: [.list([.int32(1), .null, .int32(3)]), .list([])], bulkAppendable: false),
    TypeCase(sql: "VARCHAR[]", type: .list(.varchar), values: [.list([.string("a"), .string("a longer string value")])], bulkAppendable: false),
    TypeCase(sql: "STRUCT(a INTEGER, b VARCHAR)", type: .structure([.init(name: "a", type: .integer), .init(name: "b", type: .varchar)]),
             values: [.structure([.init("a", .int32(7)), .init("b", .string("seven"))]), .structure([.init("a", .null), .init("b", .string(""))])],
             bulkAppendable: false),
    TypeCase(sql: "STRUCT(id BIGINT, tags VARCHAR[])[]",
             type: .list(.structure([.init(name: "id", type: .bigint), .init(name: "tags", type: .list(.varchar))])),
             values: [.list([.structure([.init("id", .int64(1)), .init("tags", .list([.string("x")]))]),
                             .structure([.init("id", .int64(2)), .init("tags", .list([]))])])],
             bulkAppendable: false),
    TypeCase(sql: "MAP(VARCHAR, INTEGER)", type: .map(key: .varchar, value: .integer),
             values: [.map([.init(.string("one"), .int32(1)), .init(.string("two"), .null)])], bulkAppendable: false),
    TypeCase(sql: "INTEGER[3]", type: .array(.integer, size: 3), values: [.array([.int32(1), .int32(2), .null])], bulkAppendable: false),
    TypeCase(sql: "DOUBLE[2][]", type: .list(.array(.double, size: 2)), values: [.list([.array([.double(1), .double(2)])])], bulkAppendable: false),
]

@Suite("type round trips")
struct TypeRoundTripTests {
    @Test("a bound value is stored and read back unchanged", arguments: scalarCases + nestedCases)
    func bindInsertSelect(_ typeCase: TypeCase) throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE t (n INTEGER, v \(typeCase.sql))")
        let insert = try connection.prepare("INSERT INTO t VALUES ($1, $2)")
        for (n, value) in typeCase.values.enumerated() {
            try insert.bind(n, at: 1)
            try insert.bind(value, at: 2)
            #expect(try insert.execute() == 1)
        }
        try insert.bind(typeCase.values.count, at: 1)
        try insert.bind(nil, at: 2)
        try insert.execute()

        let result = try connection.query("SELECT v FROM t ORDER BY n")
        #expect(result.columns.first?.type == typeCase.type)
        let read = try result.rows().map { $0[0] }
        #expect(read == typeCase.values + [.null])
    }

    @Test("a value appended row by row reads back unchanged", arguments: scalarCases + nestedCases)
    func rowAppend(_ typeCase: TypeCase) throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE t (n INTEGER, v \(typeCase.sql))")
        let appender = try connection.appender(table: "t")
        for (n, value) in (typeCase.values + [.null]).enumerated() { try appender.appendRow(Int32(n), value) }
        try appender.close()
        #expect(try firstColumn(connection, "SELECT v FROM t ORDER BY n") == typeCase.values + [.null])
    }

    @Test("a column of values appended through a data chunk reads back unchanged", arguments: scalarCases)
    func bulkAppend(_ typeCase: TypeCase) throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TABLE t (n INTEGER, v \(typeCase.sql))")
        // Enough rows to span several chunks, with NULLs in between.
        var numbers: [Int32] = [], values: [DuckDBValue] = []
        for n in 0..<5_000 {
            numbers.append(Int32(n))
            values.append(n % 7 == 3 ? .null : typeCase.values[n % typeCase.values.count])
        }
        let appender = try connection.appender(table: "t")
        try appender.appendColumns([AppendColumn(numbers), AppendColumn(values)])
        try appender.close()
        #expect(try firstColumn(connection, "SELECT v FROM t ORDER BY n") == values)
    }

    @Test("an ENUM value reads back as its label, bound and appended")
    func enumeration() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE TABLE t (n INTEGER, m mood)")
        try connection.execute("INSERT INTO t VALUES (1, $1), (2, NULL)", DuckDBValue.enumeration("happy"))
        let appender = try connection.appender(table: "t")
        try appender.appendRow(3, DuckDBValue.enumeration("sad"))
        try appender.appendColumns([AppendColumn([Int32(4), 5]), AppendColumn([.enumeration("ok"), .string("happy")])])
        try appender.close()
        let result = try connection.query("SELECT m FROM t ORDER BY n")
        #expect(result.columns[0].type == .enumeration(["sad", "ok", "happy"]))
        #expect(try result.rows().map { $0[0] } == [.enumeration("happy"), .null, .enumeration("sad"), .enumeration("ok"), .enumeration("happy")])
    }

    @Test("an ENUM with more than 255 labels uses wider storage and still reads correctly")
    func wideEnumeration() throws {
        let connection = try memoryConnection()
        try connection.execute("CREATE TYPE big AS ENUM (SELECT 'v' || i::VARCHAR FROM range(300) t(i))")
        #expect(try firstColumn(connection, "SELECT 'v299'::big UNION ALL SELECT 'v0'::big ORDER BY 1") == [.enumeration("v0"), .enumeration("v299")])
    }

    @Test("DuckDB's own literals of each type read as the expected Swift values")
    func literals() throws {
        let connection = try memoryConnection()
        let row = try #require(try connection.query("""
            SELECT -170141183460469231731687303715884105727::HUGEINT AS h,
                   340282366920938463463374607431768211455::UHUGEINT AS uh,
                   12.34::DECIMAL(4,2) AS d,
                   DATE '1900-03-01' AS early,
                   TIMESTAMP '1960-06-15 12:34:56.789012' AS ts,
                   TIMESTAMP_NS '2000-01-01 00:00:00.000000001' AS ns,
                   TIMESTAMPTZ '2024-01-01 00:00:00+00' AS tz,
                   INTERVAL '1 year 2 days 3 seconds' AS i,
                   'f81d4fae-7dec-11d0-a765-00a0c91e6bf6'::UUID AS u,
                   [{'k': 1}] AS los,
                   MAP {'a': 1} AS m
            """).rows().first)
        #expect(row["h"] == .hugeint(-Int128("170141183460469231731687303715884105727")!))
        #expect(row["uh"] == .uhugeint(.max))
        #expect(row["d"] == .decimal(.init(value: 1234, width: 4, scale: 2)))
        #expect(row["early"]?.description == "1900-03-01")
        #expect(row["ts"]?.description == "1960-06-15 12:34:56.789012")
        #expect(row["ns"]?.description == "2000-01-01 00:00:00.000000001")
        #expect(row["tz"] == .timestampTZ(.init(microseconds: 1_704_067_200_000_000)))
        #expect(row["i"] == .interval(.init(months: 12, days: 2, microseconds: 3_000_000)))
        #expect(row["u"] == .uuid(UUID(uuidString: "f81d4fae-7dec-11d0-a765-00a0c91e6bf6")!))
        #expect(row["los"] == .list([.structure([.init("k", .int32(1))])]))
        #expect(row["m"] == .map([.init(.string("a"), .int32(1))]))
    }

    @Test("strings of 0, 12 and 13 bytes read correctly through the typed column path")
    func stringBoundaries() throws {
        let connection = try memoryConnection()
        let result = try connection.query("SELECT * FROM (VALUES (''), ('abcdefghijkl'), ('abcdefghijklm'), ('ünïcødé ✓ 𝄞')) t(s)")
        var strings: [String] = []
        while let chunk = try result.nextChunk() { try chunk.column(0).append(to: &strings) }
        #expect(strings == ["", "abcdefghijkl", "abcdefghijklm", "ünïcødé ✓ 𝄞"])
        #expect(strings.map(\.utf8.count) == [0, 12, 13, 20])
    }

    @Test("a 10 MB blob round-trips byte for byte")
    func largeBlob() throws {
        let connection = try memoryConnection()
        var generator = SystemRandomNumberGenerator()
        var blob = Data(count: 10_000_000)
        blob.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for index in words.indices { words[index] = generator.next() }
        }
        try connection.execute("CREATE TABLE b (data BLOB)")
        try connection.execute("INSERT INTO b VALUES ($1)", blob)
        let read = try connection.scalar(Data.self, "SELECT data FROM b")
        #expect(read == blob)
        #expect(try connection.scalar(Int64.self, "SELECT octet_length(data) FROM b") == 10_000_000)
    }

    @Test("an unsupported type is a clear error naming the type, never a crash or an empty value")
    func unsupportedType() throws {
        let connection = try memoryConnection()
        let result = try connection.query("SELECT '101'::BIT AS bits")
        #expect(result.columns[0].type == .unsupported(id: 29, name: "BIT"))
        let error = #expect(throws: DuckDBError.self) { try result.rows() }
        #expect(error?.kind == .unsupportedType)
        #expect(error?.message.contains("BIT") == true)

        let union = try connection.query("SELECT union_value(num := 1) AS u")
        #expect(throws: DuckDBError.self) { try union.rows() }
    }

    @Test("regression: a Foundation date beyond 64-bit microseconds is clamped, not a trap (the legacy JSON fuzzer found it)")
    func farDates() {
        #expect(DuckDBTimestamp(Date(timeIntervalSince1970: -1e300)).microseconds == Int64.min)
        #expect(DuckDBTimestamp(Date(timeIntervalSince1970: 1e300)).microseconds == Int64.max)
        #expect(DuckDBTimestamp(Date(timeIntervalSince1970: 1.5)).microseconds == 1_500_000)
    }
}
