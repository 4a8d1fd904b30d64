// The web UI's rules, without a browser: sign-in redirects, the magic-link form, CSRF on every form, RBAC on pages,
// HTML escaping of user content, and the session cookie's flags.
@testable import AgnesServer
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("web pages")
struct WebPagesTests {
    func page(_ client: LiveTestClient, _ method: HTTPRequest.Method, _ uri: String, cookie: String? = nil, form: String? = nil) async throws
        -> (status: HTTPResponse.Status, headers: HTTPFields, body: String) {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = "access_token=\(cookie)" }
        if form != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: form.map { ByteBuffer(string: $0) }) { response in
            (response.status, response.headers, String(buffer: response.body))
        }
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test("sign-in redirects, magic-link form, CSRF, RBAC, escaping, cookie flags")
    func rules() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let ana = try await MemoryRoutesTests.user("ana@example.com", group: "Analysts", client, admin: admin)

            // Without a session: pages redirect to the login page (GET) or are refused (POST).
            let redirected = try await page(client, .get, "/catalog?q=x")
            #expect(redirected.status == .seeOther && redirected.headers[.location] == "/login?next=%2Fcatalog%3Fq%3Dx")
            #expect(try await page(client, .post, "/memory", form: "title=x").status == .forbidden)
            let login = try await page(client, .get, "/login?next=//evil.example&error=invalid")
            #expect(login.status == .ok && login.body.contains("Wrong email or password.") && login.body.contains(#"name="next" value="/""#))

            // The password form sets the cookie with its flags; the magic-link form answers with the login page.
            let signIn = try await page(client, .post, "/auth/password/login/web", form: "email=ana%40example.com&password=a+long+password+1&next=%2Fmemory")
            #expect(signIn.status == .found && signIn.headers[.location] == "/memory")
            let cookie = try #require(signIn.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && !cookie.contains("Secure"))
            let link = try await page(client, .post, "/auth/email/send-link", form: "email=ana%40example.com")
            #expect(link.status == .seeOther && link.headers[.location]?.hasPrefix("/login?notice=If%20this%20email%20is%20registered") == true)
            #expect(server.mailer.lastLink(to: "ana@example.com") != nil)

            // CSRF: forms carry the session's token; a missing or foreign token is refused and changes nothing.
            let memory = try await page(client, .get, "/memory", cookie: ana.token)
            let token = try #require(Self.csrf(in: memory.body))
            #expect(try await page(client, .post, "/memory", cookie: ana.token, form: "title=No+token").status == .forbidden)
            let other = CSRFToken.make(sessionToken: admin, secret: server.services.configuration.sessionSecret)
            #expect(try await page(client, .post, "/memory", cookie: ana.token, form: "title=Foreign&csrf=\(other)").status == .forbidden)
            let proposed = try await page(client, .post, "/memory", cookie: ana.token,
                                          form: "csrf=\(token)&title=%3Cscript%3Ealert(1)%3C%2Fscript%3E&content=x&category=&tags=a%2C+b")
            #expect(proposed.status == .seeOther && proposed.headers[.location]?.hasPrefix("/memory?notice=Proposed") == true)
            let items = try await KnowledgeRepository(store: server.services.state).search()
            #expect(items.map(\.title) == ["<script>alert(1)</script>"] && items.first?.tags == ["a", "b"])
            let listed = try await page(client, .get, "/memory", cookie: ana.token)
            #expect(listed.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !listed.body.contains("<script>alert"))
            let empty = try await page(client, .post, "/memory", cookie: ana.token, form: "csrf=\(token)&title=")
            #expect(empty.headers[.location] == "/memory?error=A%20title%20is%20required")

            // RBAC: the analyst gets 403 pages for administration and for tables not granted; 404 for unknown ones.
            let adminPage = try await page(client, .get, "/admin/users", cookie: ana.token)
            #expect(adminPage.status == .forbidden && adminPage.body.contains("<h1>Not permitted</h1>") && adminPage.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(try await page(client, .post, "/admin/users", cookie: ana.token, form: "csrf=\(token)&email=x%40example.com").status == .forbidden)
            #expect(try await page(client, .get, "/memory/review", cookie: ana.token).status == .forbidden)
            #expect(try await page(client, .get, "/tables/ghost", cookie: ana.token).status == .notFound)
            let catalog = try await page(client, .get, "/catalog", cookie: ana.token)
            #expect(catalog.status == .ok && catalog.body.contains("0 of 0 tables") && !catalog.body.contains(">Admin</a>"))
            #expect(try await page(client, .get, "/admin", cookie: admin).body.contains("<h1>Administration</h1>"))

            // Signing out needs the token too, and clears the cookie.
            let out = try await page(client, .post, "/logout", cookie: ana.token, form: "csrf=\(token)")
            #expect(out.status == .seeOther && out.headers[.setCookie]?.hasPrefix("access_token=;") == true)
            let css = try await page(client, .get, "/static/agnes.css")
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
        }
    }

    @Test("the memory page comes in pages of 50 that keep the search")
    func memoryPages() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let knowledge = KnowledgeRepository(store: server.services.state)
            for index in 0..<55 { _ = try await knowledge.propose(KnowledgeDraft(title: "Fact \(index) about orders"), by: nil) }
            let first = try await page(client, .get, "/memory?q=orders", cookie: admin)
            #expect(first.body.contains("page 1 of 2") && first.body.contains(#"href="/memory?q=orders&amp;status=&amp;page=2""#))
            #expect(first.body.components(separatedBy: "data-item=").count - 1 == 50)
            let second = try await page(client, .get, "/memory?q=orders&status=&page=2", cookie: admin)
            #expect(second.body.contains("page 2 of 2") && second.body.components(separatedBy: "data-item=").count - 1 == 5)
        }
    }

    @Test("every memory and metrics API path refuses callers who are not signed in")
    func anonymous() async throws {
        try await TestServer.run { _, client in
            for operation in APIDescription.memory + APIDescription.metrics {
                let path = operation.path.replacingOccurrences(of: "{id}", with: "x").replacingOccurrences(of: "{category}", with: "c")
                    .replacingOccurrences(of: "{name}", with: "n")
                let response = try await client.send(HTTPRequest.Method(operation.method)!, path)
                #expect(response.status == .unauthorized, "\(operation.method) \(path): \(response.status)")
            }
        }
    }
}
