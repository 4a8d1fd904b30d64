// The one SQL quoting helper: identifiers and literals that carry quotes stay one identifier or one string, and
// invalid identifiers are refused before they reach SQL.
import DuckDB
import Testing

@Suite("SQL quoting")
struct SQLQuotingTests {
    @Test("an identifier with embedded quotes names exactly one table, and a literal with quotes is one string")
    func quoting() throws {
        let connection = try Database().connect()
        defer { connection.close() }
        let name = #"orders" ; DROP TABLE x; --"#
        try connection.execute("CREATE TABLE \(SQL.identifier(name)) AS SELECT \(SQL.literal("it's 'quoted'")) AS text")
        #expect(try connection.scalar(String.self, "SELECT text FROM \(SQL.identifier(name))") == "it's 'quoted'")
        #expect(try connection.scalar(String.self, "SELECT table_name FROM duckdb_tables()") == name)
    }

    @Test("struct field names and enum values are quoted in type names")
    func typeNames() throws {
        let connection = try Database().connect()
        defer { connection.close() }
        let type = LogicalType.structure([.init(name: #"a"b"#, type: .integer)])
        try connection.execute("CREATE TABLE t (s \(type))")
        #expect(try connection.scalar(String.self, "SELECT data_type FROM duckdb_columns() WHERE table_name = 't'") == #"STRUCT("a""b" INTEGER)"#)
    }

    @Test("validated identifiers refuse empty names, control characters and names over 255 bytes")
    func validation() throws {
        #expect(try SQL.validatedIdentifier("orders") == #""orders""#)
        for bad in ["", "a\u{0}b", "line\nbreak", String(repeating: "x", count: 256)] {
            #expect(throws: DuckDBError.self) { try SQL.validatedIdentifier(bad, kind: "table name") }
        }
    }
}
