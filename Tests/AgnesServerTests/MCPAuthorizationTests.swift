// The rules of the MCP OAuth server that do not need a browser: which redirect URIs a client may register, the S256
// challenge (RFC 7636's own example), and registration answers for a public and a confidential client.
import AgnesAPI
@testable import AgnesDomain
import Foundation
import Testing

@Suite("MCP OAuth rules")
struct MCPAuthorizationTests {
    @Test("redirect URIs: https, loopback http and an app's scheme; never another host over http, a script or a fragment")
    func redirectURIs() throws {
        for good in ["https://claude.ai/api/mcp/auth_callback", "http://localhost:33418/callback", "http://127.0.0.1:5000/cb", "cursor://anysphere/cb"] {
            #expect(throws: Never.self, "\(good)") { try MCPAuthorization.checkRedirectURI(good) }
        }
        for bad in ["http://example.com/cb", "javascript:alert(1)", "data:text/html,x", "https://example.com/cb#frag", "/relative", "file:///etc/passwd"] {
            #expect(throws: OAuthFailure.self, "\(bad)") { try MCPAuthorization.checkRedirectURI(bad) }
        }
    }

    @Test("the S256 challenge of RFC 7636's example verifier")
    func challenge() {
        #expect(MCPAuthorization.challenge(of: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    }

    @Test("scopes: read only")
    func scopes() throws {
        try MCPAuthorization.checkScope(nil, error: "invalid_scope")
        try MCPAuthorization.checkScope("read", error: "invalid_scope")
        #expect(throws: OAuthFailure("invalid_scope", "the only scope is read")) { try MCPAuthorization.checkScope("read write", error: "invalid_scope") }
    }

    @Test("a redirect back to the client keeps its query and encodes what it adds")
    func redirectBack() {
        let target = MCPAuthorization.redirect("https://app.example/cb?x=1", ["code": "a+b/c", "state": "s t", "error": nil])
        #expect(target == "https://app.example/cb?x=1&code=a%2Bb/c&state=s%20t")
    }

    @Test("registration: a public client gets no secret, a confidential one gets it once, and only a hash is stored")
    func registration() async throws {
        try await TestServer.run { server, _ in
            let authorization = server.services.domain.mcpAuthorization
            let publicClient = try await authorization.register(OAuthRegistrationRequest(redirectURIs: ["http://localhost:9/cb"], clientName: "Desk\u{7}top"),
                                                                clientIP: "127.0.0.1")
            #expect(publicClient.clientSecret == nil && publicClient.tokenEndpointAuthMethod == "none" && publicClient.clientName == "Desktop")
            let confidential = try await authorization.register(
                OAuthRegistrationRequest(redirectURIs: ["https://app.example/cb"], tokenEndpointAuthMethod: "client_secret_post"), clientIP: "127.0.0.1")
            let secret = try #require(confidential.clientSecret)
            let stored = try #require(try await server.services.domain.mcpAuthorization.repository.client(id: confidential.clientId))
            #expect(stored.secretHash == SecretComparison.sha256Hex(secret) && stored.secretHash != secret)
            await #expect(throws: OAuthFailure.self) {
                try await authorization.register(OAuthRegistrationRequest(redirectURIs: ["https://a.example/cb"], scope: "admin"), clientIP: "x")
            }
            // The token endpoint refuses a confidential client without its secret.
            await #expect(throws: OAuthFailure("invalid_client", "client authentication failed", status: 401)) {
                try await authorization.exchange(["grant_type": "authorization_code", "client_id": confidential.clientId, "code": "x"], basic: nil)
            }
            await #expect(throws: OAuthFailure("invalid_grant", "the authorization code is unknown, expired, already used or not this client's")) {
                try await authorization.exchange(["grant_type": "authorization_code", "client_id": confidential.clientId, "code": "x",
                                                  "client_secret": secret], basic: nil)
            }
        }
    }
}
