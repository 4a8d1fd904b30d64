// Maintenance of a PostgreSQL state: migrations, the JSON export and import (and so moving an installation between
// the embedded database and PostgreSQL, both ways), the legacy import, and the refusals.
import AgnesAPI
import AgnesCore
import AgnesTestSupport
@testable import AgnesState
import Foundation
import Testing

@Suite("maintenance on PostgreSQL")
struct PostgresMaintenanceTests {
    /// A new PostgreSQL database and a DATA_DIR for its maintenance, both removed after `body`.
    private func withPostgresState(_ body: @escaping @Sendable (URL, StateMaintenance) throws -> Void) async throws {
        let database = try await SharedStatePostgres.createDatabase()
        try await withDataDirectory { directory in
            let maintenance = StateMaintenance(dataDirectory: directory.appendingPathComponent("data"), location: .postgreSQL(database))
            let outcome: Result<Void, any Error>
            do { outcome = .success(try await offTheCooperativePool { try body(directory, maintenance) }) } catch { outcome = .failure(error) }
            _ = try? await offTheCooperativePool { SharedStatePostgres.dropDatabase(database) }
            try outcome.get()
        }
    }

    /// Every table file of two exports is the same, byte for byte.
    private func expectSameExports(_ first: URL, _ second: URL, tables: some Sequence<String>, _ what: String) throws {
        for table in tables {
            let a = try Data(contentsOf: first.appendingPathComponent("\(table).json"))
            let b = try Data(contentsOf: second.appendingPathComponent("\(table).json"))
            #expect(a == b, "\(table).json differs \(what)")
        }
    }

    @Test("an installation moves from the embedded database to PostgreSQL and back with export and import, losing nothing")
    func movesBothWays() async throws {
        try await withPostgresState { directory, postgres in
            let embedded = directory.appendingPathComponent("embedded"), back = directory.appendingPathComponent("back")
            try blockingOnTask {
                let store = try StateStore.open(dataDirectory: embedded)
                try await populate(store)
                try await store.close()
            }
            let fromEmbedded = directory.appendingPathComponent("export-embedded")
            let manifest = try StateMaintenance(dataDirectory: embedded).exportJSON(to: fromEmbedded)

            let imported = try postgres.importJSON(from: fromEmbedded)
            #expect(imported.tables == manifest.tables)
            let fromPostgres = directory.appendingPathComponent("export-postgres")
            let exported = try postgres.exportJSON(to: fromPostgres)
            #expect(exported.tables == manifest.tables && exported.schemaVersion == manifest.schemaVersion)
            try expectSameExports(fromEmbedded, fromPostgres, tables: manifest.tables.keys, "between the embedded export and PostgreSQL's")

            // The repositories read on PostgreSQL what was written on the embedded database.
            try blockingOnTask {
                let store = try StateStore.open(dataDirectory: directory.appendingPathComponent("server"), location: postgres.location)
                #expect(try await UsersRepository(store: store).list().map(\.email) == ["ops@example.com"])
                #expect(try await SyncStateRepository(store: store).state(tableId: "orders")?.rows == 9_007_199_254_740_993)
                #expect(try await SemanticRepository(store: store).document(id: "sales") == Data(modelDocument.utf8))
                #expect(try await DataPackagesRepository(store: store).packages().first?.tables == ["orders"])
                try await store.close()
            }

            // And back: PostgreSQL's export into a new embedded database gives the first export again.
            try StateMaintenance(dataDirectory: back).importJSON(from: fromPostgres)
            let again = directory.appendingPathComponent("export-back")
            try StateMaintenance(dataDirectory: back).exportJSON(to: again)
            try expectSameExports(fromEmbedded, again, tables: manifest.tables.keys, "after the round trip through PostgreSQL")

            // Importing again replaces rather than duplicates.
            try postgres.importJSON(from: fromEmbedded)
            let twice = directory.appendingPathComponent("export-twice")
            #expect(try postgres.exportJSON(to: twice).tables == manifest.tables)
            // The scratch copies are gone.
            let scratch = ScratchSpace.directory(in: postgres.dataDirectory).path
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).filter { $0.hasPrefix("state-copy-") }.isEmpty)
        }
    }

    @Test("an import that fails leaves the PostgreSQL state as it was")
    func failedImportChangesNothing() async throws {
        try await withPostgresState { directory, postgres in
            let embedded = directory.appendingPathComponent("embedded")
            try blockingOnTask {
                let store = try StateStore.open(dataDirectory: embedded)
                try await populate(store)
                try await store.close()
            }
            let export = directory.appendingPathComponent("export")
            try StateMaintenance(dataDirectory: embedded).exportJSON(to: export)
            try postgres.importJSON(from: export)
            let before = directory.appendingPathComponent("before")
            let manifest = try postgres.exportJSON(to: before)

            // A file whose rows disagree with the manifest: refused, nothing written.
            let broken = directory.appendingPathComponent("broken")
            try FileManager.default.copyItem(at: export, to: broken)
            try Data("[]".utf8).write(to: broken.appendingPathComponent("users.json"))
            #expect(throws: StateError.self) { try postgres.importJSON(from: broken) }
            let after = directory.appendingPathComponent("after")
            try postgres.exportJSON(to: after)
            try expectSameExports(before, after, tables: manifest.tables.keys, "after a refused import")
        }
    }

    @Test("the legacy import writes into PostgreSQL, validated; a second run and a dry run change nothing")
    func legacyImport() async throws {
        try await withPostgresState { directory, postgres in
            let legacy = directory.appendingPathComponent("legacy")
            try writeLegacyFixture(to: legacy)
            let dry = try postgres.importLegacy(from: legacy, dryRun: true)
            #expect(dry.dryRun && dry.files.count == 8 && dry.backup == nil)
            let empty = directory.appendingPathComponent("empty")
            #expect(try postgres.exportJSON(to: empty).tables["users"] == 0)

            let report = try postgres.importLegacy(from: legacy)
            #expect(report.validatedRecords == 16 && report.administrators == ["petr@acme.com"])
            // The copies of the source files go to the real DATA_DIR, not to the scratch copy.
            let backup = try #require(report.backup)
            #expect(backup.hasPrefix(postgres.backupDirectory.path) && FileManager.default.fileExists(atPath: backup + "/auth/users.json"))
            try blockingOnTask {
                let store = try StateStore.open(dataDirectory: directory.appendingPathComponent("server"), location: postgres.location)
                let petr = try #require(try await UsersRepository(store: store).find(email: "petr@acme.com"))
                #expect(Set(try await GroupsRepository(store: store).groups(ofUser: petr.id).map(\.name)) == ["Admin", "Everyone"])
                #expect(try await SyncStateRepository(store: store).state(tableId: "in_c_sales_order_items")?.rows == 42)
                try await store.close()
            }

            let first = directory.appendingPathComponent("export1"), second = directory.appendingPathComponent("export2")
            let manifest = try postgres.exportJSON(to: first)
            try postgres.importLegacy(from: legacy)
            try postgres.exportJSON(to: second)
            try expectSameExports(first, second, tables: manifest.tables.keys, "after a second legacy import")
        }
    }

    @Test("migrations are listed and applied on PostgreSQL; backup and restore are refused with what to use instead")
    func migrationsAndRefusals() async throws {
        try await withPostgresState { directory, postgres in
            #expect(try postgres.migrationStatus().allSatisfy { !$0.isApplied })
            let report = try postgres.migrate()
            #expect(report.fromVersion == 0 && report.toVersion == StateSchema.migrator.latestVersion && report.backup == nil)
            #expect(try postgres.migrationStatus().allSatisfy(\.isApplied))
            #expect(try postgres.migrate().applied.isEmpty)

            let backup = try #require(throws: StateError.self) { try postgres.backup() }
            #expect("\(backup)".contains("export --json") && "\(backup)".contains("pg_dump"))
            // The refusal names the server, never its password.
            let password = try SharedStatePostgres.password()
            #expect("\(backup)".contains("127.0.0.1") && !"\(backup)".contains(password))
            let restore = try #require(throws: StateError.self) { try postgres.restore(from: directory) }
            #expect("\(restore)".contains("export --json"))
        }
    }
}

/// Runs async work from a plain thread and waits for it (the tests above run their blocking PostgreSQL work off
/// Swift's cooperative pool, and reach the async repositories from there).
private func blockingOnTask(_ work: @escaping @Sendable () async throws -> Void) throws {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var outcome: Result<Void, any Error> = .success(())
    Task {
        do { try await work() } catch { outcome = .failure(error) }
        done.signal()
    }
    done.wait()
    try outcome.get()
}
