// Sign-in with Google against a local OpenID provider and Directory API (Tests/Support): the whole flow, every way an
// ID token or a callback can be wrong, key rotation, group sync (paging, a group removed in the directory, admin-made
// memberships untouched), and directory-managed groups that administrators cannot edit by hand.
import AgnesTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("sign in with Google", .serialized)
struct GoogleSignInTests {
    static let ana = TestAccount(email: "ana@example.com", subject: "1001", name: "Ana Analyst", hostedDomain: "example.com")

    /// The server's settings for `provider`, with the directory's key file in `folder`.
    func environment(_ provider: OpenIDTestProvider, folder: URL) throws -> [String: String] {
        let keyFile = folder.appendingPathComponent("directory-key.json")
        try provider.directory.keyFile(tokenURI: "\(provider.issuer)/directory-token").write(to: keyFile)
        return ["GOOGLE_CLIENT_ID": OpenIDTestProvider.clientId, "GOOGLE_CLIENT_SECRET": OpenIDTestProvider.clientSecret,
                "AGNES_GOOGLE_ISSUER": provider.issuer, "AGNES_GOOGLE_ALLOWED_DOMAINS": "example.com",
                "AGNES_GOOGLE_DIRECTORY_KEY_FILE": keyFile.path, "AGNES_GOOGLE_DIRECTORY_ADMIN": DirectoryTestServer.administrator,
                "AGNES_GOOGLE_DIRECTORY_URL": provider.issuer]
    }

    /// A sign-in as the provider's current account: login, the provider's redirect, the callback with the cookie.
    /// Returns the callback's response and the state it used.
    func signIn(_ client: LiveTestClient, _ provider: OpenIDTestProvider, tamper: ((inout String, inout String?) -> Void)? = nil)
        async throws -> (response: JSONResponse, state: String, callback: String) {
        let login = try await client.send(.get, "/auth/google/login?next=/catalog")
        #expect(login.status == .found)
        let location = try #require(login.headers[.location])
        #expect(location.hasPrefix("\(provider.issuer)/o/oauth2/v2/auth?") && location.contains("code_challenge_method=S256") && location.contains("nonce="))
        let cookie = try #require(login.headers[values: .setCookie].first { $0.hasPrefix("agnes_oidc_state=") })
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/auth/google"))
        var state: String? = String(cookie.dropFirst("agnes_oidc_state=".count).prefix { $0 != ";" })
        var back = try await provider.authorize(location)
        #expect(back.hasPrefix("http://agnes.test/auth/google/callback?"))
        tamper?(&back, &state)
        let path = String(back.dropFirst("http://agnes.test".count))
        var headers: HTTPFields = [:]
        if let state { headers[.cookie] = "agnes_oidc_state=\(state)" }
        return (try await client.send(.get, path, headers: headers), state ?? "", path)
    }

    /// Whether a sign-in as the provider's current account ends with a session.
    func signsIn(_ client: LiveTestClient, _ provider: OpenIDTestProvider) async throws -> Bool {
        session(try await signIn(client, provider).response) != nil
    }

    /// The session token a successful callback set.
    func session(_ response: JSONResponse) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix("access_token=") }.map { String($0.dropFirst("access_token=".count).prefix { $0 != ";" }) }
    }

    func withServer(_ body: @Sendable (OpenIDTestProvider, TestServer, LiveTestClient) async throws -> Void) async throws {
        let provider = try OpenIDTestProvider()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-oidc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await provider.run { provider in
            provider.add(Self.ana)
            provider.signIn(as: Self.ana.email)
            try await TestServer.run(environment: try environment(provider, folder: folder)) { server, client in
                try await body(provider, server, client)
            }
        }
    }

    @Test("a first sign-in creates the user with the directory's groups (read page by page), managed by the directory; the session works")
    func firstSignIn() async throws {
        try await withServer { provider, _, client in
            provider.directory.setGroups(of: Self.ana.email, [("sales@example.com", "Sales"), ("finance@example.com", "Finance"),
                                                              ("analysts@example.com", "Analysts")])
            let (callback, _, _) = try await signIn(client, provider)
            #expect(callback.status == .found && callback.headers[.location] == "/catalog", "\(callback.status) \(callback.text)")
            let token = try #require(session(callback))
            #expect(callback.headers[values: .setCookie].contains { $0.hasPrefix("agnes_oidc_state=;") && $0.contains("Max-Age=0") })
            #expect(provider.directory.groupRequests == 2, "three groups at two a page")
            let me = try await client.send(.get, "/api/me/effective-access", token: token)
            #expect(me.status == .ok && me.string("email") == Self.ana.email)

            let admin = try await client.adminToken()
            let groups = try await client.send(.get, "/api/admin/groups", token: admin).array
            let synced = groups.filter { $0["is_google_managed"] as? Bool == true }
            #expect(Set(synced.compactMap { $0["mapped_email"] as? String }) == ["sales@example.com", "finance@example.com", "analysts@example.com"])
            #expect(synced.allSatisfy { $0["origin"] as? String == "google_sync" && $0["member_count"] as? Int == 1 })
            let users = try await client.send(.get, "/api/users", token: admin).array
            let user = try #require(users.first { $0["email"] as? String == Self.ana.email })
            #expect(user["name"] as? String == "Ana Analyst")
            let sales = try #require(synced.first { $0["name"] as? String == "Sales" }?["id"] as? String)
            let members = try await client.send(.get, "/api/admin/groups/\(sales)/members", token: admin).array
            #expect(members.map { $0["source"] as? String } == ["google_sync"])
        }
    }

    @Test("a group removed in the directory leaves the user's memberships at the next sign-in (or scheduled sync); admin-made memberships stay")
    func groupRemoved() async throws {
        try await withServer { provider, server, client in
            provider.directory.setGroups(of: Self.ana.email, [("sales@example.com", "Sales"), ("finance@example.com", "Finance")])
            #expect(try await signsIn(client, provider))
            let admin = try await client.adminToken()
            let custom = try #require(try await client.send(.post, "/api/admin/groups", json: ["name": "Reviewers"], token: admin).string("id"))
            #expect(try await client.send(.post, "/api/admin/groups/\(custom)/members", json: ["email": Self.ana.email], token: admin).status == .created)

            provider.directory.setGroups(of: Self.ana.email, [("sales@example.com", "Sales")])
            #expect(try await signsIn(client, provider))
            let users = try await client.send(.get, "/api/users", token: admin).array
            let user = try #require(users.first { $0["email"] as? String == Self.ana.email }?["id"] as? String)
            let memberships = try await client.send(.get, "/api/admin/users/\(user)/memberships", token: admin).array
            #expect(Set(memberships.compactMap { $0["group_name"] as? String }) == ["Everyone", "Sales", "Reviewers"])
            #expect(memberships.first { $0["group_name"] as? String == "Reviewers" }?["source"] as? String == "admin")

            // The scheduled sync goes over every linked user without a sign-in.
            provider.directory.setGroups(of: Self.ana.email, [])
            let run = await server.services.domain.directoryGroupSync.syncAll()
            #expect(run.synced == 1 && run.failed == 0)
            let after = try await client.send(.get, "/api/admin/users/\(user)/memberships", token: admin).array
            #expect(Set(after.compactMap { $0["group_name"] as? String }) == ["Everyone", "Reviewers"])
        }
    }

    @Test("a directory-managed group cannot be edited by hand (409 google_managed_readonly); a linked group is filled by the sync")
    func managedGroups() async throws {
        try await withServer { provider, _, client in
            let admin = try await client.adminToken()
            // Linked before anyone signs in: the sync fills this group instead of making a new one.
            let finance = try #require(try await client.send(.post, "/api/admin/groups", json: ["name": "Finance team"], token: admin).string("id"))
            let linked = try await client.send(.patch, "/api/admin/groups/\(finance)", json: ["mapped_email": "Finance@Example.com"], token: admin)
            #expect(linked.status == .ok && linked.string("mapped_email") == "finance@example.com" && linked["is_google_managed"] as? Bool == true)
            let other = try #require(try await client.send(.post, "/api/admin/groups", json: ["name": "Other"], token: admin).string("id"))
            #expect(try await client.send(.patch, "/api/admin/groups/\(other)", json: ["mapped_email": "finance@example.com"], token: admin).status == .conflict)

            provider.directory.setGroups(of: Self.ana.email, [("finance@example.com", "Finance")])
            #expect(try await signsIn(client, provider))
            let groups = try await client.send(.get, "/api/admin/groups", token: admin).array
            #expect(groups.filter { $0["is_google_managed"] as? Bool == true }.map { $0["id"] as? String } == [finance])
            #expect(groups.first { $0["id"] as? String == finance }?["member_count"] as? Int == 1)

            let added = try await client.send(.post, "/api/admin/groups/\(finance)/members", json: ["email": TestServer.adminEmail], token: admin)
            #expect(added.status == .conflict && (added["detail"] as? [String: Any])?["code"] as? String == "google_managed_readonly")
            let renamed = try await client.send(.patch, "/api/admin/groups/\(finance)", json: ["name": "Money"], token: admin)
            #expect(renamed.status == .conflict && (renamed["detail"] as? [String: Any])?["code"] as? String == "google_managed_readonly")
            // Unlinked, it is an ordinary group again; the sync's memberships stay until the user's next sync.
            let unlinked = try await client.send(.patch, "/api/admin/groups/\(finance)", json: ["mapped_email": NSNull()], token: admin)
            #expect(unlinked.status == .ok && unlinked["is_google_managed"] as? Bool == false && unlinked["origin"] as? String == "custom")
        }
    }

    @Test("refused: a bad signature, another audience, an expired token, another issuer, an unpublished key, another domain, an unverified email")
    func refusals() async throws {
        try await withServer { provider, _, client in
            for defect in [IDTokenDefect.badSignature, .wrongAudience, .expired, .wrongIssuer, .unpublishedKey] {
                provider.setDefect(defect)
                let (response, _, _) = try await signIn(client, provider)
                #expect(response.status == .unauthorized && session(response) == nil, "\(defect): \(response.status)")
                #expect(response.text.contains("Google sign-in did not complete"), "\(defect)")
            }
            provider.setDefect(.none)
            provider.add(TestAccount(email: "eve@other.org", subject: "2002", name: "Eve", hostedDomain: "other.org"))
            provider.signIn(as: "eve@other.org")
            let foreign = try await signIn(client, provider).response
            #expect(foreign.status == .unauthorized && foreign.text.contains("not in a domain allowed"))
            provider.add(TestAccount(email: "bob@example.com", subject: "3003", name: "Bob", hostedDomain: "example.com", emailVerified: false))
            provider.signIn(as: "bob@example.com")
            #expect(try await signIn(client, provider).response.status == .unauthorized)
            let admin = try await client.adminToken()
            let emails = try await client.send(.get, "/api/users", token: admin).array.compactMap { $0["email"] as? String }
            #expect(!emails.contains("eve@other.org") && !emails.contains("bob@example.com") && !emails.contains(Self.ana.email))
        }
    }

    @Test("state: a replayed callback, a missing or different state cookie, and a provider's error are refused")
    func stateChecks() async throws {
        try await withServer { provider, _, client in
            let (first, state, callback) = try await signIn(client, provider)
            #expect(session(first) != nil)
            let replayed = try await client.send(.get, callback, headers: [.cookie: "agnes_oidc_state=\(state)"])
            #expect(replayed.status == .unauthorized && session(replayed) == nil)
            #expect(try await signIn(client, provider) { _, state in state = nil }.response.status == .unauthorized)
            #expect(try await signIn(client, provider) { _, state in state = "another-state" }.response.status == .unauthorized)
            let denied = try await signIn(client, provider) { location, _ in
                location = location.replacingOccurrences(of: "code=", with: "error=access_denied&nocode=")
            }
            #expect(denied.response.status == .unauthorized && session(denied.response) == nil)
        }
    }

    @Test("keys rotate: a token signed with a newly published key is accepted after one fetch of the keys")
    func keyRotation() async throws {
        try await withServer { provider, _, client in
            let first = try await signsIn(client, provider)
            #expect(first)
            let fetched = provider.jwksRequests
            #expect(try await signsIn(client, provider))
            #expect(provider.jwksRequests == fetched, "the keys are cached")
            provider.rotate()
            #expect(try await signsIn(client, provider))
            #expect(provider.jwksRequests == fetched + 1)
        }
    }

    @Test("an existing user with the same email is linked; a deactivated one is refused")
    func existingUsers() async throws {
        try await withServer { provider, _, client in
            let admin = try await client.adminToken()
            let created = try await client.send(.post, "/api/users", json: ["email": "Ana@Example.com", "name": "Ana (invited)"], token: admin)
            let id = try #require(created.string("id"))
            #expect(try await signsIn(client, provider))
            let users = try await client.send(.get, "/api/users", token: admin).array.filter { ($0["email"] as? String)?.lowercased() == Self.ana.email }
            #expect(users.count == 1 && users.first?["id"] as? String == id)
            #expect(try await client.send(.post, "/api/users/\(id)/deactivate", token: admin).status == .ok)
            let refused = try await signIn(client, provider).response
            #expect(refused.status == .unauthorized && refused.text.contains("deactivated"))
        }
    }

    @Test("without configuration the Google routes are 404 and the login page has no Google button")
    func notConfigured() async throws {
        try await TestServer.run { _, client in
            let login = try await client.send(.get, "/auth/google/login"), page = try await client.send(.get, "/login")
            #expect(login.status == .notFound)
            #expect(page.status == .ok && !page.text.contains("google-sign-in"))
        }
    }
}
