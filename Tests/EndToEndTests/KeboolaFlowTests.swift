// The keboola connector through the real server against the local Storage API contract server (Tests/Support): a
// source tested, tables prechecked and registered (whole, filtered and projected, incremental, one whose export
// fails), synced through async jobs that take several polls and sliced gzip CSV, read back through the manifest, a
// download and queries; then an incremental sync asking for the last sync minus the window and merging by primary
// key; then a refused token, which leaves the last good data and says why in the sync history.
import AgnesTestSupport
import DuckDB
import Foundation
import Testing

@Suite("keboola flow", .serialized)
struct KeboolaFlowTests {
    func rows(_ exchange: Exchange) -> [[Any]] { exchange.object["rows"] as? [[Any]] ?? [] }

    @Test("register, sync, manifest, download and query Keboola tables; incremental by changedSince; failures keep the last good data")
    func flow() async throws {
        let keboola = try KeboolaContractServer(token: "kbc-token-1", pollsPerJob: 3, sliceRows: 400)
        try keboola.createTable("in.c-sales.orders", primaryKey: ["id"], select: """
            SELECT i AS id, round(i * 1.25, 2) AS amount, CASE WHEN i % 3 = 0 THEN 'paid' ELSE 'open' END AS status,
                   DATE '2026-01-01' + (i % 300)::INTEGER AS ordered_on FROM range(1000) t(i)
            """)
        try keboola.createTable("in.c-sales.broken", primaryKey: [], select: "SELECT 1 AS x")
        keboola.setFailing("in.c-sales.broken")
        try await keboola.run { keboola in
            let server = try await DemoServer.start(environment: ["KBC_TOKEN": "kbc-token-1", "AGNES_ALLOW_PRIVATE_SOURCE_HOSTS": "true"])
            defer { server.stop() }
            let client = server.client, admin = server.admin
            let created = try await client.call("POST", "/api/admin/sources", json: [
                "name": "kbc", "type": "keboola", "secret_env": ["KBC_TOKEN"], "config": ["stack_url": keboola.base, "token_env": "KBC_TOKEN"],
            ], token: admin)
            #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
            let tested = try await client.call("POST", "/api/admin/sources/kbc/test", token: admin)
            #expect(tested.object["ok"] as? Bool == true && (tested.object["message"] as? String)?.contains("1 buckets, 2 tables") == true,
                    "\(String(decoding: tested.body, as: UTF8.self))")
            // The registration UI lists what the project has.
            let listed = try await client.call("GET", "/api/admin/sources/kbc/tables", token: admin)
            let offered = (try JSONSerialization.jsonObject(with: listed.body) as? [[String: Any]]) ?? []
            #expect(offered.compactMap { $0["id"] as? String } == ["in.c-sales.broken", "in.c-sales.orders"], "\(String(decoding: listed.body, as: UTF8.self))")
            #expect(offered.last?["columns"] as? [String] == ["id", "amount", "status", "ordered_on"] && offered.last?["primary_key"] as? [String] == ["id"]
                    && offered.last?["rows"] as? Int == 1000)
            let precheck = try await client.call("POST", "/api/admin/register-table/precheck", json: [
                "name": "kbc_orders", "source_name": "kbc", "source_table": "in.c-sales.orders",
            ], token: admin)
            #expect((precheck.object["columns"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["id", "amount", "status", "ordered_on"],
                    "\(String(decoding: precheck.body, as: UTF8.self))")
            let paidOptions = #"{"columns": ["id", "amount"], "where_filters": [{"column": "status", "operator": "eq", "values": ["paid"]}]}"#
            // Upstream's registry fields: a filter with a date placeholder, and a partitioned table loaded 30 days at a time.
            let yearStart = "\(Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date()).year!)-01-01"
            let badPlaceholder = try await client.call("POST", "/api/admin/register-table", json: [
                "name": "kbc_bad", "source_name": "kbc", "source_table": "in.c-sales.orders",
                "where_filters": [["column": "ordered_on", "operator": "eq", "values": ["{{next_decade}}"]]],
            ], token: admin)
            #expect(badPlaceholder.status == 422 && badPlaceholder.detail?.contains("unknown placeholder {{next_decade}}") == true,
                    "\(badPlaceholder.detail ?? "")")
            for (name, extra) in [("kbc_orders", [String: Any]()), ("kbc_paid", ["source_query": paidOptions]),
                                  ("kbc_orders_live", ["sync_strategy": "incremental", "incremental_column": "id", "primary_key": ["id"]]),
                                  ("kbc_broken", ["source_table": "in.c-sales.broken"]),
                                  ("kbc_new_year", ["where_filters": [["column": "ordered_on", "operator": "eq", "values": ["{{this_year}}"]]]]),
                                  ("kbc_by_year", ["sync_strategy": "partitioned", "partition_by": "ordered_on", "partition_granularity": "year",
                                                   "max_history_days": 90, "initial_load_chunk_days": 30])] {
                let registered = try await client.call("POST", "/api/admin/register-table", json: [
                    "name": name, "source_name": "kbc", "source_table": "in.c-sales.orders", "folder": "sales",
                ].merging(extra) { $1 }, token: admin)
                #expect(registered.status == 201, "\(name): \(String(decoding: registered.body, as: UTF8.self))")
            }
            try await server.sync(["kbc_orders", "kbc_paid", "kbc_orders_live", "kbc_broken", "kbc_new_year", "kbc_by_year"])

            let manifest = try #require(try await client.call("GET", "/api/sync/manifest", token: admin).object["tables"] as? [String: [String: Any]])
            #expect(manifest["kbc_orders"]?["rows"] as? Int == 1000 && manifest["kbc_paid"]?["rows"] as? Int == 334)
            #expect(manifest["kbc_orders"]?["source_type"] as? String == "keboola" && manifest["kbc_broken"] == nil)
            let download = try await client.call("GET", "/api/data/kbc_orders/download", token: admin)
            #expect(download.status == 200 && DataPlaneFlowTests.sha256(download.body) == manifest["kbc_orders"]?["sha256"] as? String)
            let totals = try await client.call("POST", "/api/query", json: ["sql": """
                SELECT count(*), sum(amount)::DOUBLE, min(ordered_on)::VARCHAR, typeof(any_value(id)), typeof(any_value(ordered_on)) FROM kbc_orders
                """], token: admin)
            let expectedSum = (0..<1000).reduce(0.0) { $0 + (Double($1) * 1.25 * 100).rounded() / 100 }
            let answer = rows(totals).first ?? []
            #expect(answer.first as? Int == 1000 && answer.dropFirst().first as? Double == expectedSum
                    && answer.dropFirst(2).map { "\($0)" } == ["2026-01-01", "BIGINT", "DATE"], "\(String(decoding: totals.body, as: UTF8.self))")
            let paid = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FILTER (WHERE id % 3 <> 0), count(*) FROM kbc_paid"],
                                             token: admin)
            #expect(rows(paid).first.map { $0.map { "\($0)" } } == ["0", "334"])
            // The export asked for what the registration says, as the Storage API names it.
            let paidForm = try #require(keboola.exports.first { $0["whereFilters[0][column]"] == "status" })
            #expect(paidForm["whereFilters[0][operator]"] == "eq" && paidForm["whereFilters[0][values][0]"] == "paid" && paidForm["fileType"] == "csv"
                    && paidForm["columns[0]"] == "id" && paidForm["columns[1]"] == "amount" && paidForm["changedSince"] == nil)
            let newYearForm = try #require(keboola.exports.first { $0["whereFilters[0][column]"] == "ordered_on" })
            #expect(newYearForm["whereFilters[0][values][0]"] == yearStart)
            let newYearRows = try Database().connect().scalar(Int64.self, """
                SELECT count(*) FROM range(1000) t(i) WHERE DATE '2026-01-01' + (i % 300)::INTEGER = \(SQL.literal(yearStart))::DATE
                """) ?? -1
            #expect(manifest["kbc_new_year"]?["rows"] as? Int == Int(newYearRows))
            let chunks = keboola.exports.filter { $0["changedUntil"] != nil || ($0["changedSince"] != nil && $0["whereFilters[0][column]"] == nil) }
            #expect(chunks.count == 3 && chunks.last?["changedUntil"] == nil, "90 days of history in 30-day chunks: \(chunks)")
            let byYearHistory = String(decoding: try await client.call("GET", "/api/sync/history?table=kbc_by_year", token: admin).body, as: UTF8.self)
            #expect(manifest["kbc_by_year"]?["rows"] as? Int == 1000 && (manifest["kbc_by_year"]?["parts"] as? [[String: Any]])?.count == 1,
                    "\(manifest["kbc_by_year"] ?? [:]) \(byYearHistory)")
            let history = try await client.call("GET", "/api/sync/history?table=kbc_broken", token: admin)
            let failure = (try JSONSerialization.jsonObject(with: history.body) as? [[String: Any]])?.first
            #expect(failure?["status"] as? String == "error" && (failure?["error"] as? String)?.contains("failed: Export of table in.c-sales.broken") == true,
                    "\(String(decoding: history.body, as: UTF8.self))")

            // Incremental: ten rows change and five are new; the sync asks for changes since the last sync minus 7 days.
            try keboola.execute("UPDATE \"in.c-sales.orders\" SET amount = -1, _timestamp = now() WHERE id < 10")
            try keboola.execute("INSERT INTO \"in.c-sales.orders\" SELECT i, 9.5, 'open', DATE '2026-06-01', now() FROM range(1000, 1005) t(i)")
            let before = keboola.exports.count
            try await server.sync(["kbc_orders_live"])
            let incremental = try #require(keboola.exports.dropFirst(before).first)
            let since = try #require(incremental["changedSince"].flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(abs(since.timeIntervalSinceNow + 7 * 86_400) < 600, "changedSince \(incremental["changedSince"] ?? "") is the last sync minus 7 days")
            let merged = try await client.call("POST", "/api/query", json: ["sql": """
                SELECT count(*), count(*) FILTER (WHERE amount = -1), count(DISTINCT id) FROM kbc_orders_live
                """], token: admin)
            #expect(rows(merged).first.map { $0.map { "\($0)" } } == ["1005", "10", "1005"], "\(rows(merged))")

            // A refused token: the sync fails, says why, and the last good data stays.
            keboola.setToken("kbc-token-2")
            try await server.sync(["kbc_orders"])
            let refused = try await client.call("GET", "/api/sync/history?table=kbc_orders", token: admin)
            let last = (try JSONSerialization.jsonObject(with: refused.body) as? [[String: Any]])?.first
            #expect((last?["error"] as? String)?.contains("token is refused") == true, "\(String(decoding: refused.body, as: UTF8.self))")
            let kept = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM kbc_orders"], token: admin)
            #expect(rows(kept).first?.first as? Int == 1000)
        }
    }
}
