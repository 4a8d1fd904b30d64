// Governed access end to end, against the real server binary over the demo dataset: a region policy with a hidden
// column on `customers`, two analysts in different groups (group names with `_` and `%`, which upstream cannot
// bind), and every surface that reads the table — query, sample, schema, catalog, profile, scan, manifest, download.
import DuckDB
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("access policies", .serialized)
struct AccessPolicyFlowTests {
    /// Scans answered as parquet (the server's default is an Arrow stream).
    static let parquet = ["Accept": "application/vnd.apache.parquet"]
    static let policy = "SELECT * EXCLUDE (name) FROM customers WHERE list_contains($user_groups, 'sales_' || country || '%')"

    /// A user in the Analysts group (the sales folder) and in `group`, signed in; returns their token.
    func analyst(_ email: String, group: String, _ server: DemoServer) async throws -> String {
        let client = server.client
        let groups = try await client.call("GET", "/api/admin/groups", token: server.admin)
        let list = (try JSONSerialization.jsonObject(with: groups.body) as? [[String: Any]]) ?? groups.object["groups"] as? [[String: Any]] ?? []
        let analysts = try #require(list.first { $0["name"] as? String == "Analysts" }?["id"] as? String)
        let created = try await client.call("POST", "/api/admin/groups", json: ["name": group], token: server.admin)
        let groupId = try #require(created.string("id"), "\(created.status) \(String(decoding: created.body, as: UTF8.self))")
        if email != DemoServer.analystEmail {
            let user = try #require(try await client.call("POST", "/api/users", json: ["email": email], token: server.admin).string("id"))
            _ = try await client.call("POST", "/api/users/\(user)/set-password", json: ["password": "analyst password 2"], token: server.admin)
            _ = try await client.call("POST", "/api/admin/groups/\(analysts)/members", json: ["email": email], token: server.admin)
        }
        #expect(try await client.call("POST", "/api/admin/groups/\(groupId)/members", json: ["email": email], token: server.admin).status == 201)
        let password = email == DemoServer.analystEmail ? DemoServer.analystPassword : "analyst password 2"
        return try #require(try await client.call("POST", "/auth/token", json: ["email": email, "password": password]).string("access_token"))
    }

    func rows(_ exchange: Exchange) -> [[Any]] { exchange.object["rows"] as? [[Any]] ?? [] }

    @Test("two analysts see only their own region and never the hidden column, on every surface; an administrator sees all")
    func regionPolicy() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client
        let czech = try await analyst(DemoServer.analystEmail, group: "sales_CZ%", server)
        let german = try await analyst("de@example.com", group: "sales_DE%", server)

        // Bad policies are refused with upstream's reasons, and nothing is stored.
        let refusals: [([String: Any], String)] = [
            (["access_policy_sql": Self.policy], "policy_note_required"),
            (["access_policy_sql": "DELETE FROM customers", "access_policy_note": "x"], "policy_forbidden_statement"),
            (["access_policy_sql": "SELECT 1; SELECT 2", "access_policy_note": "x"], "policy_not_single_select"),
            (["access_policy_sql": "SELECT * FROM customers, orders", "access_policy_note": "x"], "policy_unlisted_table_reference"),
            (["access_policy_sql": "SELECT * FROM customers WHERE name LIKE $user_email", "access_policy_note": "x"], "policy_var_in_pattern_position"),
            (["access_policy_sql": "SELECT COLUMNS($user_email) FROM customers", "access_policy_note": "x"], "policy_var_in_identifier_position"),
            (["access_policy_sql": "SELECT * FROM customers WHERE country = $region", "access_policy_note": "x"], "policy_unknown_variable"),
            (["access_policy_sql": "SELECT * FROM read_csv('/etc/passwd')", "access_policy_note": "x"], "policy_disallowed_construct"),
            (["access_policy_sql": "SELECT no_such_column FROM customers", "access_policy_note": "x"], "policy_invalid"),
            (["access_policy_sql": "SELECT name, name FROM customers", "access_policy_note": "x"], "policy_duplicate_output_column"),
        ]
        for (body, reason) in refusals {
            let answer = try await client.call("PUT", "/api/admin/registry/customers", json: body, token: server.admin)
            #expect(answer.status == 422 && answer.detail?.hasPrefix(reason) == true, "\(body): \(answer.status) \(answer.detail ?? "")")
        }
        #expect(rows(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM customers"], token: czech)).first?.first as? Int == 5000)

        // Try it first: as the Czech analyst, as a set of groups; only administrators may, and with one persona.
        let preview = try await client.call("POST", "/api/admin/registry/customers/policy/preview",
                                            json: ["sql": Self.policy, "as_user": DemoServer.analystEmail], token: server.admin)
        #expect(preview.status == 200, "\(preview.detail ?? "")")
        #expect(preview.object["rows_total"] as? Int == 5000 && (preview.object["rows_visible"] as? Int).map { $0 > 0 && $0 < 5000 } == true)
        #expect((preview.object["columns"] as? [[String: Any]])?.filter { $0["hidden"] as? Bool == true }.compactMap { $0["name"] as? String } == ["name"])
        #expect(Set((preview.object["sample_rows"] as? [[String: Any]] ?? []).compactMap { $0["country"] as? String }) == ["CZ"])
        #expect(preview.object["base_sample_comparable"] as? Bool == false)
        let asGroups = try await client.call("POST", "/api/admin/registry/customers/policy/preview",
                                             json: ["sql": Self.policy, "as_groups": ["sales_DE%"]], token: server.admin)
        #expect(Set((asGroups.object["sample_rows"] as? [[String: Any]] ?? []).compactMap { $0["country"] as? String }) == ["DE"])
        let twoPersonas = try await client.call("POST", "/api/admin/registry/customers/policy/preview",
                                                json: ["sql": Self.policy, "as_groups": ["x"], "as_user": DemoServer.analystEmail], token: server.admin)
        #expect(twoPersonas.status == 422)
        #expect(try await client.call("POST", "/api/admin/registry/customers/policy/preview", json: ["sql": Self.policy, "as_groups": ["x"]],
                                      token: czech).status == 403)
        #expect(try await client.call("POST", "/api/admin/registry/customers/policy/compile", json: ["row_rules": [[String: Any]]()],
                                      token: czech).status == 403)
        let previews = try await client.call("GET", "/api/admin/audit?action=table_policy.preview&limit=100", token: server.admin)
        #expect(String(decoding: previews.body, as: UTF8.self).contains("table:customers"))
        // The structured form compiles to an explicit column list, each column once.
        let compiled = try await client.call("POST", "/api/admin/registry/customers/policy/compile", json: [
            "row_rules": [["column": "country", "op": "in", "value": ["CZ", "DE"]]],
            "column_masks": ["name": ["mask": "hash"], "signed_up": ["mask": "hide"]],
        ], token: server.admin)
        let compiledSQL = try #require(compiled.string("sql"), "\(compiled.status) \(compiled.detail ?? "")")
        #expect(compiledSQL == #"SELECT "customer_id", md5(CAST("name" AS VARCHAR)) AS "name", "country" FROM "customers" WHERE ("country" IN ('CZ', 'DE'))"#)
        let unknown = try await client.call("POST", "/api/admin/registry/customers/policy/compile",
                                            json: ["row_rules": [["column": "nope", "op": "eq_caller_email"]]], token: server.admin)
        #expect(unknown.status == 422 && unknown.detail?.hasPrefix("policy_unknown_column") == true)

        // A direct grant on the table: effective access then says what the policy leaves each analyst.
        let groups = try await client.call("GET", "/api/admin/groups", token: server.admin)
        let groupList = (try JSONSerialization.jsonObject(with: groups.body) as? [[String: Any]]) ?? groups.object["groups"] as? [[String: Any]] ?? []
        let czechGroup = try #require(groupList.first { $0["name"] as? String == "sales_CZ%" }?["id"] as? String)
        #expect(try await client.call("POST", "/api/admin/grants", json: ["group_id": czechGroup, "resource_type": "table", "resource_id": "customers"],
                                      token: server.admin).status == 201)

        let set = try await client.call("PUT", "/api/admin/registry/customers",
                                        json: ["access_policy_sql": Self.policy, "access_policy_note": "Sales reps see their own country; names are personal data"],
                                        token: server.admin)
        #expect(set.status == 200, "\(set.detail ?? "")")
        let changes = try await client.call("GET", "/api/admin/audit?action=update_table&limit=100", token: server.admin)
        #expect(String(decoding: changes.body, as: UTF8.self).contains("access_policy"))

        for (token, country, other) in [(czech, "CZ", "DE"), (german, "DE", "CZ")] {
            let byCountry = try await client.call("POST", "/api/query", json: ["sql": "SELECT country, count(*) AS n FROM customers GROUP BY 1"], token: token)
            #expect(byCountry.status == 200)
            #expect(rows(byCountry).map { $0.first as? String } == [country])
            let scope = byCountry.object["row_scope"] as? [String: Any]
            #expect(scope?["policied_tables"] as? [String] == ["customers"])
            // Every reach for the hidden column or other rows fails or finds nothing.
            let star = try await client.call("POST", "/api/query", json: ["sql": "SELECT * FROM customers LIMIT 20"], token: token)
            #expect(star.status == 200 && (star.object["columns"] as? [String])?.contains("name") == false)
            #expect(!String(decoding: star.body, as: UTF8.self).contains("Customer "))
            for sql in ["SELECT name FROM customers", "SELECT count(*) FROM customers ORDER BY name", "SELECT * FROM customers WHERE country = '\(other)' AND name IS NOT NULL"] {
                let answer = try await client.call("POST", "/api/query", json: ["sql": sql], token: token)
                #expect(answer.status == 400 && !String(decoding: answer.body, as: UTF8.self).contains("Customer "), "\(sql): \(answer.status)")
            }
            let others = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM customers WHERE country = '\(other)'"], token: token)
            #expect(rows(others).first?.first as? Int == 0)
            let shadow = try await client.call("POST", "/api/query", json: ["sql": "WITH customers AS (SELECT 1 AS x) SELECT * FROM customers"], token: token)
            #expect(shadow.status == 400 && shadow.detail?.hasPrefix("policy_name_collision") == true)
            // Sample, schema, profile and catalog describe the slice, not the table.
            let sample = try await client.call("GET", "/api/v2/sample/customers?n=50", token: token)
            #expect(sample.status == 200 && !String(decoding: sample.body, as: UTF8.self).contains("Customer "))
            #expect(!String(decoding: sample.body, as: UTF8.self).contains("\"\(other)\""))
            let schema = try await client.call("GET", "/api/v2/schema/customers", token: token)
            #expect((schema.object["columns"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["customer_id", "country", "signed_up"])
            let profile = try await client.call("GET", "/api/catalog/profile/customers", token: token)
            #expect(profile.status == 200 && profile.object["policy_restricted"] as? Bool == true && (profile.object["columns"] as? [Any])?.isEmpty == true)
            let catalog = try await client.call("GET", "/api/v2/catalog", token: token)
            let entry = (catalog.object["tables"] as? [[String: Any]])?.first { $0["id"] as? String == "customers" }
            #expect(entry != nil && entry?["rows"] is NSNull)
            // A snapshot holds only the slice; the scan names the policy it came from; hidden columns are unknown.
            let scan = try await client.call("POST", "/api/v2/scan", json: ["table_id": "customers"], token: token, headers: Self.parquet)
            #expect(scan.status == 200 && scan.headers["X-Agnes-Row-Scope"] as? String == "policied")
            #expect((scan.headers["X-Agnes-Policy-Fingerprint"] as? String)?.count == 64)
            let countries = try Self.countries(inParquet: scan.body)
            #expect(countries == [country])
            let hidden = try await client.call("POST", "/api/v2/scan", json: ["table_id": "customers", "where": "name = 'Customer 1'"], token: token)
            #expect(hidden.status == 400)
            let estimate = try await client.call("POST", "/api/v2/scan/estimate", json: ["table_id": "customers"], token: token)
            #expect(estimate.status == 200 && estimate.object["estimated_result_rows"] is NSNull)
            // Distributed as the caller's slice: the manifest describes that file, the download is that file.
            let manifest = try await client.call("GET", "/api/sync/manifest", token: token)
            let customers = try #require((manifest.object["tables"] as? [String: [String: Any]])?["customers"])
            #expect(customers["server_only"] as? Bool == false && customers["access_policy"] as? Bool == true)
            #expect((customers["access_policy_fingerprint"] as? String) == scan.headers["X-Agnes-Policy-Fingerprint"] as? String)
            let download = try await client.call("GET", "/api/data/customers/download", token: token)
            #expect(download.status == 200 && download.body.count == customers["size_bytes"] as? Int)
            #expect(DataPlaneFlowTests.sha256(download.body) == customers["sha256"] as? String)
            #expect(try Self.countries(inParquet: download.body) == [country])
            #expect(try Self.columns(inParquet: download.body) == ["customer_id", "country", "signed_up"])
            #expect(customers["rows"] as? Int == rows(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM customers"],
                                                                                 token: token)).first?.first as? Int)
            let etag = try #require(download.headers["Etag"] as? String ?? download.headers["ETag"] as? String)
            #expect(try await client.call("GET", "/api/data/customers/download", token: token, headers: ["If-None-Match": etag]).status == 304)
            let range = try await client.call("GET", "/api/data/customers/download", token: token, headers: ["Range": "bytes=0-99"])
            #expect(range.status == 206 && range.body == download.body.prefix(100))
        }

        let effective = try await client.call("GET", "/api/me/effective-access", token: czech)
        let item = (effective.object["items"] as? [[String: Any]])?.first { $0["resource_id"] as? String == "customers" }
        let status = item?["policy"] as? [String: Any]
        #expect(status?["applies"] as? Bool == true && status?["reason"] as? String == "ok")
        #expect(status?["rows_visible"] as? Int == rows(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM customers"],
                                                                              token: czech)).first?.first as? Int)

        // An administrator signed in sees every row and column; the same administrator's workspace token reads
        // through the policy (and, in no sales group, sees no rows).
        let all = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(DISTINCT country) AS c, count(name) AS n FROM customers"], token: server.admin)
        #expect(rows(all).first?.compactMap { $0 as? Int } == [6, 5000])
        #expect(try await client.call("GET", "/api/data/customers/download", token: server.admin).status == 200)
        let workspaceToken = try #require(try await client.call("POST", "/auth/tokens", json: ["name": "agent", "scope": "workspace"],
                                                                token: server.admin).string("token"))
        #expect(try await client.call("POST", "/auth/tokens", json: ["name": "odd", "scope": "everything"], token: server.admin).status == 400)
        let asAgent = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM customers"], token: workspaceToken)
        #expect(rows(asAgent).first?.first as? Int == 0)
        let agentSlice = try await client.call("GET", "/api/data/customers/download", token: workspaceToken)
        #expect(try agentSlice.status == 200 && Self.countries(inParquet: agentSlice.body).isEmpty)
        // Both analysts' slices and the agent's are on disk, one per set of values; clearing the policy removes them.
        let slices = server.dataDirectory.appendingPathComponent("slices/customers")
        #expect(try FileManager.default.contentsOfDirectory(atPath: slices.path).filter { $0.hasSuffix(".parquet") }.count == 3)

        // Clearing the policy (null) gives the analysts the table again.
        let cleared = try await client.call("PUT", "/api/admin/registry/customers", raw: #"{"access_policy_sql": null}"#, token: server.admin)
        #expect(cleared.status == 200)
        #expect(rows(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM customers"], token: czech)).first?.first as? Int == 5000)
        let plain = try await client.call("GET", "/api/sync/manifest", token: czech)
        #expect((plain.object["tables"] as? [String: [String: Any]])?["customers"]?["access_policy"] as? Bool == false)
        #expect(!FileManager.default.fileExists(atPath: slices.path))
    }

    @Test("a partitioned table is sliced part by part (and whole): the manifest lists the caller's parts, each holds only their rows, pull and local query agree")
    func partitionedSlices() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client, cli = CLIFlowTests()
        let token = try await analyst(DemoServer.analystEmail, group: "channel_ios", server)
        let groups = try await client.call("GET", "/api/admin/groups", token: server.admin)
        let groupList = (try JSONSerialization.jsonObject(with: groups.body) as? [[String: Any]]) ?? groups.object["groups"] as? [[String: Any]] ?? []
        let ios = try #require(groupList.first { $0["name"] as? String == "channel_ios" }?["id"] as? String)
        #expect(try await client.call("POST", "/api/admin/grants", json: ["group_id": ios, "resource_type": "table", "resource_id": "web_sessions"],
                                      token: server.admin).status == 201)
        let policy = "SELECT * EXCLUDE (pages) FROM web_sessions WHERE list_contains($user_groups, 'channel_' || channel)"
        #expect(try await client.call("PUT", "/api/admin/registry/web_sessions", json: ["access_policy_sql": policy, "access_policy_note": "by channel"],
                                      token: server.admin).status == 200)
        let manifest = try await client.call("GET", "/api/sync/manifest", token: token)
        let entry = try #require((manifest.object["tables"] as? [String: [String: Any]])?["web_sessions"])
        let parts = entry["files"] as? [[String: Any]] ?? []
        #expect(entry["sha256"] is NSNull && parts.count == 6 && entry["server_only"] as? Bool == false)
        var total = 0
        for part in parts {
            let name = try #require(part["part"] as? String)
            let download = try await client.call("GET", "/api/data/web_sessions/parts/\(name)", token: token)
            #expect(download.status == 200 && DataPlaneFlowTests.sha256(download.body) == part["sha256"] as? String)
            let (channels, columns, count) = try Self.withParquet(download.body) { connection, path in
                (try connection.query("SELECT DISTINCT channel FROM read_parquet(\(SQL.literal(path)))").rows().map { $0.values[0].description },
                 try connection.query("DESCRIBE SELECT * FROM read_parquet(\(SQL.literal(path)))").rows().map { $0.values[0].description },
                 try connection.scalar(Int64.self, "SELECT count(*) FROM read_parquet(\(SQL.literal(path)))") ?? 0)
            }
            #expect(channels == ["ios"] && !columns.contains("pages"))
            total += Int(count)
        }
        let served = rows(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM web_sessions"], token: token)).first?.first as? Int
        #expect(total > 0 && total == served && entry["rows"] as? Int == served)
        // A client that downloads whole tables (upstream's before parts) gets one file of exactly the same rows.
        let whole = try await client.call("GET", "/api/data/web_sessions/download", token: token)
        #expect(whole.status == 200, "\(String(decoding: whole.body, as: UTF8.self).prefix(300))")
        let (wholeChannels, wholeColumns, wholeCount) = try Self.withParquet(whole.body) { connection, path in
            (try connection.query("SELECT DISTINCT channel FROM read_parquet(\(SQL.literal(path)))").rows().map { $0.values[0].description },
             try connection.query("DESCRIBE SELECT * FROM read_parquet(\(SQL.literal(path)))").rows().map { $0.values[0].description },
             try connection.scalar(Int64.self, "SELECT count(*) FROM read_parquet(\(SQL.literal(path)))") ?? 0)
        }
        #expect(wholeChannels == ["ios"] && !wholeColumns.contains("pages") && Int(wholeCount) == total)
        let again = try await client.call("GET", "/api/data/web_sessions/download", token: token)
        #expect(DataPlaneFlowTests.sha256(again.body) == DataPlaneFlowTests.sha256(whole.body), "made once, then served as made")
        // The CLI pulls the parts and reads the same rows locally.
        let root = server.dataDirectory.appendingPathComponent("cli", isDirectory: true)
        let environment = ["AGNES_CONFIG_DIR": root.appendingPathComponent("config").path, "AGNES_TOKEN": "",
                           "AGNES_LOCAL_DIR": root.appendingPathComponent("workspace").path]
        #expect(try await cli.agnes(["init", "--server-url", client.base.absoluteString, "--token", token, "--quiet"], environment: environment).status == 0)
        #expect(try await cli.agnes(["query", "--local", "--format", "csv", "SELECT channel, count(*) AS n FROM web_sessions GROUP BY 1"],
                              environment: environment).out == "channel,n\r\nios,\(total)\r\n")
    }

    @Test("bypass attempts: no hidden row or column value reaches a policied caller through SQL, scans or errors")
    func bypassAttempts() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client
        let czech = try await analyst(DemoServer.analystEmail, group: "sales_CZ%", server)
        #expect(try await client.call("PUT", "/api/admin/registry/customers",
                                      json: ["access_policy_sql": Self.policy, "access_policy_note": "own country only"], token: server.admin).status == 200)
        let visible = rows(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM customers"], token: czech)).first?.first as? Int
        #expect(visible.map { $0 > 0 && $0 < 5000 } == true)
        /// Nothing of another country or of the hidden column in any part of the answer.
        func expectNothingHidden(_ exchange: Exchange, _ what: String) {
            let text = String(decoding: exchange.body, as: UTF8.self) + exchange.headers.map { "\($0.key): \($0.value)" }.joined(separator: "\n")
            for hidden in ["Customer ", "\"DE\"", "'DE'", "\"US\"", "\"GB\"", "\"FR\"", "\"PL\""] {
                #expect(!text.contains(hidden), "\(what): '\(hidden)' in \(text.prefix(300))")
            }
        }
        let attempts = [
            "SELECT * FROM main.customers", "SELECT * FROM memory.main.customers", "SELECT * FROM information_schema.columns",
            "SELECT sql FROM duckdb_views()", "SELECT * FROM duckdb_tables()", "SELECT * FROM query_table('customers')",
            "SELECT * FROM read_parquet('customers.parquet')", "SELECT name FROM customers", "SELECT country FROM customers ORDER BY name",
            "SELECT count(*) FROM customers GROUP BY name", "SELECT CAST(country AS INTEGER) FROM customers",
            "WITH RECURSIVE customers AS (SELECT 1 AS x) SELECT * FROM customers", "SELECT * FROM customers AS c, customers",
            "SELECT c.name FROM customers c", "SET VARIABLE agnes_user_groups = ['sales_DE%']",
            "SELECT country FROM customers UNION ALL SELECT country FROM customers",
            "SELECT s.country FROM (SELECT 1) t, LATERAL (SELECT country FROM customers) s",
            "SELECT (SELECT count(*) FROM customers) AS n", "SUMMARIZE SELECT * FROM customers",
            "SELECT count(*) FILTER (WHERE country <> 'CZ') AS others, count(*) AS n FROM customers",
        ]
        for sql in attempts {
            let answer = try await client.call("POST", "/api/query", json: ["sql": sql], token: czech)
            expectNothingHidden(answer, sql)
            if answer.status == 200 {
                let countries = Set(rows(answer).flatMap { $0 }.compactMap { $0 as? String }.filter { $0.count == 2 })
                #expect(countries.isSubset(of: ["CZ"]), "\(sql): \(countries)")
            }
        }
        let counted = try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FILTER (WHERE country <> 'CZ') AS others, count(*) AS n FROM customers"],
                                            token: czech)
        #expect(rows(counted).first?.compactMap { $0 as? Int } == [0, visible ?? -1])
        for body: [String: Any] in [["table_id": "customers", "select": ["name"]], ["table_id": "customers", "where": "country = 'DE'"],
                                    ["table_id": "customers", "where": "name LIKE 'Customer%'"], ["table_id": "customers", "order_by": ["name"]]] {
            let answer = try await client.call("POST", "/api/v2/scan", json: body, token: czech, headers: Self.parquet)
            if answer.status == 200 {
                #expect(try Self.countries(inParquet: answer.body).allSatisfy { $0 == "CZ" }, "\(body)")
                #expect(try !Self.columns(inParquet: answer.body).contains("name"), "\(body)")
            } else {
                expectNothingHidden(answer, "scan \(body)")
            }
        }
        for path in ["/api/v2/sample/customers?n=100", "/api/v2/schema/customers", "/api/catalog/profile/customers", "/api/v2/catalog",
                     "/api/catalog/tables", "/api/sync/manifest"] {
            expectNothingHidden(try await client.call("GET", path, token: czech), path)
        }
        // The web table page shows the caller's columns and rows, and says a policy applies.
        let page = try await client.call("GET", "/tables/customers", headers: ["Cookie": "access_token=\(czech)"])
        #expect(page.status == 200 && String(decoding: page.body, as: UTF8.self).contains("policy-note"))
        expectNothingHidden(page, "/tables/customers")
    }

    @Test("a server-only table is queryable, listed and never downloadable; server_only with remote is refused")
    func serverOnly() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client
        #expect(try await client.call("PUT", "/api/admin/registry/products", json: ["server_only": true], token: server.admin).status == 200)
        for token in [server.admin, server.analyst] {
            #expect(try await client.call("GET", "/api/data/products/download", token: token).status == 403)
            let manifest = try await client.call("GET", "/api/sync/manifest", token: token)
            #expect((manifest.object["tables"] as? [String: [String: Any]])?["products"]?["server_only"] as? Bool == true)
            #expect(rows(try await client.call("POST", "/api/query", json: ["sql": "SELECT count(*) FROM products"], token: token)).first?.first as? Int == 500)
        }
        let remote = try await client.call("PUT", "/api/admin/registry/orders", json: ["server_only": true, "query_mode": "remote"], token: server.admin)
        #expect(remote.status == 422 && remote.detail?.hasPrefix("server_only_remote_conflict") == true)
    }

    @Test("a metric is listed and readable only by callers who may read every table it uses")
    func metricVisibility() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client
        let all = try await client.call("GET", "/api/metrics", token: server.admin)
        let allIds = (all.object["metrics"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(allIds.contains("product_usage/active_customers") && allIds.count == 6)
        // The analyst may read the sales folder, not web_sessions (which active_customers uses).
        let mine = try await client.call("GET", "/api/metrics", token: server.analyst)
        let mineIds = (mine.object["metrics"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(!mineIds.contains("product_usage/active_customers") && mineIds.count == 5, "\(mineIds)")
        #expect(try await client.call("GET", "/api/metrics/product_usage/active_customers", token: server.analyst).status == 403)
        #expect(try await client.call("GET", "/api/metrics/revenue/gross_revenue", token: server.analyst).status == 200)
    }

    @Test("the CLI pulls the analyst's slice and queries it locally; a new membership makes a new slice; a server-only table leaves the workspace")
    func cliPull() async throws {
        let server = try await DemoServer.start()
        defer { server.stop() }
        let client = server.client, cli = CLIFlowTests()
        let czech = try await analyst(DemoServer.analystEmail, group: "sales_CZ%", server)
        #expect(try await client.call("PUT", "/api/admin/registry/customers",
                                      json: ["access_policy_sql": Self.policy, "access_policy_note": "own country only"], token: server.admin).status == 200)
        let root = server.dataDirectory.appendingPathComponent("cli", isDirectory: true)
        let workspace = root.appendingPathComponent("workspace")
        let environment = ["AGNES_CONFIG_DIR": root.appendingPathComponent("config").path, "AGNES_TOKEN": "", "AGNES_LOCAL_DIR": workspace.path]
        let initialized = try await cli.agnes(["init", "--server-url", client.base.absoluteString, "--token", czech, "--quiet"], environment: environment)
        #expect(initialized.status == 0, "\(initialized.err)")
        #expect(try await cli.agnes(["query", "--format", "csv", "SELECT DISTINCT country FROM customers"], environment: environment).out == "country\r\nCZ\r\n")
        #expect(try await cli.agnes(["query", "SELECT name FROM customers"], environment: environment).status == 1)
        // The agent is told which tables are slices.
        let rules = try String(contentsOf: workspace.appendingPathComponent(".claude/rules/access_policies.md"), encoding: .utf8)
        #expect(rules.contains("- `customers` (policy ") && !rules.contains("`orders`"))
        // A snapshot holds the slice too: its own rows, not the hidden column.
        let snapshot = try await cli.agnes(["snapshot", "create", "customers", "--as", "my_customers"], environment: environment)
        #expect(snapshot.status == 0, "\(snapshot.out)\(snapshot.err)")
        #expect(try await cli.agnes(["query", "--format", "csv", "SELECT DISTINCT country FROM my_customers"], environment: environment).out == "country\r\nCZ\r\n")
        #expect(try await cli.agnes(["query", "--local", "SELECT name FROM my_customers"], environment: environment).status == 1)
        // Remotely, the server's row-scope note goes to stderr; auto falls back only for a table that is not local.
        let remote = try await cli.agnes(["query", "--scope", "server", "--format", "csv", "SELECT count(*) AS n FROM customers"], environment: environment)
        #expect(remote.status == 0 && remote.err.contains("[scope] rows and columns of customers are limited by access policies"), "\(remote.err)")
        let fallback = try await cli.agnes(["query", "--format", "csv", "SELECT count(*) AS n FROM no_such_table"], environment: environment)
        #expect(fallback.err.contains("[scope] 'no_such_table' not found locally — running server-side") && fallback.status != 0, "\(fallback.err)")
        let local = try await cli.agnes(["query", "--local", "SELECT count(*) AS n FROM no_such_table"], environment: environment)
        #expect(local.status == 1 && !local.err.contains("[scope]"))
        let syntax = try await cli.agnes(["query", "SELEC 1"], environment: environment)
        #expect(syntax.status == 1 && !syntax.err.contains("[scope]"))
        #expect(try await cli.agnes(["query", "--local", "--remote", "SELECT 1"], environment: environment).status == 2)
        // The administrator's side of the CLI: show, try and clear the policy.
        let admin = ["AGNES_CONFIG_DIR": root.appendingPathComponent("admin-config").path, "AGNES_SERVER": client.base.absoluteString,
                     "AGNES_TOKEN": server.admin]
        let shown = try await cli.agnes(["admin", "table-policy", "show", "customers"], environment: admin)
        #expect(shown.status == 0 && shown.out.contains("list_contains($user_groups") && shown.out.contains("-- note: own country only"))
        let tried = try await cli.agnes(["admin", "table-policy", "preview", "customers", "--as-groups", "sales_DE%"], environment: admin)
        #expect(tried.status == 0 && tried.out.contains("hidden columns: name") && tried.out.contains("DE"), "\(tried.out)\(tried.err)")
        // Joining the German group changes what the policy shows: the next pull brings the new slice.
        let german = try #require(try await client.call("POST", "/api/admin/groups", json: ["name": "sales_DE%"], token: server.admin).string("id"))
        #expect(try await client.call("POST", "/api/admin/groups/\(german)/members", json: ["email": DemoServer.analystEmail], token: server.admin).status == 201)
        let again = try await cli.agnes(["pull", "--json"], environment: environment)
        #expect(again.status == 0 && again.out.contains(#""customers""#), "\(again.out)\(again.err)")
        #expect(try await cli.agnes(["query", "--format", "csv", "SELECT DISTINCT country FROM customers ORDER BY 1"], environment: environment).out
                    == "country\r\nCZ\r\nDE\r\n")
        // A table that becomes server-only is removed from the workspace at the next pull, and still answers remotely.
        #expect(try await client.call("PUT", "/api/admin/registry/products", json: ["server_only": true], token: server.admin).status == 200)
        let pruned = try await cli.agnes(["pull", "--json"], environment: environment)
        #expect(pruned.out.contains(#""tables_removed":["products"]"#), "\(pruned.out)\(pruned.err)")
        #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("server/parquet/products.parquet").path))
        #expect(try await cli.agnes(["query", "--remote", "--format", "csv", "SELECT count(*) AS n FROM products"], environment: environment).out == "n\r\n500\r\n")
    }

    /// The column names of a parquet file.
    static func columns(inParquet data: Data) throws -> [String] {
        try withParquet(data) { connection, path in
            try connection.query("DESCRIBE SELECT * FROM read_parquet(\(SQL.literal(path)))").rows().map { $0.values[0].description }
        }
    }

    static func withParquet<T>(_ data: Data, _ body: (Connection, String) throws -> T) throws -> T {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("policy-scan-\(UUID().uuidString).parquet")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let database = try Database()
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        return try body(connection, file.path)
    }

    /// The distinct countries in a parquet file.
    static func countries(inParquet data: Data) throws -> [String] {
        try withParquet(data) { connection, path in
            try connection.query("SELECT DISTINCT country FROM read_parquet(\(SQL.literal(path))) ORDER BY 1").rows().map { $0.values[0].description }
        }
    }
}
