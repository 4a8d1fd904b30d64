// Operator tasks on the state while no server runs: migration status and upgrade, backup, restore (the embedded
// database), and — on either backend — the JSON export, its import and the legacy import.
import AgnesCore
import DuckDB
import Foundation

/// Maintenance of the state of a `DATA_DIR`: the embedded database under it, or the PostgreSQL state at `location`.
/// On the embedded database each task opens the database itself, so it fails with `StateError.locked` (naming the
/// holder) while a server runs on the same `DATA_DIR`. On PostgreSQL migrations, the JSON export and import and the
/// legacy import work through a scratch embedded copy (`PostgresStateMirror`); backup and restore are PostgreSQL's own
/// tools' work (pg_dump) and are refused.
public struct StateMaintenance: Sendable {
    public let dataDirectory: URL
    public let location: StateLocation
    /// Where backups and copies of imported files go: `state/backups/` of `dataDirectory`.
    public let backupDirectory: URL

    public init(dataDirectory: URL, location: StateLocation = .embedded) {
        self.init(dataDirectory: dataDirectory, location: location, backupDirectory: nil)
    }

    init(dataDirectory: URL, location: StateLocation, backupDirectory: URL?) {
        self.dataDirectory = dataDirectory
        self.location = location
        self.backupDirectory = backupDirectory ?? dataDirectory.appendingPathComponent("state").appendingPathComponent("backups")
    }

    public var stateDirectory: URL { dataDirectory.appendingPathComponent("state") }
    public var databaseURL: URL { stateDirectory.appendingPathComponent("system.duckdb") }

    /// The PostgreSQL server, when the state is there.
    var postgreSQL: StateLocation.PostgreSQL? {
        if case let .postgreSQL(server) = location { server } else { nil }
    }

    /// Whether the state database exists yet.
    public var databaseExists: Bool { FileManager.default.fileExists(atPath: databaseURL.path) }

    /// Every known migration, and whether it was applied. A missing database has every step pending.
    public func migrationStatus() throws -> [MigrationStatus] {
        if let server = postgreSQL { return try PostgresStateMirror.migrationStatus(server) }
        guard databaseExists else {
            return StateSchema.migrator.migrations.map { MigrationStatus(version: $0.version, name: $0.name, appliedAt: nil) }
        }
        return try withConnection { try StateSchema.migrator.status($0) }
    }

    /// Applies pending migrations (backing up an existing database first).
    public func migrate() throws -> MigrationReport {
        if let server = postgreSQL { return try PostgresStateMirror.migrate(server) }
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        return try withConnection { connection in
            try StateSchema.migrator.migrate(connection, databasePath: databaseURL.path, backupDirectory: backupDirectory)
        }
    }

    /// Writes a consistent copy of the database (after CHECKPOINT) to `target`, or to
    /// `state/backups/system-manual-<timestamp>.duckdb`. Returns where it went.
    public func backup(to target: URL? = nil) throws -> URL {
        try refuseOnPostgreSQL("backup")
        guard databaseExists else { throw StateError.notFound(what: "state database", id: databaseURL.path) }
        let stamp = ISO8601DateFormatter.backupStamp.string(from: Date())
        let destination = target ?? backupDirectory.appendingPathComponent("system-manual-\(stamp).duckdb")
        if FileManager.default.fileExists(atPath: destination.path) {
            throw StateError.conflict("\(destination.path) exists already; choose another file")
        }
        try withConnection { connection in
            try connection.execute("CHECKPOINT")
            try Self.copyAtomically(databaseURL, to: destination)
        }
        return destination
    }

    /// Replaces the state database with the backup at `source`. Refuses while another process holds the database,
    /// and refuses files that are not Agnes state databases or come from a newer Agnes. The database being replaced
    /// is kept in `state/backups/`. Returns where the replaced database was kept, if there was one.
    @discardableResult
    public func restore(from source: URL) throws -> URL? {
        try refuseOnPostgreSQL("restore")
        guard FileManager.default.fileExists(atPath: source.path) else { throw StateError.notFound(what: "backup file", id: source.path) }
        // Inspect the backup read-only: it must carry our schema ladder, at a version this binary knows.
        do {
            let connection = try Database(path: source.path, configuration: .init(accessMode: .readOnly)).connect()
            guard try connection.scalar(Int64.self, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations'") == 1 else {
                throw StateError.invalid("\(source.path) is not an Agnes state database (it has no schema_migrations table)")
            }
            let version = Int(try connection.scalar(Int64.self, "SELECT coalesce(max(version), 0) FROM schema_migrations") ?? 0)
            if version > StateSchema.migrator.latestVersion {
                throw StateError.newerSchema(databaseVersion: version, knownVersion: StateSchema.migrator.latestVersion)
            }
        } catch let error as DuckDBError {
            throw StateError.invalid("\(source.path) is not a readable DuckDB database: \(error.message)")
        }
        try FileManager.default.createDirectory(at: backupDirectory, withIntermediateDirectories: true)
        var kept: URL?
        if databaseExists {
            // Taking the database open proves no server holds it, and CHECKPOINT folds the WAL in.
            try withConnection { try $0.execute("CHECKPOINT") }
            let stamp = ISO8601DateFormatter.backupStamp.string(from: Date())
            kept = backupDirectory.appendingPathComponent("system-before-restore-\(stamp).duckdb")
            try Self.copyAtomically(databaseURL, to: kept!)
        }
        let staging = stateDirectory.appendingPathComponent(".system.duckdb.restoring")
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.copyItem(at: source, to: staging)
        try DurableFile.synchronize(staging)
        CrashPoint.restoreBeforeRename.reach()
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: databaseURL.path + ".wal"))
        // rename(2) replaces the old file atomically: a crash leaves either the old or the restored database.
        guard rename(staging.path, databaseURL.path) == 0 else {
            throw StateError.invalid("could not move the restored database into place: \(String(cString: strerror(errno)))")
        }
        return kept
    }

    /// Refuses a task that copies the embedded database's file when the state is on PostgreSQL.
    private func refuseOnPostgreSQL(_ task: String) throws {
        guard let server = postgreSQL else { return }
        throw StateError.invalid("the state is on PostgreSQL (\(server)); `\(task)` copies the embedded database's file. Use `agnes-server export --json` "
                                 + "and `import --json` (which work on both), or pg_dump and pg_restore (docs/scale-out.md)")
    }

    /// Opens the database for one task, mapping a held lock to `StateError.locked`.
    @discardableResult
    func withConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        let database = try StateStore.openDatabase(path: databaseURL.path, threads: 2)
        let connection = try database.connect()
        defer {
            connection.close()
            database.close()
        }
        return try body(connection)
    }

    /// Copies a file under a temporary name in the destination folder, then renames it into place.
    static func copyAtomically(_ source: URL, to destination: URL) throws {
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).partial")
        try? FileManager.default.removeItem(at: temporary)
        try FileManager.default.copyItem(at: source, to: temporary)
        try DurableFile.synchronize(temporary)
        CrashPoint.stateMidCopy.reach()
        try FileManager.default.moveItem(at: temporary, to: destination)
    }
}
