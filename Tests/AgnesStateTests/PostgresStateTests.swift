// The PostgreSQL backend's own parts: statement splitting, values both ways, errors, the URL, the migration lock.
@testable import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("PostgreSQL state backend")
struct PostgresStateTests {
    @Test("a statement list is split at its semicolons, not at those in quotes or comments")
    func severalStatements() {
        #expect(PostgresStateConnection.statements(in: "SELECT 1") == ["SELECT 1"])
        #expect(PostgresStateConnection.statements(in: "SELECT 1;\n  ") == ["SELECT 1"])
        #expect(PostgresStateConnection.statements(in: "SELECT ';' -- it's; fine\n") == ["SELECT ';' -- it's; fine\n"])
        #expect(PostgresStateConnection.statements(in: "CREATE TABLE a (x INT); CREATE TABLE b (y INT);\n-- done;\n")
                == ["CREATE TABLE a (x INT)", " CREATE TABLE b (y INT)"])
        #expect(PostgresStateConnection.statements(in: StateSchema.coreSchema).count == 20)
    }
}
