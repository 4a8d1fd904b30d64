// Upstream's named connections over our data sources: create (201, 409 for a taken name), list, read, replace,
// test, delete (409 while a table uses it), the `/secret` routes refused (nothing secret is ever stored), and no
// access for non-administrators.
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("source connections")
struct SourceConnectionTests {
    @Test("create, list, read, replace, test and delete named connections; in use is 409; secrets are never stored")
    func lifecycle() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let created = try await client.send(.post, "/api/admin/source-connections", json: [
                "name": "kbc", "source_type": "keboola", "config": ["stack_url": "https://connection.keboola.com"], "token_env": "KBC_TOKEN",
            ], token: admin)
            #expect(created.status == .created && created.string("id") == "kbc" && created.string("token_env") == "KBC_TOKEN"
                    && created["is_default"] as? Bool == true && created["tables"] as? Int == 0, "\(created.text)")
            #expect((created["config"] as? [String: Any])?["token_env"] as? String == "KBC_TOKEN")
            let again = try await client.send(.post, "/api/admin/source-connections", json: ["name": "kbc", "source_type": "keboola",
                                                                                             "config": ["stack_url": "https://x.keboola.com"]], token: admin)
            #expect(again.status == .conflict)
            // The same source is a data source too, with the variable named among its secrets.
            let source = try await client.send(.get, "/api/admin/sources", token: admin).array.first { $0["name"] as? String == "kbc" }
            #expect(source?["secret_env"] as? [String] == ["KBC_TOKEN"])

            let files = server.directory.appendingPathComponent("files")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            try "id\n1\n".write(to: files.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
            #expect(try await client.send(.post, "/api/admin/source-connections", json: ["name": "shop", "source_type": "files",
                                                                                         "config": ["directory": files.path]], token: admin).status == .created)
            #expect(try await client.send(.post, "/api/admin/source-connections", json: ["name": "bad", "source_type": "files",
                                                                                         "config": ["directory": files.path], "token_env": "X_TOKEN"],
                                          token: admin).status == .badRequest)
            #expect(try await client.send(.post, "/api/admin/register-table", json: ["name": "t", "source_name": "shop", "source_table": "t.csv"],
                                          token: admin).status == .created)
            let list = try await client.send(.get, "/api/admin/source-connections", token: admin).array
            #expect(list.map { $0["id"] as? String } == ["kbc", "shop"] && list.last?["tables"] as? Int == 1)
            // A files source names its files in source_table: it lists nothing here.
            #expect(try await client.send(.get, "/api/admin/sources/shop/tables", token: admin).status == .unprocessableContent)
            #expect(try await client.send(.get, "/api/admin/sources/ghost/tables", token: admin).status == .notFound)
            let tested = try await client.send(.post, "/api/admin/source-connections/shop/test", token: admin)
            #expect(tested["ok"] as? Bool == true)
            let replaced = try await client.send(.put, "/api/admin/source-connections/kbc", json: [
                "source_type": "keboola", "config": ["stack_url": "https://connection.eu-central-1.keboola.com"], "token_env": "KBC_EU_TOKEN",
            ], token: admin)
            #expect(replaced.status == .ok && replaced.string("token_env") == "KBC_EU_TOKEN")
            #expect(try await client.send(.get, "/api/admin/source-connections/kbc", token: admin).string("token_env") == "KBC_EU_TOKEN")
            #expect(try await client.send(.get, "/api/admin/source-connections/nope", token: admin).status == .notFound)

            let secret = try await client.send(.put, "/api/admin/source-connections/kbc/secret", json: ["secret": "s3cr3t-value"], token: admin)
            #expect(secret.status == .unprocessableContent && !secret.text.contains("s3cr3t-value"))
            let inUse = try await client.send(.delete, "/api/admin/source-connections/shop", token: admin)
            #expect(inUse.status == .conflict && inUse.detail?.contains("t") == true)
            #expect(try await client.send(.delete, "/api/admin/sources/shop", token: admin).status == .conflict)
            #expect(try await client.send(.delete, "/api/admin/source-connections/kbc", token: admin).status == .noContent)

            // Analysts see none of it.
            _ = try await client.send(.post, "/api/users", json: ["email": "ana@example.com"], token: admin)
            let users = try await client.send(.get, "/api/users", token: admin).array
            let ana = try #require(users.first { $0["email"] as? String == "ana@example.com" }?["id"] as? String)
            _ = try await client.send(.post, "/api/users/\(ana)/set-password", json: ["password": "ana password 12"], token: admin)
            let token = try #require(try await client.send(.post, "/auth/token", json: ["email": "ana@example.com", "password": "ana password 12"])
                .string("access_token"))
            let refused = try await client.send(.get, "/api/admin/source-connections", token: token)
            #expect(refused.status == .forbidden && !refused.text.contains("shop"))
            let tables = try await client.send(.get, "/api/admin/sources/shop/tables", token: token)
            #expect(tables.status == .forbidden && !tables.text.contains("t.csv"))
        }
    }
}
