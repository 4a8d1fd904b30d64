// DuckDB 1.5.5 refuses to open a file whose log holds an ALTER TABLE of a table with a function default; the state
// database opens it anyway (`WALReplayRecovery`), with every committed row.
@testable import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("WAL replay recovery")
struct WALReplayRecoveryTests {
    @Test("a log holding an ALTER TABLE of a table with DEFAULT now() is replayed, with every committed row")
    func alterWithFunctionDefault() async throws {
        try await withDataDirectory { directory in
            let path = directory.appendingPathComponent("system.duckdb").path
            do {
                let database = try Database(path: path, configuration: .init(options: ["checkpoint_threshold": "1GB"]))
                let connection = try database.connect()
                try connection.execute("PRAGMA disable_checkpoint_on_shutdown")
                try connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, created_at TIMESTAMPTZ NOT NULL DEFAULT now())")
                try connection.execute("INSERT INTO t (id) VALUES (1)")
                try connection.execute("ALTER TABLE t ADD COLUMN note VARCHAR")
                try connection.execute("INSERT INTO t (id, note) VALUES (2, 'after the alter')")
                connection.close()
                database.close()
            }
            #expect(FileManager.default.fileExists(atPath: path + ".wal"), "the rows are in the log, not yet in the file")
            // DuckDB alone cannot open it (the day it can, this recovery can go).
            #expect(throws: DuckDBError.self) { try Database(path: path).connect() }
            let database = try StateStore.openDatabase(path: path, threads: 1)
            defer { database.close() }
            let connection = try database.connect()
            defer { connection.close() }
            #expect(try connection.scalar(String.self, "SELECT string_agg(id || ':' || coalesce(note, '-'), ',' ORDER BY id) FROM t") == "1:-,2:after the alter")
        }
    }
}
