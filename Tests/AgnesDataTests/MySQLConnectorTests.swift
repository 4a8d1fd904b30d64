// The mysql connector against a real MariaDB server started for the test (scripts/test-mariadb): tables and queries
// synced into extracts (full refresh and incremental), the password taken from an environment variable and never
// shown, and `remote` tables served live — in a grant scope too.
import AgnesAPI
@testable import AgnesData
import AgnesState
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

@Suite("mysql connector", .serialized)
struct MySQLConnectorTests {
    @Test("tables, server-side queries and incremental syncs from MariaDB; remote tables read live; the password never shows")
    func syncAndRemote() async throws {
        let server = try MariaDBTestServer.start()
        defer { server.stop() }
        try server.execute("""
            CREATE DATABASE shop;
            USE shop;
            CREATE TABLE shop.orders (id INT PRIMARY KEY, customer VARCHAR(40), amount DECIMAL(10,2), updated_at DATETIME(6), note TEXT);
            INSERT INTO shop.orders SELECT seq, CONCAT('c', seq % 10), seq * 1.25, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq HOUR,
                IF(seq % 3 = 0, NULL, 'ok') FROM seq_1_to_500;
            CREATE TABLE shop.stages (id INT PRIMARY KEY, stage VARCHAR(10));
            INSERT INTO shop.stages VALUES (1, 'won'), (2, 'lost'), (3, 'won');
            """)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-mysql-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let state = try StateStore.inMemory()
        let shop = DataSource(name: "shop", type: "mysql", config: """
            {"host":"127.0.0.1","port":\(server.port),"database":"shop","user":"agnes","password_env":"SHOP_MYSQL_PASSWORD"}
            """, secretEnv: ["SHOP_MYSQL_PASSWORD"])
        _ = try await DataSourcesRepository(store: state).upsert(name: shop.name, type: shop.type, config: shop.config, secretEnv: shop.secretEnv)
        setenv("SHOP_MYSQL_PASSWORD", server.password, 1)
        defer { unsetenv("SHOP_MYSQL_PASSWORD") }
        let syncer = TableSyncer(state: state, extractsDirectory: root.appendingPathComponent("extracts"))

        let orders = RegisteredTable(id: "orders", name: "orders", sourceName: "shop", sourceTable: "orders", syncStrategy: .incremental,
                                     primaryKey: ["id"], incrementalColumn: "updated_at")
        let won = RegisteredTable(id: "won", name: "won", sourceName: "shop", sourceQuery: "SELECT id FROM stages WHERE stage = 'won' ORDER BY id")
        let outcomes = try await syncer.sync([orders, won], trigger: "test")
        #expect(outcomes.map(\.error) == [nil, nil] && outcomes.map { $0.table?.rows } == [500, 2], "\(outcomes)")

        try server.execute("UPDATE shop.orders SET customer = 'renamed', updated_at = '2026-06-01 00:00:00' WHERE id = 5; "
                           + "INSERT INTO shop.orders VALUES (501, 'new', 1.00, '2026-06-02 00:00:00', NULL);")
        let second = try await syncer.sync(orders, trigger: "test")
        #expect(second.error == nil && second.table?.rows == 501)

        let live = RegisteredTable(id: "live_stages", name: "live_stages", sourceName: "shop", sourceTable: "stages", queryMode: .remote)
        let orchestrator = Orchestrator(extractsDirectory: root.appendingPathComponent("extracts"))
        let report = try orchestrator.rebuild(registry: [orders, won, live], sources: [shop])
        #expect(report.served == ["live_stages", "orders", "won"] && report.unreadableSources.isEmpty, "\(report)")
        let engine = try #require(orchestrator.engine)
        #expect(try await engine.withConnection { try $0.scalar(String.self, "SELECT customer FROM orders WHERE id = $1", 5) } == "renamed")
        try server.execute("INSERT INTO shop.stages VALUES (4, 'won')")
        #expect(try await engine.withScope(readable: ["live_stages"], policies: .bypass) { try $0.scalar(Int64.self, "SELECT count(*) FROM live_stages WHERE stage = 'won'") } == 3)

        // A wrong password: the sync fails, says why, keeps the data — and the password is in no message.
        setenv("SHOP_MYSQL_PASSWORD", "wrong-\(server.password)", 1)
        let failed = try await syncer.sync(orders, trigger: "test")
        let message = try #require(failed.error)
        #expect(message.contains("cannot connect") && !message.contains(server.password), "\(message)")
        #expect(try await SyncStateRepository(store: state).state(tableId: "orders")?.rows == 501)
        try await state.close()
    }

    @Test("configurations that cannot work, or that hold a secret, are refused")
    func badConfigurations() {
        for config in [#"{"host":"","database":"d","user":"u"}"#, #"{"host":"h","database":"d","user":"u","port":70000}"#,
                       #"{"host":"h'x","database":"d","user":"u"}"#, #"{"host":"h","database":"d","user":"u","password":"p"}"#,
                       #"{"host":"h","user":"u"}"#] {
            #expect(throws: ConnectorError.self, "\(config)") { try Connectors.make(DataSource(name: "m", type: "mysql", config: config, secretEnv: [])) }
        }
    }
}
