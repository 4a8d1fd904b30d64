// The legacy JSON import: every file type, validation, all-or-nothing, idempotence, dry runs and malformed input.
import AgnesAPI
@testable import AgnesState
import DuckDB
import Foundation
import Testing

/// Writes a small, hand-made legacy directory with every file type.
func writeLegacyFixture(to directory: URL) throws {
    func write(_ path: String, _ text: String) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }
    try write("auth/users.json", """
        {"users": [
          {"id": "a1", "email": "Petr@Acme.com", "name": "Petr", "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$abc$def",
           "role": "admin", "created_at": "2025-02-03T04:05:06.789Z"},
          {"email": "jana@acme.com", "active": false}
        ]}
        """)
    try write("table_registry.json", """
        [{"id": "orders", "name": "Orders", "source_type": "keboola", "bucket": "in.c-sales", "source_table": "orders",
          "query_mode": "local", "sync_strategy": "incremental", "incremental_column": "updated_at", "primary_key": "[\\"id\\"]",
          "registered_by": "a1", "registered_at": "2025-01-01T00:00:00Z", "profile_after_sync": true},
         {"id": "in.c-sales.order-items", "name": "Order items", "source_type": "keboola"}]
        """)
    try write("src_data/metadata/sync_state.json", """
        {"tables": {"orders": {"last_sync": "2026-03-27T08:00:00Z", "rows": 1000, "file_size_bytes": 5000,
                               "uncompressed_size_bytes": 9000, "columns": 7, "hash": "d41d8cd98f00b204e9800998ecf8427e"},
                    "in.c-sales.order-items": {"last_sync": "2026-03-27T08:00:00Z", "rows": 42}}}
        """)
    try write("src_data/metadata/profiles.json", """
        {"orders": {"row_count": 1000, "columns": [{"name": "id", "null_fraction": 0}], "vendor_extra": {"x": 1}},
         "in.c-sales.order-items": {"row_count": 42}}
        """)
    try write("corporate-memory/knowledge.json", """
        [{"id": "k1", "title": "MRR", "content": "Monthly recurring revenue", "category": "metrics", "status": "approved",
          "contributors": ["petr"], "tags": ["finance"], "source_user": "petr", "audience": "all", "entities": ["mrr"]},
         {"id": "k2", "title": "Churn", "status": "pending"}]
        """)
    try write("corporate-memory/votes.json", """
        {"k1": {"petr": 1, "jana": {"vote": -1, "voted_at": "2026-02-01T10:00:00Z"}}}
        """)
    try write("notifications/telegram_users.json", """
        {"petr@acme.com": {"chat_id": 12345, "linked_at": "2026-01-01"}, "ghost@acme.com": {"chat_id": 999}}
        """)
    try write("notifications/sync_settings.json", """
        {"petr": {"datasets": {"sales": true, "support": false}, "updated_at": "2026-03-27"}}
        """)
}

/// Row counts of every state table, for "nothing changed" checks.
func tableCounts(_ dataDirectory: URL) throws -> [String: Int] {
    let maintenance = StateMaintenance(dataDirectory: dataDirectory)
    guard maintenance.databaseExists else { return [:] }
    return try maintenance.withConnection { connection in
        var counts: [String: Int] = [:]
        for table in try StateMaintenance.tables(connection) {
            counts[table] = Int(try connection.scalar(Int64.self, "SELECT count(*) FROM \(table)") ?? 0)
        }
        return counts
    }
}

@Suite("legacy import")
struct LegacyImportTests {
    @Test("every legacy file type is imported, validated, and its unplaced fields are reported")
    func importsEverything() async throws {
        try await withDataDirectory { directory in
            let legacy = directory.appendingPathComponent("legacy"), data = directory.appendingPathComponent("data")
            try writeLegacyFixture(to: legacy)
            let report = try StateMaintenance(dataDirectory: data).importLegacy(from: legacy)
            #expect(report.missingFiles.isEmpty)
            #expect(report.validatedRecords == 2 + 2 + 2 + 2 + 2 + 2 + 2 + 2)
            let byFile = Dictionary(uniqueKeysWithValues: report.files.map { ($0.file, $0) })
            #expect(byFile["auth/users.json"]?.ignoredFields == [])
            #expect(report.renamedTables == ["in.c-sales.order-items": "in_c_sales_order_items"] && report.administrators == ["petr@acme.com"])
            #expect(byFile["src_data/metadata/sync_state.json"]?.ignoredFields == ["uncompressed_size_bytes"])
            #expect(byFile["table_registry.json"]?.ignoredFields == ["profile_after_sync"])
            #expect(byFile["corporate-memory/knowledge.json"]?.ignoredFields == ["entities"])
            #expect(byFile["src_data/metadata/profiles.json"]?.ignoredFields == [])
            let backup = try #require(report.backup)
            #expect(FileManager.default.fileExists(atPath: backup + "/auth/users.json"))

            let store = try StateStore.open(dataDirectory: data)
            let petr = try #require(try await UsersRepository(store: store).find(email: "petr@acme.com"))
            #expect(petr.id == "a1" && petr.passwordHash?.hasPrefix("$argon2id$") == true)
            #expect(petr.createdAt == Date(timeIntervalSince1970: 1_738_555_506.789))
            #expect(try await UsersRepository(store: store).find(email: "jana@acme.com")?.active == false)
            // A legacy administrator is still one after the import.
            #expect(Set(try await GroupsRepository(store: store).groups(ofUser: petr.id).map(\.name)) == ["Admin", "Everyone"])
            let jana = try #require(try await UsersRepository(store: store).find(email: "jana@acme.com"))
            #expect(try await GroupsRepository(store: store).groups(ofUser: jana.id).map(\.name) == ["Everyone"])
            // A legacy id that is not a valid id gets one, keeps the old id as its name, and its state and profile follow.
            let items = try #require(try await RegistryRepository(store: store).get(id: "in_c_sales_order_items"))
            #expect(items.name == "in.c-sales.order-items")
            #expect(try await SyncStateRepository(store: store).state(tableId: "in_c_sales_order_items")?.rows == 42)
            #expect(try await ProfilesRepository(store: store).profile(tableId: "in_c_sales_order_items") != nil)
            let orders = try #require(try await RegistryRepository(store: store).get(id: "orders"))
            #expect(orders.primaryKey == ["id"] && orders.syncStrategy == .incremental && orders.registeredBy == "a1")
            let state = try #require(try await SyncStateRepository(store: store).state(tableId: "orders"))
            #expect(state.md5 == "d41d8cd98f00b204e9800998ecf8427e" && state.rows == 1000 && state.status == .ok)
            let profile = try #require(try await ProfilesRepository(store: store).profile(tableId: "orders"))
            #expect(profile.profile.contains("vendor_extra"))
            #expect(try await KnowledgeRepository(store: store).get(id: "k2")?.status == .proposed)
            #expect(try await KnowledgeRepository(store: store).votes(itemId: "k1") == VoteCounts(upvotes: 1, downvotes: 1))
            let links = try await store.read { try $0.rows("SELECT user_id, address FROM notification_links ORDER BY address").map { "\($0[0])=\($0[1])" } }
            #expect(links == ["a1=12345", "ghost@acme.com=999"])
            try await store.close()
        }
    }

    @Test("a second run changes nothing")
    func idempotent() async throws {
        try await withDataDirectory { directory in
            let legacy = directory.appendingPathComponent("legacy"), data = directory.appendingPathComponent("data")
            try writeLegacyFixture(to: legacy)
            let maintenance = StateMaintenance(dataDirectory: data)
            try maintenance.importLegacy(from: legacy)
            let first = directory.appendingPathComponent("export1"), second = directory.appendingPathComponent("export2")
            let manifest = try maintenance.exportJSON(to: first)
            try maintenance.importLegacy(from: legacy)
            try maintenance.exportJSON(to: second)
            for table in manifest.tables.keys {
                #expect(try Data(contentsOf: first.appendingPathComponent("\(table).json")) == Data(contentsOf: second.appendingPathComponent("\(table).json")),
                        "\(table) changed on the second run")
            }
        }
    }

    @Test("a dry run reports per file and table and writes nothing")
    func dryRun() async throws {
        try await withDataDirectory { directory in
            let legacy = directory.appendingPathComponent("legacy"), data = directory.appendingPathComponent("data")
            try writeLegacyFixture(to: legacy)
            let report = try StateMaintenance(dataDirectory: data).importLegacy(from: legacy, dryRun: true)
            #expect(report.dryRun && report.backup == nil)
            #expect(report.files.map(\.records).reduce(0, +) == 16)
            #expect(report.files.first { $0.file == "notifications/sync_settings.json" }?.table == "user_dataset_settings")
            #expect(!StateMaintenance(dataDirectory: data).databaseExists)
        }
    }

    @Test("a malformed file names the file, line and column, and the import does not start")
    func malformed() async throws {
        try await withDataDirectory { directory in
            let legacy = directory.appendingPathComponent("legacy"), data = directory.appendingPathComponent("data")
            try writeLegacyFixture(to: legacy)
            try Data("[\n  {\"id\": \"k1\", \"title\": \"x\"},\n  {\"id\": \"k2\" \"title\": \"y\"}\n]".utf8)
                .write(to: legacy.appendingPathComponent("corporate-memory/knowledge.json"))
            let error = #expect(throws: StateError.self) { try StateMaintenance(dataDirectory: data).importLegacy(from: legacy) }
            #expect(error?.description.contains("corporate-memory/knowledge.json: not valid JSON at line 3, column") == true)
            #expect(!StateMaintenance(dataDirectory: data).databaseExists)
        }
    }

    @Test("a partially valid set writes nothing, and the error names the record and field")
    func partiallyValid() async throws {
        try await withDataDirectory { directory in
            let legacy = directory.appendingPathComponent("legacy"), data = directory.appendingPathComponent("data")
            try writeLegacyFixture(to: legacy)
            let store = try StateStore.open(dataDirectory: data)
            _ = try await UsersRepository(store: store).create(email: "existing@acme.com")
            try await store.close()
            let before = try tableCounts(data)
            try Data(#"{"k1": {"petr": 1, "jana": 5}}"#.utf8).write(to: legacy.appendingPathComponent("corporate-memory/votes.json"))
            let error = #expect(throws: StateError.self) { try StateMaintenance(dataDirectory: data).importLegacy(from: legacy) }
            #expect(error?.description.contains("corporate-memory/votes.json record 1 (k1, jana)") == true)
            #expect(try tableCounts(data) == before)

            try writeLegacyFixture(to: legacy)
            try Data(#"[{"id": "sales.orders", "name": "x"}, {"id": "sales-orders", "name": "y"}]"#.utf8)
                .write(to: legacy.appendingPathComponent("table_registry.json"))
            let badId = #expect(throws: StateError.self) { try StateMaintenance(dataDirectory: data).importLegacy(from: legacy) }
            #expect(badId?.description.contains("table ids 'sales.orders' and 'sales-orders' both become 'sales_orders'") == true, "\(badId?.description ?? "")")
            #expect(try tableCounts(data) == before)
        }
    }

    @Test("a generated set imports with every record validated")
    func generated() async throws {
        try await withDataDirectory { directory in
            let legacy = directory.appendingPathComponent("legacy"), data = directory.appendingPathComponent("data")
            let counts = try LegacyDataGenerator(records: 2_000).write(to: legacy)
            let report = try StateMaintenance(dataDirectory: data).importLegacy(from: legacy)
            #expect(report.validatedRecords == counts.values.reduce(0, +))
            #expect(Dictionary(uniqueKeysWithValues: report.files.map { ($0.file, $0.records) }) == counts)
        }
    }
}

@Suite("legacy timestamps")
struct LegacyDatesTests {
    @Test("the timestamp shapes of the legacy files parse to the same instant", arguments: [
        ("2026-03-27", 1_774_569_600.0),
        ("2026-03-27T08:00:00Z", 1_774_598_400.0),
        ("2026-03-27 08:00:00", 1_774_598_400.0),
        ("2026-03-27T08:00:00.123456Z", 1_774_598_400.123456),
        ("2026-03-27T08:00:00.5", 1_774_598_400.5),
        ("2026-03-27T10:00:00+02:00", 1_774_598_400.0),
        ("2026-03-27T03:00:00-0500", 1_774_598_400.0),
        ("1969-12-31T23:59:59Z", -1.0),
    ])
    func parses(_ text: String, _ seconds: Double) throws {
        let date = try #require(LegacyDates.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001)
    }

    @Test("text that is not a timestamp is refused", arguments: ["", "yesterday", "2026-13-01", "2026-03-27T25:00:00", "2026-03-27T08:00:00+x"])
    func refuses(_ text: String) {
        #expect(LegacyDates.parse(text) == nil)
    }
}
