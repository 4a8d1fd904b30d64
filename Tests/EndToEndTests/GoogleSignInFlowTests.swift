// Sign in with Google end to end: the real agnes-server binary with the demo dataset, a local OpenID provider and
// Directory API (Tests/Support), and headless Chromium. An administrator links a group to a directory group and grants
// it one table; the user clicks "Sign in with Google", lands signed in, in the groups the directory says, and the
// catalog shows exactly the table those groups may read. Then the directory drops the group: at the next sign-in the
// table is gone.
import AgnesTestSupport
import Foundation
import Testing

@Suite("Google sign-in in a browser", .serialized)
struct GoogleSignInFlowTests {
    @Test("a user clicks Sign in with Google, lands signed in with the directory's groups, and sees exactly their tables")
    func signInWithGoogle() async throws {
        let provider = try OpenIDTestProvider()
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try await provider.run { provider in
            provider.add(TestAccount(email: "wes@example.com", subject: "4004", name: "Wes Web", hostedDomain: "example.com"))
            provider.signIn(as: "wes@example.com")
            provider.directory.setGroups(of: "wes@example.com", [("web@example.com", "Web team"), ("all@example.com", "Everyone at Example")])
            let keyFile = root.appendingPathComponent("directory-key.json")
            try provider.directory.keyFile(tokenURI: "\(provider.issuer)/directory-token").write(to: keyFile)
            let dataDirectory = root.appendingPathComponent("data")
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: dataDirectory.appendingPathComponent("server.log").path, contents: nil)
            let (server, client) = try await DataPlaneFlowTests().start(dataDirectory, environment: [
                "SEED_ADMIN_EMAIL": "admin@example.com", "SEED_ADMIN_PASSWORD": "admin password 1",
                "GOOGLE_CLIENT_ID": OpenIDTestProvider.clientId, "GOOGLE_CLIENT_SECRET": OpenIDTestProvider.clientSecret,
                "AGNES_GOOGLE_ISSUER": provider.issuer, "AGNES_GOOGLE_ALLOWED_DOMAINS": "example.com",
                "AGNES_GOOGLE_DIRECTORY_KEY_FILE": keyFile.path, "AGNES_GOOGLE_DIRECTORY_ADMIN": DirectoryTestServer.administrator,
                "AGNES_GOOGLE_DIRECTORY_URL": provider.issuer,
            ], arguments: ["--demo"])
            defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
            let base = client.base.absoluteString.hasSuffix("/") ? String(client.base.absoluteString.dropLast()) : client.base.absoluteString

            // The administrator links "Web team" to the directory group and grants it the web sessions.
            let admin = try #require(try await client.call("POST", "/auth/token", json: ["email": "admin@example.com", "password": "admin password 1"])
                .string("access_token"))
            let group = try #require(try await client.call("POST", "/api/admin/groups", json: ["name": "Web team"], token: admin).string("id"))
            #expect(try await client.call("PATCH", "/api/admin/groups/\(group)", json: ["mapped_email": "web@example.com"], token: admin).status == 200)
            #expect(try await client.call("POST", "/api/admin/grants", json: ["group_id": group, "resource_type": "table", "resource_id": "web_sessions"],
                                          token: admin).status == 201)

            try await HeadlessBrowser.run { page in
                try await page.open("\(base)/catalog")
                #expect(try await page.url.hasPrefix("\(base)/login?next="))
                #expect(try await page.text("#google-sign-in") == "Sign in with Google")
                try await page.screenshot(to: WebUIFlowTests.screenshots.appendingPathComponent("login-google.png"))
                try await page.click("#google-sign-in")
                #expect(try await page.url == "\(base)/catalog")
                let catalog = try await page.dom()
                #expect(catalog.contains("data-table=\"web_sessions\"") && catalog.contains("1 of 1 tables"), "\(catalog.prefix(2000))")
                for hidden in ["customers", "orders", "order_items", "products"] { #expect(!catalog.contains("data-table=\"\(hidden)\""), "\(hidden)") }

                // The directory drops the group: at the next sign-in the table is gone.
                provider.directory.setGroups(of: "wes@example.com", [("all@example.com", "Everyone at Example")])
                try await page.click("header form button")
                try await page.open("\(base)/login?next=/catalog")
                try await page.click("#google-sign-in")
                #expect(try await page.url == "\(base)/catalog")
                #expect(!(try await page.dom()).contains("data-table=\"web_sessions\""))
            }
            let users = try JSONSerialization.jsonObject(with: try await client.call("GET", "/api/users", token: admin).body) as? [[String: Any]] ?? []
            let wes = try #require(users.first { $0["email"] as? String == "wes@example.com" })
            let groups = (wes["groups"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(Set(groups) == ["Everyone", "Everyone at Example"], "\(groups)")
        }
    }
}
