// Operator tasks: backup, restore, JSON export and import, and their refusals.
import AgnesAPI
@testable import AgnesState
import DuckDB
import Foundation
import Testing

/// Fills a store with a little of everything.
func populate(_ store: StateStore) async throws {
    let user = try await UsersRepository(store: store).create(email: "ops@example.com", name: "Ops \"quoted\" name")
    let group = try await GroupsRepository(store: store).create(name: "Analysts", description: "ünïcødé", createdBy: user.id)
    try await GroupsRepository(store: store).addMember(userId: user.id, groupId: group.id, source: .admin, addedBy: user.id)
    _ = try await GrantsRepository(store: store).grant(groupId: group.id, type: .table, resourceId: "orders", assignedBy: user.id)
    try await RegistryRepository(store: store).upsert(RegisteredTable(id: "orders", name: "Orders", primaryKey: ["id", "line"], registeredBy: user.id))
    try await DataSourcesRepository(store: store).upsert(name: "shop", type: "postgres", config: #"{"host": "db", "nested": {"a": [1, 2.5]}}"#, secretEnv: ["PGPASSWORD"])
    try await SyncStateRepository(store: store).record(tableId: "orders", SyncResult(startedAt: Date(timeIntervalSince1970: 1_700_000_000.123456),
        finishedAt: Date(timeIntervalSince1970: 1_700_000_002), trigger: "manual",
        outcome: .succeeded(rows: 9_007_199_254_740_993, bytes: 1, columns: 3, sha256: "x", md5: nil, schemaHash: nil, files: #"[{"path": "a"}]"#)))
    _ = try await PersonalAccessTokensRepository(store: store).create(userId: user.id, name: "cli", tokenHash: "h", prefix: "p", scopes: ["read", "write"], expiresAt: nil)
    let item = try await KnowledgeRepository(store: store).propose(KnowledgeDraft(title: "Line\nbreaks, \\ and \t tabs", tags: ["a", "b"], confidence: 0.1), by: user.id)
    try await KnowledgeRepository(store: store).vote(itemId: item.id, userId: user.id, vote: -1)
    try await MetricsRepository(store: store).upsert(MetricDefinition(name: "revenue", category: "finance", tables: ["orders"], notes: []))
    let packages = DataPackagesRepository(store: store)
    let package = try await packages.create(.dataPackage, PackageFields(slug: "sales", name: "Sales", tags: ["a"]), by: user.id)
    _ = try await packages.add(.tables, owner: package, member: "orders", by: user.id)
    let semantic = SemanticRepository(store: store)
    try await semantic.save([GlossaryTerm(id: "churn", term: "Churn", definition: "Gone \"quiet\"", seeAlso: [], synonyms: ["lost"], source: "manual",
                                          sourceRef: nil, updatedAt: Date())], by: user.id)
    try await semantic.save(SemanticModel(id: "sales", title: "Sales", description: nil, status: "active", tables: ["orders"], metrics: [], source: "manual",
                                          createdAt: Date(), updatedAt: Date(), updatedBy: nil),
                            document: modelDocument, replacing: false, by: user.id)
    let audit = AuditLog(store: store)
    audit.record(AuditEntry(userId: user.id, action: "login", params: #"{"method": "password"}"#, durationMs: 12))
    try await audit.flush()
}

/// A model document with what a YAML file holds: a comment, non-ASCII text, quotes, backslashes, tabs, an emoji.
let modelDocument = "# Sales — é\nname: sales\ndescription: \"a \\\\ b\"\t🙂\ndatasets: [{name: orders, table: orders}]\n"

@Suite("maintenance")
struct MaintenanceTests {
    @Test("export writes one readable JSON file per table, and import into a new database round-trips it exactly")
    func exportImportRoundTrip() async throws {
        try await withDataDirectory { directory in
            let source = directory.appendingPathComponent("source"), target = directory.appendingPathComponent("target")
            let store = try StateStore.open(dataDirectory: source)
            try await populate(store)
            try await store.close()

            let first = directory.appendingPathComponent("export1"), second = directory.appendingPathComponent("export2")
            let manifest = try StateMaintenance(dataDirectory: source).exportJSON(to: first)
            #expect(manifest.tables["users"] == 1 && manifest.tables["audit_log"] == 1 && manifest.schemaVersion == StateSchema.migrator.latestVersion)
            let users = try String(contentsOf: first.appendingPathComponent("users.json"), encoding: .utf8)
            #expect(users.contains("\n    \"email\": \"ops@example.com\""))

            try StateMaintenance(dataDirectory: target).importJSON(from: first)
            try StateMaintenance(dataDirectory: target).exportJSON(to: second)
            for table in manifest.tables.keys {
                let a = try Data(contentsOf: first.appendingPathComponent("\(table).json"))
                let b = try Data(contentsOf: second.appendingPathComponent("\(table).json"))
                #expect(a == b, "\(table).json differs after a round trip")
            }
            // Importing again replaces rather than duplicates.
            try StateMaintenance(dataDirectory: target).importJSON(from: first)
            let reopened = try StateStore.open(dataDirectory: target)
            #expect(try await UsersRepository(store: reopened).list().count == 1)
            #expect(try await SyncStateRepository(store: reopened).state(tableId: "orders")?.rows == 9_007_199_254_740_993)
            #expect(try await SemanticRepository(store: reopened).document(id: "sales") == Data(modelDocument.utf8))
            #expect(try await DataPackagesRepository(store: reopened).packages().first?.tables == ["orders"])
            try await reopened.close()
        }
    }

    @Test("an import with a missing or inconsistent file changes nothing")
    func badImport() async throws {
        try await withDataDirectory { directory in
            let source = directory.appendingPathComponent("source")
            let store = try StateStore.open(dataDirectory: source)
            try await populate(store)
            try await store.close()
            let export = directory.appendingPathComponent("export")
            try StateMaintenance(dataDirectory: source).exportJSON(to: export)
            try FileManager.default.removeItem(at: export.appendingPathComponent("users.json"))
            #expect(throws: StateError.self) { try StateMaintenance(dataDirectory: source).importJSON(from: export) }
            let reopened = try StateStore.open(dataDirectory: source)
            #expect(try await UsersRepository(store: reopened).list().count == 1)
            #expect(try await GroupsRepository(store: reopened).list().count == 3)
            try await reopened.close()
            #expect(throws: StateError.self) { try StateMaintenance(dataDirectory: source).importJSON(from: directory.appendingPathComponent("nowhere")) }
        }
    }

    @Test("a backup is a consistent copy, and restore brings it back while keeping the replaced database")
    func backupAndRestore() async throws {
        try await withDataDirectory { directory in
            let store = try StateStore.open(dataDirectory: directory)
            try await populate(store)
            try await store.close()
            let maintenance = StateMaintenance(dataDirectory: directory)
            let backup = try maintenance.backup()
            #expect(backup.path.hasPrefix(maintenance.backupDirectory.path))
            #expect(throws: StateError.self) { try maintenance.backup(to: backup) }

            let changed = try StateStore.open(dataDirectory: directory)
            _ = try await UsersRepository(store: changed).create(email: "later@example.com")
            try await changed.close()

            let kept = try #require(try maintenance.restore(from: backup))
            #expect(FileManager.default.fileExists(atPath: kept.path))
            let restored = try StateStore.open(dataDirectory: directory)
            #expect(try await UsersRepository(store: restored).list().map(\.email) == ["ops@example.com"])
            try await restored.close()
        }
    }

    @Test("restore refuses files that are not state databases, and refuses while another process holds the database")
    func restoreRefusals() async throws {
        try await withDataDirectory { directory in
            let store = try StateStore.open(dataDirectory: directory)
            try await store.close()
            let maintenance = StateMaintenance(dataDirectory: directory)
            let backup = try maintenance.backup()

            let notDuckDB = directory.appendingPathComponent("notes.txt")
            try Data("hello".utf8).write(to: notDuckDB)
            #expect(throws: StateError.self) { try maintenance.restore(from: notDuckDB) }
            let foreign = directory.appendingPathComponent("foreign.duckdb").path
            try Database(path: foreign).connect().execute("CREATE TABLE x (y INTEGER)")
            let foreignError = #expect(throws: StateError.self) { try maintenance.restore(from: URL(fileURLWithPath: foreign)) }
            #expect(foreignError?.description.contains("not an Agnes state database") == true)

            let holder = try LockHolder(path: maintenance.databaseURL.path)
            defer { holder.release() }
            let locked = #expect(throws: StateError.self) { try maintenance.restore(from: backup) }
            #expect(locked?.description.contains("PID \(holder.pid)") == true)
        }
    }
}

/// Another process (the DuckDB CLI) holding a database file open read-write until released.
final class LockHolder {
    private let process = Process()
    private let input = Pipe()
    var pid: Int32 { process.processIdentifier }
    /// The holder still runs (and so still holds the database).
    var isHolding: Bool { process.isRunning }

    init(path: String) throws {
        process.executableURL = packageRoot.appendingPathComponent(".deps/duckdb-cli/duckdb")
        process.arguments = [path]
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data("SELECT 'ready';\n".utf8))
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("ready") { seen.append(output.fileHandleForReading.availableData) }
    }

    func release() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
