// The web UI in a real browser: headless Chromium against the real agnes-server with the demo dataset. An administrator
// adds a user, puts them in a group and grants a table; the analyst signs in, browses the catalog and a table, proposes
// and votes a memory item, reads a metric, creates and revokes a token, and is refused the admin pages; the
// administrator approves the item. Assertions read the rendered DOM; each page is saved as a full-page screenshot
// (to docs/screenshots with AGNES_UPDATE_SCREENSHOTS=1, else under .build/screenshots).
import AgnesTestSupport
import Foundation
import Testing

@Suite("web UI in a browser", .serialized)
struct WebUIFlowTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var screenshots: URL {
        ProcessInfo.processInfo.environment["AGNES_UPDATE_SCREENSHOTS"] == "1" ? repository.appendingPathComponent("docs/screenshots")
            : repository.appendingPathComponent(".build/screenshots")
    }

    @Test("admin adds a user, group member and grant; the analyst browses, proposes, votes, makes and revokes a token; the admin approves")
    func browse() async throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let dataDirectory = root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dataDirectory.appendingPathComponent("server.log").path, contents: nil)
        let (server, client) = try await DataPlaneFlowTests().start(dataDirectory, environment: [
            "SEED_ADMIN_EMAIL": "admin@example.com", "SEED_ADMIN_PASSWORD": "admin password 1",
        ], arguments: ["--demo"])
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        let base = client.base.absoluteString.hasSuffix("/") ? String(client.base.absoluteString.dropLast()) : client.base.absoluteString
        let shots = Self.screenshots

        try await HeadlessBrowser.run { page in
            func signIn(_ email: String, _ password: String) async throws {
                try await page.open("\(base)/catalog")
                #expect(try await page.url.hasPrefix("\(base)/login?next="))
                try await page.fill(["#email": email, "#password": password])
                try await page.click("#login button[type=submit]")
                #expect(try await page.url == "\(base)/catalog")
            }
            func signOut() async throws {
                try await page.click("header form button")
                #expect(try await page.text(".flash.notice") == "Signed out.")
            }

            // The administrator: a wrong password first, then the real one.
            try await page.open("\(base)/login")
            try await page.screenshot(to: shots.appendingPathComponent("login.png"))
            try await page.fill(["#email": "admin@example.com", "#password": "wrong password"])
            try await page.click("#login button[type=submit]")
            #expect(try await page.text(".flash.error") == "Wrong email or password.")
            try await signIn("admin@example.com", "admin password 1")

            try await page.open("\(base)/admin/users")
            try await page.fill(["#email": "ana@example.com", "#name": "Ana Analyst"])
            try await page.click("#add-user button[type=submit]")
            #expect(try await page.text(".flash.notice")?.hasPrefix("Added ana@example.com") == true)
            #expect(try await page.dom().contains("data-user=\"ana@example.com\""))
            try await page.screenshot(to: shots.appendingPathComponent("admin-users.png"))

            try await page.open("\(base)/admin/groups")
            #expect(try await page.dom().contains(">Analysts</a>"))
            let groupLink = try await page.evaluate("[...document.querySelectorAll('#groups a')].find(a => a.textContent === 'Analysts').href") as? String ?? ""
            try await page.open(groupLink)
            try await page.fill(["#member-email": "ana@example.com"])
            try await page.click("#add-member button[type=submit]")
            #expect(try await page.text(".flash.notice") == "Added ana@example.com.")
            #expect(try await page.dom().contains("data-member=\"ana@example.com\""))
            try await page.screenshot(to: shots.appendingPathComponent("admin-group.png"))

            try await page.open("\(base)/admin/grants")
            try await page.evaluate("document.querySelector('#group').value = [...document.querySelectorAll('#group option')].find(o => o.textContent === 'Analysts').value")
            try await page.fill(["#type": "table", "#resource": "web_sessions"])
            try await page.click("#grant button[type=submit]")
            #expect(try await page.text(".flash.notice") == "Granted Analysts table web_sessions.")
            #expect(try await page.dom().contains("data-grant=\"Analysts:table:web_sessions\""))
            try await page.screenshot(to: shots.appendingPathComponent("admin-grants.png"))
            for (path, name, title) in [("/admin", "admin", "Administration"), ("/admin/tables", "admin-tables", "Registered tables"),
                                        ("/admin/sources", "admin-sources", "Data sources"), ("/admin/sync", "admin-sync", "Sync"),
                                        ("/admin/audit?action=resource_grant", "admin-audit", "Audit trail")] {
                try await page.open(base + path)
                #expect(try await page.text("h1") == title, "\(path)")
                try await page.screenshot(to: shots.appendingPathComponent("\(name).png"))
            }
            #expect(try await page.dom().contains("resource_grant.created"))
            try await signOut()
        }

        // Ana's password is set through the API (her invitation went to the mail log).
        let admin = try #require(try await client.call("POST", "/auth/token", json: ["email": "admin@example.com", "password": "admin password 1"])
            .string("access_token"))
        let users = try JSONSerialization.jsonObject(with: try await client.call("GET", "/api/users", token: admin).body) as? [[String: Any]] ?? []
        let anaId = try #require(users.first { $0["email"] as? String == "ana@example.com" }?["id"] as? String)
        #expect(try await client.call("POST", "/api/users/\(anaId)/set-password", json: ["password": "ana password 12"], token: admin).status == 204)

        try await HeadlessBrowser.run { page in
            try await page.open("\(base)/catalog")
            try await page.fill(["#email": "ana@example.com", "#password": "ana password 12"])
            try await page.click("#login button[type=submit]")
            // The sales folder (from the demo) and the table granted just now; nothing else.
            let catalog = try await page.dom()
            for table in ["customers", "orders", "order_items", "products", "web_sessions"] { #expect(catalog.contains("data-table=\"\(table)\""), "\(table)") }
            #expect(catalog.contains("5 of 5 tables") && !catalog.contains(">Admin</a>"))
            try await page.screenshot(to: shots.appendingPathComponent("catalog.png"))
            try await page.screenshot(to: shots.appendingPathComponent("catalog-phone.png"), width: 390, mobile: true)
            try await page.fill(["#q": "session"])
            try await page.click("form[action='/catalog'] button")
            #expect(try await page.evaluate("document.querySelectorAll('#tables tbody tr[data-table]').length") as? Int == 1)

            try await page.open("\(base)/tables/orders")
            let table = try await page.dom()
            #expect(table.contains("ordered_at") && table.contains("30,000") && table.contains("agnes query \"SELECT count(*) FROM orders\""))
            #expect(try await page.evaluate("document.querySelectorAll('#sample tbody tr').length") as? Int == 5)
            #expect(try await page.evaluate("document.querySelectorAll('#history tbody tr').length") as? Int ?? 0 >= 1)
            try await page.screenshot(to: shots.appendingPathComponent("table.png"))

            // Corporate memory: propose, find it, vote it up (and the vote shows).
            try await page.open("\(base)/memory")
            try await page.fill(["#title": "Session pages count views, not clicks", "#content": "web_sessions.pages counts page views.",
                                 "#category": "data-model", "#tags": "web_sessions, definitions"])
            try await page.click("#propose button[type=submit]")
            #expect(try await page.text(".flash.notice")?.hasPrefix("Proposed “Session pages count views, not clicks”") == true)
            try await page.fill(["#q": "clicks"])
            try await page.click("form[action='/memory'] button")
            #expect(try await page.evaluate("document.querySelectorAll('#items tr[data-item]').length") as? Int == 1)
            #expect(try await page.dom().contains("search: best match first"))
            try await page.click("#items tr[data-item] button[name=up]")
            #expect(try await page.dom().contains("search: nil") == false)
            #expect(try await page.text(".flash.notice") == "Vote recorded for “Session pages count views, not clicks”.")
            let voted = try await page.dom()
            #expect(voted.contains("+1 / −0"))
            try await page.screenshot(to: shots.appendingPathComponent("memory.png"))

            try await page.open("\(base)/catalog/metrics")
            #expect(try await page.dom().contains("revenue/gross_revenue"))
            try await page.screenshot(to: shots.appendingPathComponent("metrics.png"))
            try await page.open("\(base)/catalog/metrics/revenue/gross_revenue")
            #expect(try await page.text("#sql")?.contains("o.status IN ('paid', 'shipped')") == true)
            try await page.screenshot(to: shots.appendingPathComponent("metric.png"))

            // A token, shown once; then revoked.
            try await page.open("\(base)/tokens")
            try await page.fill(["#token-name": "laptop", "#days": "30"])
            try await page.click("#create-token button[type=submit]")
            let token = try await page.text("#new-token") ?? ""
            #expect(token.count > 40)
            #expect(try await client.call("GET", "/api/catalog/tables", token: token).status == 200)
            try await page.screenshot(to: shots.appendingPathComponent("tokens.png"))
            try await page.open("\(base)/tokens")
            #expect(try await page.text("#new-token") == nil)
            try await page.click("tr[data-token=laptop] button")
            #expect(try await page.text(".flash.notice") == "Token revoked.")
            #expect(try await page.dom().contains("revoked"))
            #expect(try await client.call("GET", "/api/catalog/tables", token: token).status == 401)

            // Not an administrator.
            try await page.open("\(base)/admin/users")
            #expect(try await page.text("h1") == "Not permitted")
        }

        // The administrator approves Ana's proposal from the review queue.
        try await HeadlessBrowser.run { page in
            try await page.open("\(base)/catalog")
            try await page.fill(["#email": "admin@example.com", "#password": "admin password 1"])
            try await page.click("#login button[type=submit]")
            try await page.open("\(base)/memory/review")
            #expect(try await page.dom().contains("Session pages count views, not clicks"))
            try await page.screenshot(to: shots.appendingPathComponent("review.png"))
            let card = "[...document.querySelectorAll('.card[data-item]')].find(c => c.innerText.includes('count views'))"
            try await page.evaluate("\(card).querySelector('input[name=reason]').value = 'checked with the web team'")
            try await page.evaluate("window.__agnesWaiting = true; \(card).querySelector('button[value=approve]').click()")
            for _ in 0..<200 where try await page.evaluate("window.__agnesWaiting === undefined && document.readyState === 'complete'") as? Bool != true {
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(try await page.text(".flash.notice") == "“Session pages count views, not clicks” is now approved.")
        }
        let bundle = try await client.call("GET", "/api/memory/bundle", token: admin).object
        #expect((bundle["approved"] as? [[String: Any]])?.contains { $0["title"] as? String == "Session pages count views, not clicks" } == true)

        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
    }
}
