// Authentication over real HTTP: logins and their upstream error strings, bootstrap, session and personal access
// tokens, password setup and reset links, magic links, the scheduler token and LOCAL_DEV_MODE.
import AgnesDomain
@testable import AgnesServer
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("authentication")
struct AuthenticationTests {
    @Test("POST /auth/token signs in; an unknown email, a wrong, empty or missing password and a deactivated account get one answer")
    func tokenLogin() async throws {
        try await TestServer.run { server, client in
            let ok = try await client.send(.post, "/auth/token", json: ["email": "ADMIN@example.com", "password": TestServer.adminPassword])
            #expect(ok.status == .ok)
            #expect(ok.string("token_type") == "bearer" && ok.string("role") == "admin" && ok.string("email") == TestServer.adminEmail)
            #expect(ok.string("user_id") != nil)

            let unknown = try await client.send(.post, "/auth/token", json: ["email": "nobody@example.com", "password": "whatever1"])
            #expect(unknown.status == .unauthorized && unknown.detail == "Invalid email or password")
            let wrong = try await client.send(.post, "/auth/token", json: ["email": TestServer.adminEmail, "password": "wrong-password"])
            #expect(wrong.status == .unauthorized && wrong.detail == "Invalid email or password")
            let empty = try await client.send(.post, "/auth/token", json: ["email": TestServer.adminEmail])
            #expect(empty.status == .unauthorized && empty.detail == "Invalid email or password")

            _ = try await server.services.users.create(email: "sso@example.com")
            let external = try await client.send(.post, "/auth/token", json: ["email": "sso@example.com", "password": "whatever1"])
            #expect(external.status == .unauthorized && external.detail == "Invalid email or password")

            let json = try await client.send(.post, "/auth/password/login", json: ["email": TestServer.adminEmail, "password": "nope-nope"])
            #expect(json.status == .unauthorized && json.detail == "Invalid email or password")
        }
    }

    @Test("a malformed body is a 422 naming the field; an oversized one is a 413")
    func malformedBodies() async throws {
        try await TestServer.run { _, client in
            let missing = try await client.send(.post, "/auth/password/login", json: ["email": "a@b.c"])
            #expect(missing.status == .unprocessableContent)
            let first = (missing["detail"] as? [[String: Any]])?.first
            #expect(first?["loc"] as? [String] == ["body", "password"] && first?["type"] as? String == "missing")

            let wrongType = try await client.send(.post, "/auth/password/login", json: ["email": 42, "password": "x"])
            #expect(wrongType.status == .unprocessableContent)
            #expect(((wrongType["detail"] as? [[String: Any]])?.first?["loc"] as? [String]) == ["body", "email"])

            let broken = try await client.send(.post, "/auth/password/login", raw: "{not json")
            #expect(broken.status == .unprocessableContent)
            #expect(((broken["detail"] as? [[String: Any]])?.first?["type"] as? String) == "json_invalid")

            let huge = String(repeating: "x", count: 2 << 20)
            let tooLarge = try await client.send(.post, "/auth/password/login", raw: #"{"email":"\#(huge)","password":"x"}"#)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.detail?.contains("too large") == true, "\(tooLarge.text)")
        }
    }

    @Test("bootstrap creates the first admin once; concurrent claims yield exactly one admin; then it is closed")
    func bootstrap() async throws {
        try await TestServer.run(seedAdmin: false) { server, client in
            let weak = try await client.send(.post, "/auth/bootstrap", json: ["email": "first@example.com", "password": "short"])
            #expect(weak.status == .badRequest)
            // Six claims at once, each on its own connection (the test client carries one request at a time).
            let port = try #require(client.port)
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await TestServer.post(port: port, "/auth/bootstrap", body: Data(#"{"email":"boss\#(index)@example.com","password":"a good password"}"#.utf8))
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0 == 200 }.count == 1)
            #expect(results.filter { $0 == 403 }.count == 5, "statuses: \(results)")
            let admins = try await server.services.groups.activeAdminCount()
            #expect(admins == 1)
            let closed = try await client.send(.post, "/auth/bootstrap", json: ["email": "late@example.com", "password": "a good password"])
            #expect(closed.status == .forbidden)
            #expect(closed.detail == "Bootstrap disabled — a user with a password already exists. Use /auth/password/login.")
        }
    }

    @Test("requests without, with a bad, or with a deactivated user's token are 401 with upstream's details")
    func bearerFailures() async throws {
        try await TestServer.run { server, client in
            let none = try await client.send(.get, "/api/me/effective-access")
            #expect(none.status == .unauthorized && none.detail == "Missing or invalid Authorization header")
            let garbage = try await client.send(.get, "/api/me/effective-access", token: "not-a-jwt")
            #expect(garbage.status == .unauthorized && garbage.detail == "Invalid or expired token")

            let user = try await server.services.users.create(email: "ann@example.com", passwordHash: try await server.services.passwords.hash("ann password"))
            let token = try #require(try await client.send(.post, "/auth/token", json: ["email": "ann@example.com", "password": "ann password"])
                .string("access_token"))
            #expect(try await client.send(.get, "/api/me/effective-access", token: token).status == .ok)
            try await server.services.users.deactivate(id: user.id, by: nil)
            let deactivated = try await client.send(.get, "/api/me/effective-access", token: token)
            #expect(deactivated.status == .unauthorized && deactivated.detail == "Account deactivated")
            try await server.services.users.delete(id: user.id)
            let gone = try await client.send(.get, "/api/me/effective-access", token: token)
            #expect(gone.detail == "User not found")

            let forged = try await AccessTokens(secret: String(repeating: "k", count: 40)).issueSession(for: try #require(try await server.services.users.find(email: TestServer.adminEmail)))
            #expect(try await client.send(.get, "/api/me/effective-access", token: forged).detail == "Invalid or expired token")
            let expired = try await server.services.tokens.issueSession(for: try #require(try await server.services.users.find(email: TestServer.adminEmail)),
                                                                        now: Date().addingTimeInterval(-25 * 3600))
            #expect(try await client.send(.get, "/api/me/effective-access", token: expired).detail == "Invalid or expired token")
        }
    }

    @Test("personal access tokens: created once from a session, used, listed without the secret, revoked, expired")
    func personalAccessTokens() async throws {
        try await TestServer.run { server, client in
            let session = try await client.adminToken()
            let created = try await client.send(.post, "/auth/tokens", json: ["name": "laptop", "expires_in_days": 30], token: session)
            #expect(created.status == .created)
            let pat = try #require(created.string("token"))
            let id = try #require(created.string("id"))
            #expect(created.string("prefix") == String(id.replacingOccurrences(of: "-", with: "").prefix(8)))
            #expect(created.string("expires_at") != nil)

            let stored = try #require(try await server.services.personalAccessTokens.get(id: id))
            #expect(stored.tokenHash == SecretComparison.sha256Hex(pat) && stored.tokenHash != pat)

            let me = try await client.send(.get, "/api/me/effective-access", token: pat, headers: [HTTPField.Name("x-request-id")!: "pat-use"])
            #expect(me.status == .ok && me["is_admin"] as? Bool == true)
            let used = try #require(try await server.services.personalAccessTokens.get(id: id))
            #expect(used.lastUsedAt != nil && used.lastUsedIp != nil)

            let fromPAT = try await client.send(.post, "/auth/tokens", json: ["name": "nested"], token: pat)
            #expect(fromPAT.status == .forbidden && fromPAT.detail == "This endpoint requires an interactive session, not a PAT")
            let blank = try await client.send(.post, "/auth/tokens", json: ["name": "  "], token: session)
            #expect(blank.status == .badRequest)
            let tooLong = try await client.send(.post, "/auth/tokens", json: ["name": "x", "expires_in_days": 4000], token: session)
            #expect(tooLong.status == .badRequest)

            let list = try await client.send(.get, "/auth/tokens", token: pat)
            #expect(list.array.count == 1 && !list.text.contains(pat) && !list.text.contains(stored.tokenHash))
            let all = try await client.send(.get, "/auth/admin/tokens", token: session)
            #expect(all.array.first?["user_email"] as? String == TestServer.adminEmail && all.array.first?["last_used_ip"] as? String != nil)

            #expect(try await client.send(.delete, "/auth/tokens/\(id)", token: session).status == .noContent)
            let revoked = try await client.send(.get, "/api/me/effective-access", token: pat)
            #expect(revoked.status == .unauthorized && revoked.detail == "Token revoked")
            #expect(try await client.send(.delete, "/auth/tokens/unknown-id", token: session).detail == "Token not found")

            // A PAT whose row says it expired is refused even though its JWT carries a later exp.
            let second = try await client.send(.post, "/auth/tokens", json: ["name": "short", "ttl_seconds": 3600], token: session)
            let secondId = try #require(second.string("id"))
            try await server.services.state.write { connection in
                try connection.execute("UPDATE personal_access_tokens SET expires_at = now() - INTERVAL 1 MINUTE WHERE id = $1", secondId)
            }
            let expired = try await client.send(.get, "/api/me/effective-access", token: second.string("token"))
            #expect(expired.status == .unauthorized && expired.detail == "Token expired")
        }
    }

    @Test("only administrators create tokens without expiry")
    func noExpiry() async throws {
        try await TestServer.run { server, client in
            _ = try await server.services.users.create(email: "bo@example.com", passwordHash: try await server.services.passwords.hash("bo password"))
            let user = try #require(try await client.send(.post, "/auth/token", json: ["email": "bo@example.com", "password": "bo password"]).string("access_token"))
            let refused = try await client.send(.post, "/auth/tokens", json: ["name": "forever", "expires_in_days": NSNull()], token: user)
            #expect(refused.status == .badRequest)
            let admin = try await client.send(.post, "/auth/tokens", json: ["name": "forever", "expires_in_days": NSNull()], token: try await client.adminToken())
            #expect(admin.status == .created && admin["expires_at"] is NSNull)
        }
    }

    @Test("invitation → setup link → password set → login; a used or foreign token is refused")
    func passwordSetupFlow() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let created = try await client.send(.post, "/api/users", json: ["email": "new.person+x@example.com", "name": "New", "send_invite": true], token: admin)
            #expect(created.status == .created && created["invite_email_sent"] as? Bool == true)
            let link = try #require(server.mailer.lastLink(to: "new.person+x@example.com"))
            #expect(link.path == "/auth/password/setup" && link.host == "agnes.test")
            let token = try #require(link.queryItems?.first { $0.name == "token" }?.value)
            let email = try #require(link.queryItems?.first { $0.name == "email" }?.value)
            #expect(email == "new.person+x@example.com")

            let page = try await client.send(.get, "/auth/password/setup?\(link.percentEncodedQuery ?? "")")
            #expect(page.status == .ok && page.text.contains("name=\"token\""))

            let short = try await client.send(.post, "/auth/password/setup", json: ["email": email, "token": token, "password": "short"])
            #expect(short.status == .badRequest)
            let wrongToken = try await client.send(.post, "/auth/password/setup", json: ["email": email, "token": "nope", "password": "a fine password"])
            #expect(wrongToken.status == .badRequest && wrongToken.detail == "Invalid setup token")
            let set = try await client.send(.post, "/auth/password/setup", json: ["email": email, "token": token, "password": "a fine password"])
            #expect(set.status == .ok && set.string("access_token") != nil)
            let again = try await client.send(.post, "/auth/password/setup", json: ["email": email, "token": token, "password": "another password"])
            #expect(again.detail == "Invalid setup token")
            let login = try await client.send(.post, "/auth/password/login", json: ["email": email, "password": "a fine password"])
            #expect(login.status == .ok && login.string("role") == "user")
            let unknown = try await client.send(.post, "/auth/password/setup", json: ["email": "ghost@example.com", "token": token, "password": "a fine password"])
            #expect(unknown.status == .notFound && unknown.detail == "User not found")
        }
    }

    @Test("password reset by form: same answer for unknown emails, link sets the password and signs the browser in")
    func passwordResetFlow() async throws {
        try await TestServer.run { server, client in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let unknown = try await client.send(.post, "/auth/password/reset", raw: "email=ghost%40example.com", headers: form)
            let known = try await client.send(.post, "/auth/password/reset", raw: "email=admin%40example.com", headers: form)
            #expect(unknown.status == .ok && known.status == .ok && unknown.text == known.text)
            #expect(server.mailer.sent.count == 1)
            let link = try #require(server.mailer.lastLink(to: TestServer.adminEmail))
            #expect(link.path == "/auth/password/reset")
            let token = try #require(link.queryItems?.first { $0.name == "token" }?.value)

            let mismatch = try await client.send(.post, "/auth/password/reset/confirm",
                                                 raw: "email=admin%40example.com&token=\(token)&password=new+password+1&confirm_password=other", headers: form)
            #expect(mismatch.status == .badRequest && mismatch.text.contains("Passwords do not match"))
            let done = try await client.send(.post, "/auth/password/reset/confirm",
                                             raw: "email=admin%40example.com&token=\(token)&password=new+password+1&confirm_password=new+password+1", headers: form)
            #expect(done.status == .found && done.headers[.location] == "/")
            #expect(done.headers[.setCookie]?.contains("HttpOnly") == true && done.headers[.setCookie]?.contains("SameSite=Lax") == true)
            let login = try await client.send(.post, "/auth/password/login", json: ["email": TestServer.adminEmail, "password": "new password 1"])
            #expect(login.status == .ok)
        }
    }

    @Test("a password reset ends every earlier session and revokes the user's tokens, and says so; the new session works")
    func resetEndsSessionsAndTokens() async throws {
        try await TestServer.run { server, client in
            let users = server.services.users
            let ann = try await users.create(email: "ann@example.com", passwordHash: try await server.services.passwords.hash("ann password"))
            let session = try #require(try await client.send(.post, "/auth/token", json: ["email": "ann@example.com", "password": "ann password"])
                .string("access_token"))
            let pat = try #require(try await client.send(.post, "/auth/tokens", json: ["name": "laptop", "expires_in_days": 1], token: session)
                .string("token"))
            #expect(try await client.send(.get, "/api/me/effective-access", token: pat).status == .ok)

            _ = try await client.send(.post, "/auth/password/reset", json: ["email": "ann@example.com"])
            let link = try #require(server.mailer.lastLink(to: "ann@example.com"))
            let token = try #require(link.queryItems?.first { $0.name == "token" }?.value)
            let reset = try await client.send(.post, "/auth/password/reset/confirm", json: ["email": "ann@example.com", "token": token,
                                                                                            "password": "new ann password", "confirm_password": "new ann password"])
            #expect(reset.status == .ok && reset.string("message") == "Password reset: every other session has ended and your 1 personal access token was revoked",
                    "\(reset.text)")
            let old = try await client.send(.get, "/api/me/effective-access", token: session)
            #expect(old.status == .unauthorized && old.detail?.hasPrefix("Session ended") == true)
            let revoked = try await client.send(.get, "/api/me/effective-access", token: pat)
            #expect(revoked.status == .unauthorized && revoked.detail == "Token revoked")
            let fresh = try #require(reset.string("access_token"))
            #expect(try await client.send(.get, "/api/me/effective-access", token: fresh).status == .ok)
            #expect(try await users.get(id: ann.id)?.sessionEpoch == 1)
        }
    }

    @Test("a password change ends earlier sessions but keeps tokens; reactivating a user revives neither sessions nor tokens")
    func changeAndReactivation() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let ann = try await server.services.users.create(email: "ann@example.com", passwordHash: try await server.services.passwords.hash("ann password"))
            func signIn(_ password: String) async throws -> String {
                try #require(try await client.send(.post, "/auth/token", json: ["email": "ann@example.com", "password": password]).string("access_token"))
            }
            let before = try await signIn("ann password")
            let pat = try #require(try await client.send(.post, "/auth/tokens", json: ["name": "ci", "expires_in_days": 1], token: before).string("token"))
            #expect(try await client.send(.post, "/api/users/\(ann.id)/set-password", json: ["password": "changed password"], token: admin).status == .noContent)
            #expect(try await client.send(.get, "/api/me/effective-access", token: before).status == .unauthorized)
            #expect(try await client.send(.get, "/api/me/effective-access", token: pat).status == .ok)
            let after = try await signIn("changed password")
            #expect(try await client.send(.get, "/api/me/effective-access", token: after).status == .ok)

            // Deactivated, then reactivated: what was issued before stays dead.
            #expect(try await client.send(.post, "/api/users/\(ann.id)/deactivate", token: admin).status == .ok)
            #expect(try await client.send(.post, "/api/users/\(ann.id)/activate", token: admin).status == .ok)
            let stale = try await client.send(.get, "/api/me/effective-access", token: after)
            #expect(stale.status == .unauthorized && stale.detail?.hasPrefix("Session ended") == true)
            let stalePAT = try await client.send(.get, "/api/me/effective-access", token: pat)
            #expect(stalePAT.status == .unauthorized && stalePAT.detail == "Token revoked")
            #expect(try await client.send(.get, "/api/me/effective-access", token: try await signIn("changed password")).status == .ok)
        }
    }

    @Test("a deactivated account is refused with the same answer as a wrong password, even with the right password")
    func deactivatedLogin() async throws {
        try await TestServer.run { server, client in
            let ann = try await server.services.users.create(email: "ann@example.com", passwordHash: try await server.services.passwords.hash("ann password"))
            try await server.services.users.deactivate(id: ann.id, by: nil)
            for path in ["/auth/token", "/auth/password/login"] {
                let right = try await client.send(.post, path, json: ["email": "ann@example.com", "password": "ann password"])
                let wrong = try await client.send(.post, path, json: ["email": "ann@example.com", "password": "not ann password"])
                let unknown = try await client.send(.post, path, json: ["email": "nobody@example.com", "password": "ann password"])
                #expect(right.status == .unauthorized && right.text == wrong.text && wrong.text == unknown.text, "\(path): \(right.text)")
            }
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let web = try await client.send(.post, "/auth/password/login/web", raw: "email=ann%40example.com&password=ann+password", headers: form)
            #expect(web.headers[.location] == "/login?error=invalid")
        }
    }

    @Test("magic link: same answer for any email; the link works once — of concurrent uses exactly one gets a session")
    func magicLink() async throws {
        try await TestServer.run { server, client in
            let unknown = try await client.send(.post, "/auth/email/send-link", json: ["email": "ghost@example.com"])
            let known = try await client.send(.post, "/auth/email/send-link", json: ["email": TestServer.adminEmail])
            #expect(unknown.status == .ok && known.text == unknown.text)
            #expect(known.string("message") == "If this email is registered, you will receive a login link.")
            let link = try #require(server.mailer.lastLink(to: TestServer.adminEmail))
            let token = try #require(link.queryItems?.first { $0.name == "token" }?.value)
            // Eight uses at once, each on its own connection (the test client carries one request at a time).
            let port = try #require(client.port)
            let body = try JSONSerialization.data(withJSONObject: ["email": TestServer.adminEmail, "token": token])
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await TestServer.post(port: port, "/auth/email/verify", body: body) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 401 }.count == 7, "\(statuses)")
            let reused = try await client.send(.post, "/auth/email/verify", json: ["email": TestServer.adminEmail, "token": token])
            #expect(reused.detail == "Invalid or expired link")

            _ = try await client.send(.post, "/auth/email/send-link", json: ["email": TestServer.adminEmail])
            let browserLink = try #require(server.mailer.lastLink(to: TestServer.adminEmail))
            let browser = try await client.send(.get, "/auth/email/verify?\(browserLink.percentEncodedQuery ?? "")")
            #expect(browser.status == .found && browser.headers[.setCookie]?.hasPrefix("access_token=") == true)
        }
    }

    @Test("the web login sets the cookie and follows only same-site `next` paths; the cookie authenticates")
    func webLoginRedirects() async throws {
        try await TestServer.run { _, client in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            func login(next: String) async throws -> JSONResponse {
                let encoded = next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                return try await client.send(.post, "/auth/password/login/web",
                                             raw: "email=admin%40example.com&password=correct+horse+battery&next=\(encoded)", headers: form)
            }
            #expect(try await login(next: "/catalog?x=1").headers[.location] == "/catalog?x=1")
            for evil in ["//evil.com", "/\\evil.com", "https://evil.com", "/\t/evil.com", "evil.com"] {
                #expect(try await login(next: evil).headers[.location] == "/", "next=\(evil) must not be followed")
            }
            let ok = try await login(next: "/")
            let cookie = try #require(ok.headers[.setCookie])
            let token = String(cookie.split(separator: ";")[0].dropFirst("access_token=".count))
            let me = try await client.send(.get, "/api/me/effective-access", headers: [.cookie: "access_token=\(token)"])
            #expect(me.status == .ok)
            let bad = try await client.send(.post, "/auth/password/login/web", raw: "email=admin%40example.com&password=wrong", headers: form)
            #expect(bad.status == .found && bad.headers[.location] == "/login?error=invalid")
        }
    }

    @Test("the scheduler token is an administrator; LOCAL_DEV_MODE makes every request the dev user")
    func schedulerAndDevMode() async throws {
        let schedulerToken = String(repeating: "s", count: 40)
        try await TestServer.run(environment: ["SCHEDULER_API_TOKEN": schedulerToken]) { _, client in
            let users = try await client.send(.get, "/api/users", token: schedulerToken)
            #expect(users.status == .ok)
            let nearly = try await client.send(.get, "/api/users", token: String(schedulerToken.dropLast()) + "t")
            #expect(nearly.status == .unauthorized)
            let tokens = try await client.send(.post, "/auth/tokens", json: ["name": "x"], token: schedulerToken)
            #expect(tokens.status == .forbidden)
        }
        try await TestServer.run(environment: ["LOCAL_DEV_MODE": "true"]) { _, client in
            let me = try await client.send(.get, "/api/me/effective-access")
            #expect(me.status == .ok && me.string("email") == "dev@localhost" && me["is_admin"] as? Bool == true)
        }
    }

    @Test("argon2id hashes from upstream verify and are replaced with bcrypt at the first login")
    func argon2Migration() async throws {
        try await TestServer.run { server, client in
            // Made with libargon2's argon2id_hash_encoded and upstream's parameters (argon2-cffi defaults: t=3, m=64 MiB, p=4).
            let computed = "$argon2id$v=19$m=65536,t=3,p=4$MDEyMzQ1Njc4OWFiY2RlZg$p/2dgUitBv28jouhJ5DnAM2WvG4hhj45Bk8Z1BoTabY"
            let user = try await server.services.users.create(email: "old@example.com", passwordHash: computed)
            #expect(computed.hasPrefix("$argon2id$v=19$m=65536,t=3,p=4$"))
            #expect(PasswordHasher.verifyArgon2id("legacy password", hash: computed))
            #expect(!PasswordHasher.verifyArgon2id("legacy passwort", hash: computed))
            let wrong = try await client.send(.post, "/auth/token", json: ["email": "old@example.com", "password": "not it at all"])
            #expect(wrong.status == .unauthorized)
            let login = try await client.send(.post, "/auth/token", json: ["email": "old@example.com", "password": "legacy password"])
            #expect(login.status == .ok)
            let upgraded = try #require(try await server.services.users.get(id: user.id)?.passwordHash)
            #expect(upgraded.hasPrefix("$2"))
            #expect(try await client.send(.post, "/auth/token", json: ["email": "old@example.com", "password": "legacy password"]).status == .ok)
        }
    }
}
