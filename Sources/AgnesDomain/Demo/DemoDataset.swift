// The demo dataset of `make run` (`agnes-server serve --demo`): on a first start with an empty data directory,
// realistic generated tables of a small shop (customers, products, orders, order items, monthly web sessions —
// 100,000+ rows), a `files` source over them, a group `Analysts` granted the sales folder, and a first sync.
// It is never seeded over real data: any registered table or data source makes it a no-op.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation
import NIOPosix

public enum DemoDataset {
    static let sourceName = "demo"

    /// Seeds the demo when the registry and the data sources are empty; returns whether it did.
    @discardableResult
    public static func seedIfEmpty(_ domain: Domain) async throws -> Bool {
        let registry = RegistryRepository(store: domain.state)
        let sources = DataSourcesRepository(store: domain.state)
        guard try await registry.list().isEmpty, try await sources.list().isEmpty else { return false }
        let directory = domain.settings.dataDirectory.appendingPathComponent("demo")
        try await NIOThreadPool.singleton.runIfActive { try generate(into: directory) }
        _ = try await sources.upsert(name: sourceName, type: "files", config: #"{"directory":"\#(directory.path)"}"#, secretEnv: [])
        let tables: [(id: String, file: String, folder: String, description: String)] = [
            ("customers", "customers.csv", "sales", "Customers with country and signup date"),
            ("products", "products.csv", "sales", "Product catalogue with category and list price"),
            ("orders", "orders.parquet", "sales", "Orders with customer, status and order date"),
            ("order_items", "order_items.parquet", "sales", "Order lines: product, quantity, unit price"),
            ("web_sessions", "web_sessions/*.parquet", "web", "Website sessions, partitioned by month of started_at"),
        ]
        for table in tables {
            var registered = RegisteredTable(id: table.id, name: table.id, sourceName: sourceName, sourceType: "files",
                                             sourceTable: table.file, folder: table.folder, description: table.description,
                                             registeredBy: "system:demo")
            if table.id == "web_sessions" {
                // Served as monthly parts (`/api/data/web_sessions/parts/2025-03`); a sync rewrites only changed months.
                registered.syncStrategy = .partitioned
                registered.partitionBy = "started_at"
            }
            try await registry.upsert(registered)
        }
        var analysts = try await GroupsRepository(store: domain.state).find(name: "Analysts")
        if analysts == nil {
            analysts = try await GroupsRepository(store: domain.state).create(name: "Analysts", description: "Demo analysts: the sales tables", createdBy: "system:demo")
        }
        guard let analysts else { return true }
        _ = try? await GrantsRepository(store: domain.state).grant(groupId: analysts.id, type: .tableFolder, resourceId: "sales", assignedBy: "system:demo")
        try await domain.dataPlane.syncNow(nil, trigger: "demo")
        let metrics = try await seedMetrics(domain)
        try await seedKnowledge(domain)
        domain.logger.notice("""
            demo dataset ready: \(tables.count) tables in the 'demo' source (group 'Analysts' may read the sales folder), \(metrics) metric \
            definitions, and a few corporate-memory items.
            Claim the admin account: curl -s -H 'Content-Type: application/json' -d '{"email":"you@example.com","password":"a long password"}' \(domain.settings.serverURL)/auth/bootstrap
            Then sign in to the web UI at \(domain.settings.serverURL)/login, or: curl -s -H "Authorization: Bearer <token>" \(domain.settings.serverURL)/api/sync/manifest
            """)
        return true
    }

    /// The starter metric definitions of this source tree (`docs/metrics`), when it is there.
    static let starterMetricsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/metrics")

    /// Imports the starter metrics (they describe the demo tables); returns how many.
    static func seedMetrics(_ domain: Domain) async throws -> Int {
        let directory = starterMetricsDirectory
        guard let categories = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            domain.logger.notice("no starter metrics at \(directory.path); the demo has none")
            return 0
        }
        var count = 0
        for category in categories.sorted() {
            let folder = directory.appendingPathComponent(category)
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() where name.hasSuffix(".yml") {
                let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                for metric in try MetricYAML.decode(text, defaultCategory: category) {
                    try await MetricsRepository(store: domain.state).upsert(metric)
                    count += 1
                }
            }
        }
        return count
    }

    /// A few corporate-memory items about the demo data: one mandatory, one approved, one waiting for review.
    static func seedKnowledge(_ domain: Domain) async throws {
        let knowledge = KnowledgeRepository(store: domain.state)
        let items: [(KnowledgeDraft, KnowledgeStatus?)] = [
            (KnowledgeDraft(title: "Revenue excludes refunded orders",
                            content: "Count only orders with status 'paid' or 'shipped'. Use the metric revenue/gross_revenue rather than summing order_items yourself.",
                            category: "revenue", domain: "finance", tags: ["revenue", "orders"], sourceType: "demo", confidence: 0.9), .mandatory),
            (KnowledgeDraft(title: "web_sessions is split by month",
                            content: "The table is partitioned by started_at (one parquet part per month). Filter on started_at to read fewer parts.",
                            category: "data-model", domain: "data", tags: ["web_sessions", "performance"], sourceType: "demo", confidence: 0.8), .approved),
            (KnowledgeDraft(title: "customers.country holds ISO 3166 alpha-2 codes",
                            content: "Values are two-letter codes such as CZ, DE, US.", category: "data-model", domain: "data",
                            tags: ["customers"], sourceType: "demo", confidence: 0.6), nil),
        ]
        for (draft, status) in items {
            let item = try await knowledge.propose(draft, by: nil)
            if let status { try await knowledge.review(id: item.id, status: status, by: "system:demo") }
        }
    }

    /// Writes the demo files with DuckDB (deterministic: the same data every time).
    static func generate(into directory: URL) throws {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("web_sessions"), withIntermediateDirectories: true)
        let database = try Database()
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        func path(_ name: String) -> String { SQL.literal(directory.appendingPathComponent(name).path) }
        try connection.execute("SELECT setseed(0.42)")
        try connection.execute("""
            COPY (SELECT i AS customer_id, 'Customer ' || i AS name,
                         (['CZ', 'DE', 'US', 'GB', 'FR', 'PL'])[1 + i % 6] AS country,
                         DATE '2023-01-01' + (i * 7 % 900)::INT AS signed_up
                  FROM range(1, 5001) t(i)) TO \(path("customers.csv")) (HEADER)
            """)
        try connection.execute("""
            COPY (SELECT i AS product_id, 'Product ' || i AS name,
                         (['books', 'games', 'garden', 'kitchen', 'toys'])[1 + i % 5] AS category,
                         round(5 + (i * 37 % 500) / 3.0, 2) AS list_price
                  FROM range(1, 501) t(i)) TO \(path("products.csv")) (HEADER)
            """)
        try connection.execute("""
            COPY (SELECT i AS order_id, 1 + (i * 7919) % 5000 AS customer_id,
                         TIMESTAMP '2025-01-01' + INTERVAL (i * 97 % (365 * 24 * 60)) MINUTE AS ordered_at,
                         (['paid', 'paid', 'paid', 'shipped', 'refunded'])[1 + i % 5] AS status
                  FROM range(1, 30001) t(i)) TO \(path("orders.parquet")) (FORMAT parquet, COMPRESSION zstd)
            """)
        try connection.execute("""
            COPY (SELECT o.i * 10 + n AS order_item_id, o.i AS order_id, 1 + (o.i * 31 + n * 17) % 500 AS product_id,
                         1 + (o.i + n) % 4 AS quantity, round(5 + ((o.i * 31 + n * 17) % 500 * 37 % 500) / 3.0, 2) AS unit_price
                  FROM range(1, 30001) o(i), range(1 + (o.i % 3)::BIGINT) k(n)) TO \(path("order_items.parquet")) (FORMAT parquet, COMPRESSION zstd)
            """)
        for month in 1...6 {
            try connection.execute("""
                COPY (SELECT \(month) * 100000 + i AS session_id, 1 + (i * 13) % 5000 AS customer_id,
                             TIMESTAMP '2025-\(String(format: "%02d", month))-01' + INTERVAL (i * 53 % (28 * 24 * 60)) MINUTE AS started_at,
                             (['web', 'ios', 'android'])[1 + i % 3] AS channel, 1 + i % 40 AS pages
                      FROM range(1, 5001) t(i)) TO \(path("web_sessions/2025-\(String(format: "%02d", month)).parquet")) (FORMAT parquet)
                """)
        }
    }
}
