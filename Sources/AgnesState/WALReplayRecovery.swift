// DuckDB 1.5.5 cannot replay, into a database file it opens directly, a write-ahead log that holds an ALTER TABLE of a
// table with a function default (`created_at … DEFAULT now()`, as most state tables have): the open fails with
// "Failure while replaying WAL … GetDefaultDatabase with no default database set", and keeps failing. A migration step
// that alters such a table and commits, followed by a kill before the next checkpoint, would leave the state database
// unopenable. Attached to an in-memory database, the same file replays: this opens it that way once, checkpoints it
// (the log folds into the file), and lets the caller open it as usual. Nothing is lost; the crash matrix holds it
// (`StateCrashTests`, a migration killed inside the third step of the ladder).
import DuckDB
import Foundation

enum WALReplayRecovery {
    /// Whether `error` is DuckDB's failure to replay the log of a file opened directly.
    static func isDefaultDatabaseFailure(_ error: DuckDBError) -> Bool {
        error.message.contains("Failure while replaying WAL") && error.message.contains("no default database set")
    }

    /// Replays the log of the database at `path` by attaching it to an in-memory database, then checkpoints it.
    static func replayAttached(_ path: String) throws {
        let database = try Database(configuration: .init(threads: 1))
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        try connection.execute("ATTACH \(SQL.literal(path)) AS agnes_recovered")
        try connection.execute("CHECKPOINT agnes_recovered")
        try connection.execute("DETACH agnes_recovered")
    }
}
