// agnes-server subcommands that maintain the state: migrate, export, import and import-legacy (embedded or on
// PostgreSQL, `state.url`), backup and restore (the embedded database's file). State-layer
// errors carry their own one-line description, which ArgumentParser prints before exiting with status 1.
import AgnesState
import ArgumentParser
import Foundation

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or apply migrations of the state database without starting the server.",
        discussion: "With --status (the default) lists every migration and whether it is applied; --dry-run lists what `up` would apply; `up` applies them, backing up an existing database into state/backups/ first. With the state on PostgreSQL (state.url / AGNES_STATE_URL) the same, on PostgreSQL, under the advisory lock servers take when they migrate."
    )

    enum Action: String, ExpressibleByArgument, CaseIterable { case up }

    @OptionGroup var data: DataDirectoryOptions
    @Flag(help: "List every migration and whether it is applied.") var status = false
    @Flag(name: .customLong("dry-run"), help: "List the migrations `up` would apply, and change nothing.") var dryRun = false
    @Argument(help: "`up` applies pending migrations.") var action: Action?

    func run() throws {
        let maintenance = try data.maintenance()
        if action == .up {
            let report = try maintenance.migrate()
            if report.applied.isEmpty {
                print("state database is up to date (schema version \(report.toVersion))")
            } else {
                for step in report.applied { print("applied \(step.version) \(step.name)") }
                print("schema version \(report.fromVersion) → \(report.toVersion)" + (report.backup.map { "; backup at \($0)" } ?? ""))
            }
            return
        }
        let steps = try maintenance.migrationStatus()
        if dryRun {
            let pending = steps.filter { !$0.isApplied }
            print(pending.isEmpty ? "nothing to apply" : pending.map { "would apply \($0.version) \($0.name)" }.joined(separator: "\n"))
        } else {
            for step in steps {
                print("\(step.version)\t\(step.name)\t" + (step.appliedAt.map { "applied \(ISO8601DateFormatter().string(from: $0))" } ?? "pending"))
            }
        }
    }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the state database (the server must be stopped).",
        discussion: "While a server runs, an administrator takes the same copy without stopping it: POST /api/admin/backup (one consistent snapshot; writers do not wait). `restore` takes either file. The embedded database only: a PostgreSQL state is backed up with `export --json` or pg_dump.")

    @OptionGroup var data: DataDirectoryOptions
    @Option(help: "Where to write the copy (default: state/backups/system-manual-<time>.duckdb).") var to: String?

    func run() throws {
        let target = to.map { URL(fileURLWithPath: $0) }
        let written = try data.maintenance().backup(to: target)
        print("backup written to \(written.path)")
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the state database with a backup (refused while a server uses the data directory).",
        discussion: "The database being replaced is kept in state/backups/."
    )

    @OptionGroup var data: DataDirectoryOptions
    @Argument(help: "The backup file to restore.") var file: String

    func run() throws {
        let kept = try data.maintenance().restore(from: URL(fileURLWithPath: file))
        print("restored \(file)" + (kept.map { "; the previous database is kept at \($0.path)" } ?? ""))
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export every state table to a readable JSON file (the server must be stopped).",
        discussion: "With the state on PostgreSQL (state.url / AGNES_STATE_URL) the export is one consistent snapshot and servers may keep running. An export from either backend imports into either: that is how an installation moves between the embedded database and PostgreSQL (docs/scale-out.md).")

    @OptionGroup var data: DataDirectoryOptions
    @Option(help: "The directory to write <table>.json files and manifest.json into.") var json: String

    func run() throws {
        let manifest = try data.maintenance().exportJSON(to: URL(fileURLWithPath: json))
        print("exported \(manifest.tables.count) tables (\(manifest.tables.values.reduce(0, +)) rows) to \(json)")
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the state tables with a JSON export (the server must be stopped).",
        discussion: "All or nothing, in one transaction. With the state on PostgreSQL (state.url / AGNES_STATE_URL) every table there is replaced in one transaction, and running servers drop their caches when it commits; stop them anyway, so nothing they write meanwhile is lost.")

    @OptionGroup var data: DataDirectoryOptions
    @Option(help: "A directory written by `agnes-server export --json`.") var json: String

    func run() throws {
        let manifest = try data.maintenance().importJSON(from: URL(fileURLWithPath: json))
        print("imported \(manifest.tables.values.reduce(0, +)) rows into \(manifest.tables.count) tables")
    }
}

struct ImportLegacy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-legacy",
        abstract: "Bring the JSON state of the older, file-based Agnes into the state database (the server must be stopped).",
        discussion: "Reads auth/users.json, table_registry.json, src_data/metadata/sync_state.json and profiles.json, corporate-memory/knowledge.json and votes.json, notifications/telegram_users.json and sync_settings.json under --from. All or nothing: every file is parsed first, the sources are copied to state/backups/legacy-<time>/, then everything is written in one transaction and checked record by record. Running it again changes nothing. With the state on PostgreSQL (state.url / AGNES_STATE_URL) the same, written there in one transaction."
    )

    @OptionGroup var data: DataDirectoryOptions
    @Option(help: "The data directory of the older Agnes.") var from: String
    @Flag(name: .customLong("dry-run"), help: "Print what would be imported, per file and table, and write nothing.") var dryRun = false

    func run() throws {
        let report = try data.maintenance().importLegacy(from: URL(fileURLWithPath: from), dryRun: dryRun)
        for file in report.files {
            let ignored = file.ignoredFields.isEmpty ? "" : "; fields with no place in Agnes, not imported: \(file.ignoredFields.joined(separator: ", "))"
            print("\(report.dryRun ? "would import" : "imported") \(file.records) record(s) from \(file.file) into \(file.table)\(ignored)")
        }
        for (legacy, id) in report.renamedTables.sorted(by: { $0.key < $1.key }) {
            print("table '\(legacy)' is not a valid id: \(report.dryRun ? "would be registered" : "registered") as '\(id)', named '\(legacy)'")
        }
        if !report.administrators.isEmpty {
            print("administrators (role: admin) \(report.dryRun ? "would join" : "joined") Admin: \(report.administrators.joined(separator: ", "))")
        }
        if !report.missingFiles.isEmpty { print("not present: \(report.missingFiles.joined(separator: ", "))") }
        if let backup = report.backup { print("validated \(report.validatedRecords) record(s) field by field; source files copied to \(backup)") }
    }
}
