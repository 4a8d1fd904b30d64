// Our header's DUCKDB_TYPE_* constants match the ids the linked library reports for each column type.
import CDuckDB
import DuckDB
import Testing

@Suite("C API type ids")
struct TypeIdTests {
    @Test("duckdb_column_type reports the ids declared in duckdb_capi.h")
    func typeIds() throws {
        let expected: [(String, duckdb_type)] = [
            ("true", DUCKDB_TYPE_BOOLEAN), ("1::TINYINT", DUCKDB_TYPE_TINYINT), ("1::SMALLINT", DUCKDB_TYPE_SMALLINT),
            ("1::INTEGER", DUCKDB_TYPE_INTEGER), ("1::BIGINT", DUCKDB_TYPE_BIGINT), ("1::UTINYINT", DUCKDB_TYPE_UTINYINT),
            ("1::USMALLINT", DUCKDB_TYPE_USMALLINT), ("1::UINTEGER", DUCKDB_TYPE_UINTEGER), ("1::UBIGINT", DUCKDB_TYPE_UBIGINT),
            ("1::FLOAT", DUCKDB_TYPE_FLOAT), ("1::DOUBLE", DUCKDB_TYPE_DOUBLE), ("TIMESTAMP '2000-01-01'", DUCKDB_TYPE_TIMESTAMP),
            ("DATE '2000-01-01'", DUCKDB_TYPE_DATE), ("TIME '01:02:03'", DUCKDB_TYPE_TIME), ("INTERVAL 1 DAY", DUCKDB_TYPE_INTERVAL),
            ("1::HUGEINT", DUCKDB_TYPE_HUGEINT), ("1::UHUGEINT", DUCKDB_TYPE_UHUGEINT), ("'x'", DUCKDB_TYPE_VARCHAR),
            ("'x'::BLOB", DUCKDB_TYPE_BLOB), ("1.5::DECIMAL(4,1)", DUCKDB_TYPE_DECIMAL),
            ("TIMESTAMP_S '2000-01-01'", DUCKDB_TYPE_TIMESTAMP_S), ("TIMESTAMP_MS '2000-01-01'", DUCKDB_TYPE_TIMESTAMP_MS),
            ("TIMESTAMP_NS '2000-01-01'", DUCKDB_TYPE_TIMESTAMP_NS), ("'a'::ENUM('a')", DUCKDB_TYPE_ENUM),
            ("[1]", DUCKDB_TYPE_LIST), ("{'a': 1}", DUCKDB_TYPE_STRUCT), ("MAP {'a': 1}", DUCKDB_TYPE_MAP),
            ("gen_random_uuid()", DUCKDB_TYPE_UUID), ("union_value(a := 1)", DUCKDB_TYPE_UNION), ("'1'::BIT", DUCKDB_TYPE_BIT),
            ("TIMETZ '01:02:03+01'", DUCKDB_TYPE_TIME_TZ), ("TIMESTAMPTZ '2000-01-01 00:00:00+00'", DUCKDB_TYPE_TIMESTAMP_TZ),
            ("[1, 2]::INTEGER[2]", DUCKDB_TYPE_ARRAY), ("1::BIGNUM", DUCKDB_TYPE_BIGNUM),
        ]
        let connection = try memoryConnection()
        let select = "SELECT " + expected.map(\.0).joined(separator: ", ")
        let result = try connection.query(select)
        // Read the ids through the raw C API on a materialized result of the same query.
        #expect(result.columns.count == expected.count)
        var database: duckdb_database?
        var raw: duckdb_connection?
        #expect(duckdb_open_ext(nil, &database, nil, nil) == DuckDBSuccess)
        #expect(duckdb_connect(database, &raw) == DuckDBSuccess)
        defer {
            duckdb_disconnect(&raw)
            duckdb_close(&database)
        }
        var rawResult = duckdb_result()
        defer { duckdb_destroy_result(&rawResult) }
        #expect(duckdb_query(raw, select, &rawResult) == DuckDBSuccess)
        for (index, (sql, type)) in expected.enumerated() {
            #expect(duckdb_column_type(&rawResult, idx_t(index)) == type, "type id of \(sql)")
        }
    }
}
