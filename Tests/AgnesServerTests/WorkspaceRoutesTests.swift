// What `agnes init` and `agnes push` talk to: the workspace CLAUDE.md rendered for the caller (only the tables they may
// read), the admin-editable template, and uploads of session transcripts (multipart, streamed, limited, validated) and
// notes — stored under DATA_DIR/uploads with a row in `uploads`.
import AgnesAPI
import AgnesDomain
@testable import AgnesServer
import AgnesState
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("workspace routes")
struct WorkspaceRoutesTests {
    /// An analyst (member of a group with a grant on `orders` only) and their session token.
    func analyst(_ client: LiveTestClient, admin: String) async throws -> (id: String, token: String) {
        let user = try await client.send(.post, "/api/users", json: ["email": "ana@example.com", "name": "Ana"], token: admin)
        let id = try #require(user.string("id"))
        #expect(try await client.send(.post, "/api/users/\(id)/set-password", json: ["password": "ana's long password"], token: admin).status == .noContent)
        let group = try #require(try await client.send(.post, "/api/admin/groups", json: ["name": "Analysts"], token: admin).string("id"))
        _ = try await client.send(.post, "/api/admin/groups/\(group)/members", json: ["email": "ana@example.com"], token: admin)
        _ = try await client.send(.post, "/api/admin/grants", json: ["group_id": group, "resource_type": "table", "resource_id": "orders"], token: admin)
        let login = try await client.send(.post, "/auth/token", json: ["email": "ana@example.com", "password": "ana's long password"])
        return (id, try #require(login.string("access_token")))
    }

    func registerTables(_ client: LiveTestClient, admin: String, directory: URL) async throws {
        try "id\n1\n".write(to: directory.appendingPathComponent("orders.csv"), atomically: true, encoding: .utf8)
        try "id\n1\n".write(to: directory.appendingPathComponent("payroll.csv"), atomically: true, encoding: .utf8)
        _ = try await client.send(.post, "/api/admin/sources", json: ["name": "shop", "type": "files", "config": ["directory": directory.path]], token: admin)
        for (name, description) in [("orders", "All orders | with pipes\nand lines"), ("payroll", "Salaries")] {
            let registered = try await client.send(.post, "/api/admin/register-table",
                                                   json: ["name": name, "source_name": "shop", "source_table": "\(name).csv", "description": description], token: admin)
            #expect(registered.status == .created)
        }
    }

    @Test("the workspace CLAUDE.md lists what the caller may read; admins replace and reset the template")
    func welcome() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            try await registerTables(client, admin: admin, directory: server.directory)
            let ana = try await analyst(client, admin: admin)

            let rendered = try await client.send(.get, "/api/welcome?server_url=https%3A%2F%2Fagnes.example.com", token: ana.token)
            let content = try #require(rendered.string("content"))
            #expect(content.hasPrefix("# AI Data Analyst — Agnes (agnes.example.com) workspace"))
            #expect(content.contains("connected to https://agnes.example.com as ana@example.com"))
            #expect(content.contains("## Tables you can see (1)") && content.contains("| `orders` | local | All orders / with pipes and lines |"))
            #expect(!content.contains("payroll") && !content.contains("{{") && content.contains("agnes describe <table> -n 5"))
            // No metrics defined: the metrics rail is not offered yet.
            #expect(!content.contains("agnes catalog --metrics"))
            // A URL with credentials is not echoed; the configured one is used.
            let sneaky = try await client.send(.get, "/api/welcome?server_url=https%3A%2F%2Fu%3Ap%40evil.example", token: ana.token)
            #expect(sneaky.string("content")?.contains("connected to http://agnes.test as") == true)
            let adminView = try await client.send(.get, "/api/welcome", token: admin)
            #expect(adminView.string("content")?.contains("## Tables you can see (2)") == true)
            #expect(try await client.send(.get, "/api/welcome").status == .unauthorized)

            // The template, as admins see and change it.
            #expect(try await client.send(.get, "/api/admin/welcome-template", token: ana.token).status == .forbidden)
            let initial = try await client.send(.get, "/api/admin/welcome-template", token: admin)
            #expect(initial["is_default"] as? Bool == true && initial.string("content") == WorkspaceTemplate.defaultText)
            let broken = try await client.send(.put, "/api/admin/welcome-template", json: ["content": "# AI Data Analyst {{#tables}} unclosed"], token: admin)
            #expect(broken.status == .badRequest && broken.detail?.hasPrefix("The template does not parse") == true)
            let custom = "# AI Data Analyst at ACME\n{{user_email}} sees {{table_count}}:{{#tables}} {{id}}{{/tables}} <raw & unescaped>\n"
            let saved = try await client.send(.put, "/api/admin/welcome-template", json: ["content": custom], token: admin)
            #expect(saved.status == .ok && saved["is_default"] as? Bool == false && saved.string("updated_by") != nil)
            let mine = try await client.send(.get, "/api/welcome", token: ana.token)
            #expect(mine.string("content") == "# AI Data Analyst at ACME\nana@example.com sees 1: orders <raw & unescaped>\n")
            let reset = try await client.send(.delete, "/api/admin/welcome-template", token: admin)
            #expect(reset["is_default"] as? Bool == true)
            #expect(try await client.send(.get, "/api/welcome", token: ana.token).string("content")?.contains("Rails: discovery first") == true)
        }
    }

    /// A multipart body with one file field.
    func multipart(field: String = "file", filename: String, content: Data, boundary: String = "test-boundary-42") -> (ByteBuffer, HTTPFields) {
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n".utf8)
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\nContent-Type: application/x-ndjson\r\n\r\n".utf8)
        body += content + Data("\r\n--\(boundary)--\r\n".utf8)
        return (ByteBuffer(bytes: body), [.contentType: "multipart/form-data; boundary=\(boundary)"])
    }

    @Test("session transcripts and notes are uploaded, validated, limited, stored atomically and recorded")
    func uploads() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let ana = try await analyst(client, admin: admin)
            func upload(_ body: ByteBuffer, _ headers: HTTPFields) async throws -> JSONResponse {
                var headers = headers
                headers[.authorization] = "Bearer \(ana.token)"
                return try await client.execute(uri: "/api/upload/sessions", method: .post, headers: headers, body: body) { response in
                    JSONResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
                }
            }
            // Content with CR, LF and boundary-like bytes survives byte for byte.
            var transcript = Data()
            for line in 0..<20_000 { transcript += Data("{\"line\":\(line),\"text\":\"--test-boundary-4\\r\\n\"}\r\n".utf8) }
            transcript += Data([0x00, 0x0D, 0xFF, 0x2D, 0x2D])
            let (body, headers) = multipart(filename: "session-1.jsonl", content: transcript)
            let stored = try await upload(body, headers)
            #expect(stored.status == .ok && stored.string("status") == "ok" && stored.string("filename") == "session-1.jsonl")
            #expect(stored["size"] as? Int == transcript.count)
            let file = server.directory.appendingPathComponent("uploads/sessions/\(ana.id)/session-1.jsonl")
            #expect(try Data(contentsOf: file) == transcript)
            let digest = SHA256.hash(data: transcript).map { String(format: "%02x", $0) }.joined()
            #expect(stored.string("sha256") == digest)

            // Bad names, missing fields, other media types, and oversized files are refused and leave nothing behind.
            for name in ["../escape.jsonl", "with space.jsonl", "", String(repeating: "a", count: 201)] {
                let (body, headers) = multipart(filename: name, content: Data("x".utf8))
                let refused = try await upload(body, headers)
                #expect(refused.status == .badRequest && refused.detail?.hasPrefix("Invalid filename") == true, "\(name): \(refused.text)")
            }
            let (noFile, noFileHeaders) = multipart(field: "other", filename: "a.jsonl", content: Data("x".utf8))
            #expect(try await upload(noFile, noFileHeaders).status == .unprocessableContent)
            #expect(try await upload(ByteBuffer(string: "{}"), [.contentType: "application/json"]).status == .unsupportedMediaType)
            let truncated = ByteBuffer(bytes: Data("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.jsonl\"\r\n\r\npartial".utf8))
            #expect(try await upload(truncated, [.contentType: "multipart/form-data; boundary=b"]).status == .badRequest)
            let (huge, hugeHeaders) = multipart(filename: "huge.jsonl", content: Data(count: Int(UploadService.maximumSessionBytes) + 1))
            let tooLarge = try await upload(huge, hugeHeaders)
            #expect(tooLarge.status == .contentTooLarge && tooLarge.detail == "File too large (max 50MB)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path)
            #expect(leftovers == ["session-1.jsonl"], "\(leftovers)")

            // Notes: one file per user, replaced each time.
            let notes = try await client.send(.post, "/api/upload/local-md", json: ["content": "# Ana's notes\nrevenue excludes refunds\n"], token: ana.token)
            #expect(notes.status == .ok && notes.string("user") == "ana@example.com" && notes["size"] as? Int == 39)
            _ = try await client.send(.post, "/api/upload/local-md", json: ["content": "v2"], token: ana.token)
            #expect(try String(contentsOf: server.directory.appendingPathComponent("uploads/local_md/\(ana.id).md"), encoding: .utf8) == "v2")
            #expect(try await client.send(.post, "/api/upload/local-md", json: ["content": 42], token: ana.token).status == .unprocessableContent)
            #expect(try await client.send(.post, "/api/upload/local-md", json: ["content": "x"]).status == .unauthorized)

            let mine = try await client.send(.get, "/api/upload/mine", token: ana.token)
            let uploads = try #require(mine["uploads"] as? [[String: Any]])
            #expect(uploads.map { $0["kind"] as? String } == ["local_md", "local_md", "session"])
            #expect(uploads.last?["sha256"] as? String == digest && uploads.last?["bytes"] as? Int == transcript.count)
            #expect((try await client.send(.get, "/api/upload/mine", token: admin)["uploads"] as? [[String: Any]])?.isEmpty == true)
            try await server.services.audit.flush()
            let audit = try await client.send(.get, "/api/admin/audit?action=session.upload", token: admin)
            #expect((audit["rows"] as? [[String: Any]])?.contains { $0["resource"] as? String == "upload:session/session-1.jsonl" } == true)
        }
    }
    @Test("a user's uploads are capped by the per-user quota: 413, nothing left behind, a replaced file counted once")
    func uploadQuota() async throws {
        try await TestServer.run(environment: ["AGNES_UPLOAD_QUOTA_BYTES": "1000"]) { server, client in
            let admin = try await client.adminToken()
            let ana = try await analyst(client, admin: admin)
            func upload(_ name: String, bytes: Int) async throws -> JSONResponse {
                var (body, headers) = multipart(filename: name, content: Data(repeating: 0x61, count: bytes))
                headers[.authorization] = "Bearer \(ana.token)"
                return try await client.execute(uri: "/api/upload/sessions", method: .post, headers: headers, body: body) { response in
                    JSONResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
                }
            }
            #expect(try await upload("a.jsonl", bytes: 600).status == .ok)
            let over = try await upload("b.jsonl", bytes: 500)
            #expect(over.status == .contentTooLarge && over.detail?.hasPrefix("Upload quota exceeded: you keep 600 bytes") == true, "\(over.text)")
            // Replacing a file counts its new size only.
            #expect(try await upload("a.jsonl", bytes: 900).status == .ok)
            let notes = try await client.send(.post, "/api/upload/local-md", json: ["content": String(repeating: "n", count: 200)], token: ana.token)
            #expect(notes.status == .contentTooLarge)
            let folder = server.directory.appendingPathComponent("uploads/sessions/\(ana.id)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["a.jsonl"])
            // Another user has a quota of their own.
            #expect(try await client.send(.post, "/api/upload/local-md", json: ["content": String(repeating: "n", count: 900)], token: admin).status == .ok)
        }
    }
}
