// `agnes-server import-legacy`: brings the JSON state of the older, file-based Agnes into system.duckdb — all or
// nothing, validated record by record, idempotent.
import AgnesCore
import DuckDB
import Foundation

/// What the import found (and, unless it was a dry run, wrote) for one legacy file.
public struct LegacyFileReport: Sendable, Equatable {
    public var file: String
    public var table: String
    public var records: Int
    /// Fields present in the file that no column holds (reported, so nothing is dropped silently).
    public var ignoredFields: [String]
}

/// The outcome of an import.
public struct LegacyImportReport: Sendable, Equatable {
    public var files: [LegacyFileReport]
    /// Files of the legacy layout that were not there.
    public var missingFiles: [String]
    /// Where the source files were copied before importing (nil for a dry run).
    public var backup: String?
    public var dryRun: Bool
    /// Records compared field by field after writing.
    public var validatedRecords: Int
    /// Legacy table ids that are not valid registry ids, and the ids they were given (the old id is kept as the name).
    public var renamedTables: [String: String] = [:]
    /// Emails of legacy administrators (`role: admin`), made members of `Admin`.
    public var administrators: [String] = []
}

extension StateMaintenance {
    /// Imports the legacy JSON files under `legacyDirectory`. Every file is parsed before anything is written: a
    /// malformed file stops the import with its name, line and column. The source files are copied to
    /// `state/backups/legacy-<time>/`, then every table is written in one transaction and each record is read back
    /// and compared field by field; any difference rolls everything back. Records are upserted by their natural
    /// keys, so a second run writes the same rows again and changes nothing. With `dryRun` nothing is written.
    @discardableResult
    public func importLegacy(from legacyDirectory: URL, dryRun: Bool = false) throws -> LegacyImportReport {
        if let server = postgreSQL {
            return try PostgresStateMirror.run(server, dataDirectory: dataDirectory, backupDirectory: backupDirectory, writeBack: !dryRun) {
                try $0.importLegacy(from: legacyDirectory, dryRun: dryRun)
            }
        }
        var present: [(LegacyFile, LegacyJSONFile)] = []
        var missing: [String] = []
        for kind in LegacyFile.allCases {
            let url = legacyDirectory.appendingPathComponent(kind.rawValue)
            if FileManager.default.fileExists(atPath: url.path) {
                present.append((kind, try LegacyJSONFile.load(name: kind.rawValue, url: url)))
            } else {
                missing.append(kind.rawValue)
            }
        }
        guard !present.isEmpty else {
            throw StateError.invalid("\(legacyDirectory.path) holds none of the legacy files (\(LegacyFile.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        func stageAll(existingUsers: [String: String]) throws -> (tables: [StagedTable], mapper: LegacyMapper) {
            var mapper = LegacyMapper(userIdsByEmail: existingUsers)
            var staged: [StagedTable] = []
            for (kind, file) in present {
                let table = try mapper.stage(file, as: kind)
                if kind == .users {
                    for row in table.rows { mapper.userIdsByEmail[row[1].stringValue!] = row[0].stringValue! }
                }
                staged.append(table)
            }
            return (staged, mapper)
        }
        func reports(_ staged: [StagedTable]) -> [LegacyFileReport] {
            staged.map { LegacyFileReport(file: $0.file, table: $0.table, records: $0.rows.count, ignoredFields: $0.ignoredFields.sorted()) }
        }
        if dryRun {
            let existing = databaseExists ? try withConnection { try Self.existingUserIds($0) } : [:]
            let (staged, mapper) = try stageAll(existingUsers: existing)
            return LegacyImportReport(files: reports(staged), missingFiles: missing, backup: nil, dryRun: true, validatedRecords: 0,
                                      renamedTables: mapper.renamedTables, administrators: mapper.administrators)
        }
        _ = try migrate()
        return try withConnection { connection in
            let (staged, mapper) = try stageAll(existingUsers: try Self.existingUserIds(connection))
            let administrators = mapper.administrators
            let backup = try Self.copySources(present.map(\.1), into: backupDirectory)
            try connection.execute("SET TimeZone = 'UTC'")
            for table in staged { try Self.fillStage(connection, table) }
            var validated = 0
            try connection.withTransaction { connection in
                for table in staged {
                    try Self.merge(connection, table)
                    validated += try Self.validate(connection, table)
                }
                CrashPoint.legacyMidImport.reach()
                try GroupsRepository.seedSystemGroups(inTransaction: connection)
                // Legacy administrators stay administrators.
                for email in administrators {
                    try connection.execute("""
                        INSERT INTO user_group_members (user_id, group_id, source, added_at, added_by)
                        SELECT u.id, g.id, 'system_seed', now(), 'system:legacy_import' FROM users u, user_groups g WHERE u.email = $1 AND g.name = $2
                        ON CONFLICT DO NOTHING
                        """, email, Group.adminName)
                }
            }
            for table in staged { try connection.execute("DROP TABLE IF EXISTS temp.main.\(Self.stageName(table))") }
            try connection.execute("CHECKPOINT")
            return LegacyImportReport(files: reports(staged), missingFiles: missing, backup: backup.path, dryRun: false, validatedRecords: validated,
                                      renamedTables: mapper.renamedTables, administrators: administrators)
        }
    }

    private static func existingUserIds(_ connection: Connection) throws -> [String: String] {
        var ids: [String: String] = [:]
        for row in try connection.query("SELECT email, id FROM users").rows() { ids[row[0].stringValue!] = row[1].stringValue! }
        return ids
    }

    /// Copies the source files, keeping their layout, to `legacy-<time>/` before anything is written.
    private static func copySources(_ files: [LegacyJSONFile], into backups: URL) throws -> URL {
        let stamp = ISO8601DateFormatter.backupStamp.string(from: Date())
        let target = backups.appendingPathComponent("legacy-\(stamp)")
        for file in files {
            let destination = target.appendingPathComponent(file.name)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: file.url, to: destination)
        }
        return target
    }

    private static func stageName(_ table: StagedTable) -> String { "legacy_stage_\(table.table)" }

    /// Loads a file's rows into a temporary table shaped like its target, through the appender.
    private static func fillStage(_ connection: Connection, _ table: StagedTable) throws {
        let stage = stageName(table)
        try connection.execute("DROP TABLE IF EXISTS temp.main.\(stage)")
        try connection.execute("CREATE TEMP TABLE \(stage) AS SELECT \(table.columns.joined(separator: ", ")) FROM \(table.table) LIMIT 0")
        let appender = try connection.appender(table: stage, schema: "main", catalog: "temp")
        for row in table.rows { try appender.appendRow(row) }
        try appender.close()
        let distinct = try connection.scalar(Int64.self, "SELECT count(*) FROM (SELECT DISTINCT \(table.keyColumns.joined(separator: ", ")) FROM \(stage))") ?? 0
        guard distinct == table.rows.count else {
            throw StateError.invalid("\(table.file): \(table.rows.count - Int(distinct)) record(s) repeat the key \(table.keyColumns.joined(separator: ", "))")
        }
    }

    /// Replaces the rows with the staged keys by the staged rows.
    private static func merge(_ connection: Connection, _ table: StagedTable) throws {
        let stage = stageName(table)
        let match = table.keyColumns.map { "s.\($0) = t.\($0)" }.joined(separator: " AND ")
        try connection.execute("DELETE FROM \(table.table) t WHERE EXISTS (SELECT 1 FROM \(stage) s WHERE \(match))")
        let columns = table.columns.joined(separator: ", ")
        let written = try connection.execute("INSERT INTO \(table.table) (\(columns)) SELECT \(columns) FROM \(stage)")
        guard written == table.rows.count else {
            throw StateError.invalid("\(table.file): read \(table.rows.count) records but wrote \(written)")
        }
    }

    /// Reads every imported row back and compares it with what was read from the file, field by field.
    private static func validate(_ connection: Connection, _ table: StagedTable) throws -> Int {
        var expected: [String: Int] = [:]
        for (index, row) in table.rows.enumerated() { expected[table.key(of: row)] = index }
        let stage = stageName(table)
        let match = table.keyColumns.map { "s.\($0) = t.\($0)" }.joined(separator: " AND ")
        let result = try connection.query("""
            SELECT \(table.columns.map { "t.\($0)" }.joined(separator: ", ")) FROM \(table.table) t
            WHERE EXISTS (SELECT 1 FROM \(stage) s WHERE \(match))
            """)
        var compared = 0
        try result.forEachRow { row in
            let values = row.values
            guard let index = expected[table.key(of: values)] else {
                throw StateError.invalid("\(table.file): the table holds an unexpected row \(table.key(of: values))")
            }
            for (column, name) in table.columns.enumerated() where values[column] != table.rows[index][column] {
                throw StateError.invalid("\(table.labels[index]): field \(name) was written as \(values[column]) but the file has \(table.rows[index][column])")
            }
            compared += 1
        }
        guard compared == table.rows.count else {
            throw StateError.invalid("\(table.file): \(table.rows.count) records were read but \(compared) are in \(table.table)")
        }
        return compared
    }
}
