// The migration ladder: fresh databases, upgrades with data, changed steps, newer databases, failing steps, backups.
@testable import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("migrations")
struct MigratorTests {
    @Test("a fresh database gets every step, recorded with checksums, and a second run changes nothing")
    func freshDatabase() throws {
        let connection = try Database().connect()
        let report = try StateSchema.migrator.migrate(connection, databasePath: nil, backupDirectory: nil)
        #expect(report.fromVersion == 0)
        #expect(report.toVersion == StateSchema.migrator.latestVersion)
        #expect(report.applied.map(\.name) == ["core_schema", "users_last_login_at", "audit_log_indexes", "user_dataset_settings",
                                            "hot_insert_timestamps_from_the_application", "users_session_epoch", "access_policies_and_server_only",
                                            "mcp_oauth", "directory_sign_in_and_group_sync", "registry_export_options",
                                            "data_packages_memory_domains_and_stack", "glossary_and_semantic_models",
                                            "usage_and_readiness", "bootstrap_claim", "job_queue", "shared_rate_limits", "sync_state_lake_version",
                                            "drop_duckdb_audit_indexes"])
        let checksums = try connection.query("SELECT checksum FROM schema_migrations ORDER BY version").rows().map { $0[0].stringValue ?? "" }
        #expect(checksums.allSatisfy { $0.count == 64 })

        let again = try StateSchema.migrator.migrate(connection, databasePath: nil, backupDirectory: nil)
        #expect(again.applied.isEmpty)
        #expect(try StateSchema.migrator.status(connection).allSatisfy(\.isApplied))
    }

    @Test("step 9 keeps every membership, names the directory's ones as upstream does, and refuses unknown sources")
    func directoryMemberships() throws {
        let connection = try Database().connect()
        try Migrator(migrations: Array(StateSchema.migrator.migrations.prefix(8))).migrate(connection, databasePath: nil, backupDirectory: nil)
        try connection.execute("""
            INSERT INTO user_group_members (user_id, group_id, source, added_at, added_by) VALUES
                ('u1', 'g1', 'admin', now(), 'root'), ('u1', 'g2', 'sso_sync', now(), 'sso'), ('u2', 'g1', 'system_seed', now(), NULL)
            """)
        try StateSchema.migrator.migrate(connection, databasePath: nil, backupDirectory: nil)
        let rows = try connection.query("SELECT user_id || ':' || group_id || ':' || source FROM user_group_members ORDER BY 1").rows().map { $0[0].stringValue ?? "" }
        #expect(rows == ["u1:g1:admin", "u1:g2:google_sync", "u2:g1:system_seed"])
        #expect(throws: DuckDBError.self) {
            try connection.execute("INSERT INTO user_group_members VALUES ('u3', 'g1', 'sso_sync', now(), NULL)")
        }
        #expect(throws: DuckDBError.self) {
            try connection.execute("INSERT INTO user_group_members VALUES ('u1', 'g1', 'admin', now(), NULL)")
        }
    }

    @Test("schema v1 has every table of SPEC 5.1 with native types")
    func schemaShape() throws {
        let connection = try Database().connect()
        try StateSchema.migrator.migrate(connection, databasePath: nil, backupDirectory: nil)
        let tables = Set(try connection.query("SELECT table_name FROM duckdb_tables()").rows().compactMap { $0[0].stringValue })
        #expect(tables == ["schema_migrations", "users", "one_time_tokens", "personal_access_tokens", "user_groups", "user_group_members",
                           "resource_grants", "data_sources", "table_registry", "sync_state", "sync_history", "table_profiles",
                           "column_metadata", "knowledge_items", "knowledge_votes", "metric_definitions", "audit_log", "uploads",
                           "instance_templates", "notification_links", "scripts", "user_dataset_settings", "oauth_clients", "oauth_tokens",
                           "data_packages", "data_package_tables", "data_package_metrics", "data_package_memory_domains", "memory_domains",
                           "memory_domain_items", "stack_subscriptions", "glossary_terms", "semantic_models",
                           "health_canary", "bootstrap_claim", "jobs", "job_keys", "rate_limit_windows"])
        let types = try connection.query("""
            SELECT table_name || '.' || column_name, data_type FROM duckdb_columns()
            WHERE (table_name, column_name) IN (('users', 'created_at'), ('personal_access_tokens', 'scopes'), ('data_sources', 'config'), ('sync_state', 'files'))
            ORDER BY 1
            """).rows().map { "\($0[0])=\($0[1])" }
        #expect(types == ["data_sources.config=JSON", "personal_access_tokens.scopes=VARCHAR[]", "sync_state.files=JSON",
                          "users.created_at=TIMESTAMP WITH TIME ZONE"])
        // Rows written on every request get their timestamps from the application (no `DEFAULT now()`, see step 5).
        let defaults = try connection.query("""
            SELECT table_name || '.' || column_name, column_default FROM duckdb_columns()
            WHERE (table_name, column_name) IN (('users', 'created_at'), ('users', 'updated_at'), ('user_group_members', 'added_at'),
                                                ('knowledge_votes', 'voted_at'), ('user_groups', 'created_at'))
            ORDER BY 1
            """).rows().map { "\($0[0].stringValue ?? "")=\($0[1].stringValue ?? "none")" }
        #expect(defaults == ["knowledge_votes.voted_at=none", "user_group_members.added_at=none", "user_groups.created_at=now()",
                             "users.created_at=none", "users.updated_at=none"])
        let indexes = Set(try connection.query("SELECT index_name FROM duckdb_indexes()").rows().compactMap { $0[0].stringValue })
        // The audit log's secondary indexes of step 3 are gone again in DuckDB (step 18); its key stays.
        #expect(indexes.isDisjoint(with: ["idx_audit_timestamp", "idx_audit_user_time", "idx_audit_action_time"]), "\(indexes)")
        #expect(indexes.isSuperset(of: ["oauth_tokens_client", "oauth_tokens_family"]))
    }

    @Test("a database at every earlier version migrates forward, its data survives, and a backup is taken first")
    func upgradeFromEveryVersion() async throws {
        for startVersion in 1..<StateSchema.migrator.latestVersion {
            try await withDataDirectory { dataDirectory in
                let stateDirectory = dataDirectory.appendingPathComponent("state")
                try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
                let path = stateDirectory.appendingPathComponent("system.duckdb").path
                do {
                    let connection = try Database(path: path).connect()
                    let older = Migrator(migrations: Array(StateSchema.migrator.migrations.prefix(startVersion)))
                    try older.migrate(connection, databasePath: path, backupDirectory: nil)
                    try connection.execute("INSERT INTO users (id, email, name, created_at, updated_at) VALUES ('u1', 'ada@example.com', 'Ada', now(), now())")
                    try connection.execute("INSERT INTO audit_log (id, timestamp, action) VALUES ('a1', now(), 'login')")
                    try connection.execute("INSERT INTO user_group_members (user_id, group_id, source, added_at) VALUES ('u1', 'g1', 'admin', now())")
                    try connection.execute("INSERT INTO knowledge_votes (item_id, user_id, vote, voted_at) VALUES ('k1', 'u1', -1, now())")
                }
                let store = try StateStore.open(dataDirectory: dataDirectory)
                let user = try await UsersRepository(store: store).get(id: "u1")
                #expect(user?.name == "Ada")
                #expect(user?.lastLoginAt == nil && user?.sessionEpoch == 0)
                let kept = try await store.read { connection in
                    try connection.rows("""
                        SELECT (SELECT count(*) FROM user_group_members WHERE user_id = 'u1' AND group_id = 'g1' AND added_at IS NOT NULL),
                               (SELECT count(*) FROM knowledge_votes WHERE item_id = 'k1' AND vote = -1 AND voted_at IS NOT NULL)
                        """).first.map { [$0[0].integerValue, $0[1].integerValue] }
                }
                #expect(kept == [1, 1])
                let versions = try await store.read { try $0.scalar(Int64.self, "SELECT max(version) FROM schema_migrations") }
                #expect(versions == Int64(StateSchema.migrator.latestVersion))
                let backups = try FileManager.default.contentsOfDirectory(atPath: store.backupDirectory.path)
                #expect(backups.count == 1 && backups[0].hasPrefix("system-\(startVersion)-"))
                // The backup is a usable database at the old version.
                let backup = try Database(path: store.backupDirectory.appendingPathComponent(backups[0]).path,
                                          configuration: .init(accessMode: .readOnly)).connect()
                #expect(try backup.scalar(Int64.self, "SELECT max(version) FROM schema_migrations") == Int64(startVersion))
                try await store.close()
            }
        }
    }

    @Test("a changed checksum of an applied step stops startup with a clear error")
    func changedStep() throws {
        let connection = try Database().connect()
        try StateSchema.migrator.migrate(connection, databasePath: nil, backupDirectory: nil)
        var edited = StateSchema.migrator.migrations
        edited[1] = Migration(version: 2, name: "users_last_login_at", body: .sql("ALTER TABLE users ADD COLUMN last_login TIMESTAMPTZ"))
        let error = #expect(throws: StateError.self) { try Migrator(migrations: edited).migrate(connection, databasePath: nil, backupDirectory: nil) }
        guard case let .migrationChanged(version, name, _, _) = error else { Issue.record("unexpected \(String(describing: error))"); return }
        #expect(version == 2 && name == "users_last_login_at")
    }

    @Test("a database from a newer binary is refused and left unchanged")
    func newerDatabase() throws {
        let connection = try Database().connect()
        try StateSchema.migrator.migrate(connection, databasePath: nil, backupDirectory: nil)
        try connection.execute("INSERT INTO schema_migrations VALUES (99, 'from_the_future', now(), 1, 'x')")
        let error = #expect(throws: StateError.self) { try StateSchema.migrator.migrate(connection, databasePath: nil, backupDirectory: nil) }
        #expect(error == .newerSchema(databaseVersion: 99, knownVersion: StateSchema.migrator.latestVersion))
        #expect(try connection.scalar(Int64.self, "SELECT count(*) FROM schema_migrations") == Int64(StateSchema.migrator.latestVersion + 1))
    }

    @Test("a failing step rolls back, names itself and DuckDB's error, and keeps the backup")
    func failingStep() async throws {
        try await withDataDirectory { directory in
            let path = directory.appendingPathComponent("system.duckdb").path
            let connection = try Database(path: path).connect()
            try StateSchema.migrator.migrate(connection, databasePath: path, backupDirectory: nil)
            let broken = Migrator(migrations: StateSchema.migrator.migrations + [
                Migration(version: StateSchema.migrator.latestVersion + 1, name: "half_broken",
                          body: .sql("CREATE TABLE extra (x INTEGER); SELECT * FROM no_such_table")),
            ])
            let backups = directory.appendingPathComponent("backups")
            let error = #expect(throws: StateError.self) { try broken.migrate(connection, databasePath: path, backupDirectory: backups) }
            guard case let .migrationFailed(version, name, message, backup) = error else { Issue.record("unexpected \(String(describing: error))"); return }
            #expect(version == StateSchema.migrator.latestVersion + 1 && name == "half_broken")
            #expect(message.contains("no_such_table"))
            #expect(backup.map { FileManager.default.fileExists(atPath: $0) } == true)
            // Nothing of the failed step remains.
            #expect(try connection.scalar(Int64.self, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'extra'") == 0)
            #expect(try connection.scalar(Int64.self, "SELECT max(version) FROM schema_migrations") == Int64(StateSchema.migrator.latestVersion))
        }
    }

    @Test("a second process opening the same DATA_DIR fails fast with a message naming the lock holder")
    func lockedDataDirectory() async throws {
        try await withDataDirectory { directory in
            let store = try StateStore.open(dataDirectory: directory)
            try await store.close()
            let holder = try LockHolder(path: directory.appendingPathComponent("state/system.duckdb").path)
            defer { holder.release() }

            // The open gives up while the lock is still held (the holder lets go only after this test), naming it.
            let error = #expect(throws: StateError.self) { try StateStore.open(dataDirectory: directory) }
            #expect(holder.isHolding)
            #expect(error?.description.contains("PID \(holder.pid)") == true)
            #expect(error?.description.contains("in use by another process") == true)
        }
    }
}
