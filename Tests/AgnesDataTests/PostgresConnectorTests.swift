// The postgres connector against a real PostgreSQL server started for the test (scripts/test-postgres): tables and
// queries synced into extracts (full refresh and incremental), the password taken from an environment variable and
// never shown, and `remote` tables served live by the query engine.
import AgnesAPI
@testable import AgnesData
import AgnesState
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

@Suite("postgres connector", .serialized)
struct PostgresConnectorTests {
    func source(_ cluster: PostgresTestCluster, name: String = "crm") -> DataSource {
        DataSource(name: name, type: "postgres", config: """
            {"host":"127.0.0.1","port":\(cluster.port),"database":"postgres","user":"postgres","password_env":"CRM_PG_PASSWORD","sslmode":"disable"}
            """, secretEnv: ["CRM_PG_PASSWORD"])
    }

    @Test("tables, PostgreSQL-side queries and incremental syncs; remote tables read live; the password never shows")
    func syncAndRemote() async throws {
        let cluster = try PostgresTestCluster.start()
        defer { cluster.stop() }
        let seed = try cluster.seedingConnection()
        try seed.execute("""
            CREATE TABLE pg.public.accounts AS SELECT i AS id, 'acct-' || i AS name, TIMESTAMP '2026-01-01' + INTERVAL (i) HOUR AS updated_at,
                (i % 7)::DOUBLE * 1.5 AS balance FROM range(1, 1001) t(i)
            """)
        try seed.execute("CALL postgres_execute('pg', 'CREATE SCHEMA sales; CREATE TABLE sales.deals (id int primary key, stage text)')")
        try seed.execute("CALL pg_clear_cache()")
        try seed.execute("INSERT INTO pg.sales.deals VALUES (1, 'won'), (2, 'lost'), (3, 'won')")

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-pg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let state = try StateStore.inMemory()
        let crm = source(cluster)
        _ = try await DataSourcesRepository(store: state).upsert(name: crm.name, type: crm.type, config: crm.config, secretEnv: crm.secretEnv)
        setenv("CRM_PG_PASSWORD", cluster.password, 1)
        let syncer = TableSyncer(state: state, extractsDirectory: root.appendingPathComponent("extracts"))

        let accounts = RegisteredTable(id: "accounts", name: "accounts", sourceName: "crm", sourceTable: "accounts", syncStrategy: .incremental,
                                       primaryKey: ["id"], incrementalColumn: "updated_at")
        let first = try await syncer.sync(accounts, trigger: "test")
        #expect(first.error == nil && first.table?.rows == 1000)
        let deals = RegisteredTable(id: "deals", name: "deals", sourceName: "crm", sourceTable: "sales.deals")
        #expect(try await syncer.sync(deals, trigger: "test").table?.rows == 3)
        let won = RegisteredTable(id: "won_deals", name: "won_deals", sourceName: "crm",
                                  sourceQuery: "SELECT id FROM sales.deals WHERE stage = 'won' ORDER BY id")
        #expect(try await syncer.sync(won, trigger: "test").table?.rows == 2)

        // An update and a new row in PostgreSQL: the incremental sync reads just those and merges them.
        try seed.execute("UPDATE pg.public.accounts SET name = 'renamed', updated_at = TIMESTAMP '2026-03-01' WHERE id = 5")
        try seed.execute("INSERT INTO pg.public.accounts VALUES (1001, 'new', TIMESTAMP '2026-03-02', 0)")
        let second = try await syncer.sync(accounts, trigger: "test")
        #expect(second.error == nil && second.table?.rows == 1001)

        // Remote: a view over the live database, with the engine locked down afterwards.
        let live = RegisteredTable(id: "live_deals", name: "live_deals", sourceName: "crm", bucket: "sales", sourceTable: "deals", queryMode: .remote)
        let orchestrator = Orchestrator(extractsDirectory: root.appendingPathComponent("extracts"))
        let report = try orchestrator.rebuild(registry: [accounts, deals, won, live], sources: [crm])
        #expect(report.served == ["accounts", "deals", "live_deals", "won_deals"] && report.unreadableSources.isEmpty)
        let engine = try #require(orchestrator.engine)
        #expect(try await engine.withConnection { try $0.scalar(String.self, "SELECT name FROM accounts WHERE id = $1", 5) } == "renamed")
        #expect(try await engine.withConnection { try $0.scalar(Int64.self, "SELECT count(*) FROM won_deals WHERE id > $1", 0) } == 2)
        try seed.execute("INSERT INTO pg.sales.deals VALUES (4, 'won')")
        #expect(try await engine.withConnection { try $0.scalar(Int64.self, "SELECT count(*) FROM live_deals WHERE stage = $1", "won") } == 3)
        #expect(engine.tables["live_deals"]?.queryMode == "remote")

        // A wrong password: the sync fails, says why, keeps the data — and the password is in no message.
        setenv("CRM_PG_PASSWORD", "wrong-\(cluster.password)", 1)
        let failed = try await syncer.sync(deals, trigger: "test")
        let message = try #require(failed.error)
        #expect(message.contains("cannot connect") && !message.contains(cluster.password))
        #expect(try await SyncStateRepository(store: state).state(tableId: "deals")?.rows == 3)
        unsetenv("CRM_PG_PASSWORD")
        let unset = try await syncer.sync(deals, trigger: "test")
        #expect(unset.error?.contains("CRM_PG_PASSWORD") == true)
        let down = try Orchestrator(extractsDirectory: root.appendingPathComponent("extracts")).rebuild(registry: [deals, live], sources: [crm])
        #expect(down.served == ["deals"] && down.missing == ["live_deals"] && down.unreadableSources["crm"] != nil)
    }

    @Test("configurations that cannot work, or that hold a secret, are refused")
    func configuration() {
        func make(_ config: String) -> String? {
            do { _ = try Connectors.make(DataSource(name: "x", type: "postgres", config: config)); return nil } catch {
                return String(describing: error)
            }
        }
        #expect(make(#"{"host":"db","database":"d","user":"u"}"#) == nil)
        #expect(make(#"{"host":"db","database":"d","user":"u","password":"hunter2"}"#)?.contains("environment variable") == true)
        #expect(make(#"{"host":"db","database":"d","user":"u","port":70000}"#) != nil)
        #expect(make(#"{"host":"db' OR 1","database":"d","user":"u"}"#) != nil)
        #expect(make(#"{"host":"db","database":"d","user":"u","sslmode":"sometimes"}"#) != nil)
        #expect(make(#"{"host":"db","user":"u"}"#)?.contains("'database'") == true)
    }
}

@Suite("network policy")
struct NetworkPolicyTests {
    @Test("internal addresses are refused unless allowed; public ones pass")
    func classification() throws {
        for address in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                        "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "not an address"] {
            #expect(NetworkPolicy.isInternal(address), "\(address)")
        }
        for address in ["8.8.8.8", "172.32.0.1", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"] {
            #expect(!NetworkPolicy.isInternal(address), "\(address)")
        }
        #expect(throws: NetworkPolicy.Refusal.self) { try NetworkPolicy().resolve("localhost") }
        #expect(try NetworkPolicy(allowPrivateHosts: true).resolve("127.0.0.1") == ["127.0.0.1"])
    }
}
