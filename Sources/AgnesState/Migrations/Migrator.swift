// Applies the schema ladder to system.duckdb: checks what was applied, backs up, runs each step in a transaction.
import AgnesCore
import DuckDB
import Foundation

/// The state of one migration in a database.
public struct MigrationStatus: Sendable, Equatable, Codable {
    public var version: Int
    public var name: String
    public var appliedAt: Date?
    public var isApplied: Bool { appliedAt != nil }
}

/// What a migration run did.
public struct MigrationReport: Sendable, Equatable {
    /// The schema version before and after.
    public var fromVersion: Int
    public var toVersion: Int
    /// Steps applied in this run, in order.
    public var applied: [MigrationStatus]
    /// The backup taken before the first step, when the database already held data.
    public var backup: String?
}

/// Runs an ordered list of forward-only migrations, in the spirit of GRDB's `DatabaseMigrator`.
public struct Migrator: Sendable {
    public let migrations: [Migration]

    /// - Precondition: versions are 1, 2, 3 … in order.
    public init(migrations: [Migration]) {
        for (index, migration) in migrations.enumerated() {
            precondition(migration.version == index + 1, "migration \(migration.name) has version \(migration.version), expected \(index + 1)")
        }
        self.migrations = migrations
    }

    /// The highest version this binary knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Every known step with the time it was applied, if it was. Validates what is recorded.
    public func status(_ connection: any StateConnection) throws -> [MigrationStatus] {
        let recorded = try validatedRecords(connection)
        return migrations.map { MigrationStatus(version: $0.version, name: $0.name, appliedAt: recorded[$0.version]?.appliedAt) }
    }

    /// Applies every pending step. Before touching a database that already has applied steps it runs CHECKPOINT and
    /// copies the file into `backupDirectory` (when the database is a file). A failing step is rolled back and the
    /// error names it; steps applied before it stay applied.
    @discardableResult
    public func migrate(_ connection: any StateConnection, databasePath: String?, backupDirectory: URL?) throws -> MigrationReport {
        let recorded = try validatedRecords(connection)
        let current = recorded.keys.max() ?? 0
        let pending = migrations.filter { recorded[$0.version] == nil }
        guard !pending.isEmpty else { return MigrationReport(fromVersion: current, toVersion: current, applied: [], backup: nil) }

        var backup: String?
        if current > 0, let databasePath, let backupDirectory {
            backup = try Self.backup(connection, databasePath: databasePath, into: backupDirectory, version: current)
        }
        var applied: [MigrationStatus] = []
        for migration in pending {
            let started = Date()
            do {
                try connection.transaction {
                    try migration.apply(connection)
                    CrashPoint.migrateMidStep.reach()
                    try connection.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at, duration_ms, checksum) VALUES ($1, $2, $3, $4, $5)",
                        migration.version, migration.name, Date(), Int64(Date().timeIntervalSince(started) * 1000),
                        try Self.checksum(migration, connection))
                }
            } catch {
                let message = (error as? DuckDBError)?.message ?? String(describing: error)
                throw StateError.migrationFailed(version: migration.version, name: migration.name, message: message, backup: backup)
            }
            applied.append(MigrationStatus(version: migration.version, name: migration.name, appliedAt: started))
        }
        if connection.dialect == .duckDB { try connection.execute("CHECKPOINT") }
        return MigrationReport(fromVersion: current, toVersion: pending.last!.version, applied: applied, backup: backup)
    }

    private struct Record: Decodable {
        let version: Int
        let name: String
        let checksum: String
        let appliedAt: Date

        enum CodingKeys: String, CodingKey {
            case version, name, checksum
            case appliedAt = "applied_at"
        }
    }

    /// Creates `schema_migrations` when missing, refuses databases from newer binaries, and checks that every applied
    /// step is unchanged.
    private func validatedRecords(_ connection: any StateConnection) throws -> [Int: Record] {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name VARCHAR NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL,
                duration_ms BIGINT NOT NULL,
                checksum VARCHAR NOT NULL
            )
            """)
        let records = try connection.fetchAll(Record.self, "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version")
        if let newest = records.last, newest.version > latestVersion {
            throw StateError.newerSchema(databaseVersion: newest.version, knownVersion: latestVersion)
        }
        var byVersion: [Int: Record] = [:]
        for record in records {
            let migration = migrations[record.version - 1]
            let expected = try Self.checksum(migration, connection)
            guard record.checksum == expected, record.name == migration.name else {
                throw StateError.migrationChanged(version: record.version, name: record.name, recorded: record.checksum, expected: expected)
            }
            byVersion[record.version] = record
        }
        return byVersion
    }

    /// SHA-256 of the step's source, computed by DuckDB.
    static func checksum(_ migration: Migration, _ connection: any StateConnection) throws -> String {
        try connection.scalar(String.self, "SELECT \(connection.dialect.sha256Hex("$1::VARCHAR"))", migration.checksumSource) ?? ""
    }

    /// CHECKPOINT, then copy the database file to `system-<version>-<timestamp>.duckdb` under a temporary name first.
    static func backup(_ connection: any StateConnection, databasePath: String, into directory: URL, version: Int) throws -> String {
        try connection.execute("CHECKPOINT")
        let stamp = ISO8601DateFormatter.backupStamp.string(from: Date())
        let target = directory.appendingPathComponent("system-\(version)-\(stamp).duckdb")
        try StateMaintenance.copyAtomically(URL(fileURLWithPath: databasePath), to: target)
        return target.path
    }
}

extension ISO8601DateFormatter {
    /// `20261122T031500.123Z`-style stamps for file names.
    static var backupStamp: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime, .withFractionalSeconds, .withTimeZone]
        return formatter
    }
}
