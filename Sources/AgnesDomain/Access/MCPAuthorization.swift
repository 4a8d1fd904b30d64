// OAuth 2.1 for the MCP endpoint, as upstream offers it to desktop and hosted MCP clients: dynamic client registration
// (scope `read` only), the authorization code flow with PKCE (S256 required) through a consent page in the web UI,
// codes valid 300 s and used once, access tokens valid 8 h, refresh tokens valid 30 days and rotated on every use —
// a rotated refresh token presented again revokes its whole family — and revocation. Tokens are opaque random strings
// stored as SHA-256 hashes; they open the MCP endpoint only, with "workspace" rights (an administrator's MCP token is
// filtered by grants and access policies like an analyst's).
import AgnesAPI
import AgnesState
import Crypto
import Foundation

/// An OAuth error: its code (`invalid_grant` …), a description, and the HTTP status it is answered with.
public struct OAuthFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: String
    public var detail: String
    public var status: Int

    public init(_ code: String, _ detail: String, status: Int = 400) {
        self.code = code
        self.detail = detail
        self.status = status
    }

    public var description: String { "\(code): \(detail)" }
    public var body: OAuthErrorBody { OAuthErrorBody(error: code, errorDescription: detail) }
}

/// The MCP OAuth use cases.
public struct MCPAuthorization: Sendable {
    let domain: Domain

    public static let scope = "read"
    public static let codeLifetime: TimeInterval = 300
    public static let consentLifetime: TimeInterval = 600
    public static let accessLifetime: TimeInterval = 8 * 3600
    public static let refreshLifetime: TimeInterval = 30 * 86_400
    /// Access tokens start with this, so the authenticator can tell them from JWTs without a lookup.
    public static let accessPrefix = "agnes_mcp_at_"
    public static let refreshPrefix = "agnes_mcp_rt_"

    var repository: OAuthRepository { OAuthRepository(store: domain.state) }
    var sessions: OAuthSessions { domain.oauthSessions }

    /// The MCP endpoint's URL: the protected resource and the authorization server's issuer.
    public var resource: String { domain.settings.serverURL + "/api/mcp/http" }

    // MARK: - Registration

    /// Registers a client (RFC 7591); the secret of a confidential client is in the answer only.
    public func register(_ request: OAuthRegistrationRequest, clientIP: String, now: Date = Date()) async throws -> OAuthRegistration {
        let uris = request.redirectURIs ?? []
        guard !uris.isEmpty, uris.count <= 10 else {
            throw OAuthFailure("invalid_redirect_uri", "redirect_uris must list 1 to 10 redirect URIs")
        }
        for uri in uris { try Self.checkRedirectURI(uri) }
        let methodName = request.tokenEndpointAuthMethod ?? OAuthClientAuthMethod.none.rawValue
        guard let method = OAuthClientAuthMethod(rawValue: methodName) else {
            throw OAuthFailure("invalid_client_metadata", "token_endpoint_auth_method must be none, client_secret_post or client_secret_basic")
        }
        guard Set(request.grantTypes ?? []).isSubset(of: ["authorization_code", "refresh_token"]) else {
            throw OAuthFailure("invalid_client_metadata", "grant_types may be authorization_code and refresh_token")
        }
        guard Set(request.responseTypes ?? []).isSubset(of: ["code"]) else {
            throw OAuthFailure("invalid_client_metadata", "response_types may only be code")
        }
        try Self.checkScope(request.scope, error: "invalid_client_metadata")
        let name = String((request.clientName ?? "MCP client").unicodeScalars.filter { !$0.properties.generalCategory.isInvisible }
            .map(Character.init)).trimmingCharacters(in: .whitespaces).prefix(100)
        let secret = method == .none ? nil : SecretComparison.randomToken()
        let client = OAuthClient(id: "mcp_" + SecretComparison.randomToken(byteCount: 16), name: name.isEmpty ? "MCP client" : String(name),
                                 redirectURIs: uris, authMethod: method, secretHash: secret.map(SecretComparison.sha256Hex), registeredIP: clientIP,
                                 createdAt: now)
        try await repository.register(client)
        return OAuthRegistration(clientId: client.id, clientSecret: secret, clientIdIssuedAt: Int64(now.timeIntervalSince1970),
                                 redirectURIs: uris, clientName: client.name, tokenEndpointAuthMethod: method.rawValue, scope: Self.scope)
    }

    /// https anywhere, http only to this machine (loopback), or an app's own scheme; never a fragment or a script.
    static func checkRedirectURI(_ uri: String) throws {
        guard uri.count <= 2_000, let url = URL(string: uri), let scheme = url.scheme?.lowercased(), url.fragment == nil else {
            throw OAuthFailure("invalid_redirect_uri", "'\(uri.prefix(200))' is not an absolute URI without a fragment")
        }
        switch scheme {
        case "https": guard url.host?.isEmpty == false else { throw OAuthFailure("invalid_redirect_uri", "'\(uri.prefix(200))' has no host") }
        case "http":
            guard ["localhost", "127.0.0.1", "::1", "[::1]"].contains(url.host?.lowercased() ?? "") else {
                throw OAuthFailure("invalid_redirect_uri", "http redirect URIs must point at this machine (localhost); use https")
            }
        case "javascript", "data", "file", "vbscript", "about", "blob":
            throw OAuthFailure("invalid_redirect_uri", "the \(scheme): scheme cannot receive a redirect")
        default: break
        }
    }

    static func checkScope(_ scope: String?, error: String) throws {
        guard let scope else { return }
        let scopes = Set(scope.split(separator: " ").map(String.init))
        guard scopes.isSubset(of: [Self.scope]) else { throw OAuthFailure(error, "the only scope is \(Self.scope)") }
    }

    // MARK: - Authorization and consent

    /// The query of `GET /authorize`.
    public struct AuthorizeRequest: Sendable {
        public var responseType: String?
        public var clientId: String?
        public var redirectURI: String?
        public var codeChallenge: String?
        public var codeChallengeMethod: String?
        public var state: String?
        public var scope: String?
        public var resource: String?

        public init(_ query: [String: String]) {
            responseType = query["response_type"]
            clientId = query["client_id"]
            redirectURI = query["redirect_uri"]
            codeChallenge = query["code_challenge"]
            codeChallengeMethod = query["code_challenge_method"]
            state = query["state"]
            scope = query["scope"]
            resource = query["resource"]
        }
    }

    /// Where `GET /authorize` sends the browser.
    public enum AuthorizeOutcome: Sendable, Equatable {
        /// To the consent page for the pending request `pendingId`.
        case consent(pendingId: String)
        /// Back to the client with an error (the redirect URI is known and registered).
        case redirect(String)
    }

    /// Checks an authorization request. Until the client and its redirect URI are known good, a failure is thrown (the
    /// browser is shown it); after, it goes back to the client as `error=…`.
    public func authorize(_ request: AuthorizeRequest, now: Date = Date()) async throws -> AuthorizeOutcome {
        guard let clientId = request.clientId, let client = try await repository.client(id: clientId), client.revokedAt == nil else {
            throw OAuthFailure("invalid_client", "This MCP client is not registered here (or was revoked); connect it again from the client")
        }
        let redirect: String
        if let given = request.redirectURI {
            guard client.redirectURIs.contains(given) else { throw OAuthFailure("invalid_request", "redirect_uri is not one this client registered") }
            redirect = given
        } else if client.redirectURIs.count == 1 {
            redirect = client.redirectURIs[0]
        } else {
            throw OAuthFailure("invalid_request", "redirect_uri is required: this client registered several")
        }
        func back(_ code: String, _ detail: String) -> AuthorizeOutcome {
            .redirect(Self.redirect(redirect, ["error": code, "error_description": detail, "state": request.state]))
        }
        guard request.responseType == "code" else { return back("unsupported_response_type", "response_type must be code") }
        guard let challenge = request.codeChallenge, challenge.count >= 43, challenge.count <= 128,
              request.codeChallengeMethod == "S256" else {
            return back("invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256")
        }
        do { try Self.checkScope(request.scope, error: "invalid_scope") } catch let failure as OAuthFailure { return back(failure.code, failure.detail) }
        if let resource = request.resource, resource.trimmingCharacters(in: ["/"]) != self.resource {
            return back("invalid_target", "resource must be \(self.resource)")
        }
        let id = SecretComparison.randomToken()
        sessions.add(pending: OAuthSessions.Pending(clientId: client.id, clientName: client.name, redirectURI: redirect, codeChallenge: challenge,
                                                    state: request.state, scope: Self.scope),
                     id: id, expiresAt: now.addingTimeInterval(Self.consentLifetime), now: now)
        return .consent(pendingId: id)
    }

    /// The pending request the consent page shows (404 when it expired or was answered).
    public func pending(_ id: String) throws -> OAuthSessions.Pending {
        guard let pending = sessions.pending(id) else {
            throw ServiceError.notFound("This authorization request has expired or was answered; start again from your MCP client")
        }
        return pending
    }

    /// The signed-in user's answer: where to send the browser (the client's redirect URI with a code, or with
    /// `error=access_denied`).
    public func decide(_ id: String, approve: Bool, for caller: Caller, now: Date = Date()) throws -> String {
        guard let pending = sessions.takePending(id, now: now) else {
            throw ServiceError.notFound("This authorization request has expired or was answered; start again from your MCP client")
        }
        caller.audit.record(approve ? "mcp.oauth.approve" : "mcp.oauth.deny", resource: "mcp_client:\(pending.clientId)",
                            params: ["client": pending.clientName])
        guard approve else {
            return Self.redirect(pending.redirectURI, ["error": "access_denied", "error_description": "the user declined", "state": pending.state])
        }
        let code = SecretComparison.randomToken()
        sessions.add(code: OAuthSessions.Code(clientId: pending.clientId, userId: caller.identity.user.id, redirectURI: pending.redirectURI,
                                              codeChallenge: pending.codeChallenge, scope: pending.scope),
                     hash: SecretComparison.sha256Hex(code), expiresAt: now.addingTimeInterval(Self.codeLifetime), now: now)
        return Self.redirect(pending.redirectURI, ["code": code, "state": pending.state])
    }

    static func redirect(_ uri: String, _ parameters: [String: String?]) -> String {
        guard var components = URLComponents(string: uri) else { return uri }
        var items = components.queryItems ?? []
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            if let value { items.append(URLQueryItem(name: name, value: value)) }
        }
        components.queryItems = items
        // `+` is a space to form decoders: encode it.
        let query = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components.percentEncodedQuery = query
        return components.string ?? uri
    }

    // MARK: - Tokens

    /// `POST /token`: an authorization code (with its PKCE verifier) or a refresh token for a new pair.
    public func exchange(_ form: [String: String], basic: (String, String)?, now: Date = Date()) async throws -> OAuthTokenResponse {
        let client = try await authenticatedClient(form, basic: basic)
        switch form["grant_type"] {
        case "authorization_code"?:
            guard let code = form["code"], let grant = sessions.takeCode(SecretComparison.sha256Hex(code), now: now), grant.clientId == client.id else {
                throw OAuthFailure("invalid_grant", "the authorization code is unknown, expired, already used or not this client's")
            }
            if let redirect = form["redirect_uri"], redirect != grant.redirectURI {
                throw OAuthFailure("invalid_grant", "redirect_uri differs from the authorization request's")
            }
            guard let verifier = form["code_verifier"], (43...128).contains(verifier.count),
                  SecretComparison.equal(Self.challenge(of: verifier), grant.codeChallenge) else {
                throw OAuthFailure("invalid_grant", "code_verifier does not match the code_challenge")
            }
            try await requireActiveUser(grant.userId)
            return try await issue(client: client, userId: grant.userId, family: Identifier.make(), scope: grant.scope, now: now, replacing: nil)
        case "refresh_token"?:
            guard let refresh = form["refresh_token"], let token = try await repository.token(refreshHash: SecretComparison.sha256Hex(refresh)),
                  token.clientId == client.id, token.revokedAt == nil, token.refreshExpiresAt > now else {
                throw OAuthFailure("invalid_grant", "the refresh token is unknown, expired, revoked or not this client's")
            }
            if token.rotatedAt != nil {
                // Used before: whoever holds the newer pair may not be the client. End the whole authorization.
                try await repository.revokeFamily(token.familyId, at: now)
                throw OAuthFailure("invalid_grant", "the refresh token was already used; the authorization is revoked: connect again")
            }
            try await requireActiveUser(token.userId)
            return try await issue(client: client, userId: token.userId, family: token.familyId, scope: token.scope, now: now, replacing: token)
        default:
            throw OAuthFailure("unsupported_grant_type", "grant_type must be authorization_code or refresh_token")
        }
    }

    /// `POST /revoke` (RFC 7009): ends the authorization an access or refresh token belongs to; unknown tokens are fine.
    public func revoke(_ form: [String: String], basic: (String, String)?) async throws {
        let client = try await authenticatedClient(form, basic: basic)
        guard let token = form["token"] else { throw OAuthFailure("invalid_request", "token is required") }
        let hash = SecretComparison.sha256Hex(token)
        let found = token.hasPrefix(Self.refreshPrefix) ? try await repository.token(refreshHash: hash) : try await repository.token(accessHash: hash)
        if let found, found.clientId == client.id { try await repository.revokeFamily(found.familyId) }
    }

    /// The token pair and client an access token stands for, if it is valid now (for the MCP endpoint's authenticator).
    public func grant(ofAccessToken token: String, now: Date = Date()) async throws -> (token: OAuthToken, client: OAuthClient)? {
        guard token.hasPrefix(Self.accessPrefix), let stored = try await repository.token(accessHash: SecretComparison.sha256Hex(token)),
              stored.revokedAt == nil, stored.accessExpiresAt > now,
              let client = try await repository.client(id: stored.clientId), client.revokedAt == nil else { return nil }
        return (stored, client)
    }

    /// Records that a token was used (the administrators' "last used").
    public func recordUse(of token: OAuthToken, at date: Date = Date()) async throws {
        try await repository.recordUse(id: token.id, at: date)
    }

    private func issue(client: OAuthClient, userId: String, family: String, scope: String, now: Date, replacing old: OAuthToken?) async throws
        -> OAuthTokenResponse {
        let access = Self.accessPrefix + SecretComparison.randomToken(), refresh = Self.refreshPrefix + SecretComparison.randomToken()
        let token = OAuthToken(id: Identifier.make(), clientId: client.id, userId: userId, familyId: family,
                               accessHash: SecretComparison.sha256Hex(access), refreshHash: SecretComparison.sha256Hex(refresh), scope: scope,
                               createdAt: now, accessExpiresAt: now.addingTimeInterval(Self.accessLifetime),
                               refreshExpiresAt: now.addingTimeInterval(Self.refreshLifetime))
        if let old {
            guard try await repository.rotate(old, to: token, at: now) else {
                throw OAuthFailure("invalid_grant", "the refresh token was used meanwhile")
            }
        } else {
            try await repository.issue(token)
        }
        return OAuthTokenResponse(accessToken: access, expiresIn: Int(Self.accessLifetime), refreshToken: refresh, scope: scope)
    }

    /// The client the request authenticates as: its id (form or Basic), and its secret unless it is public.
    private func authenticatedClient(_ form: [String: String], basic: (String, String)?) async throws -> OAuthClient {
        guard let id = basic?.0 ?? form["client_id"], let client = try await repository.client(id: id), client.revokedAt == nil else {
            throw OAuthFailure("invalid_client", "unknown or revoked client", status: 401)
        }
        if client.authMethod != .none {
            guard let secret = basic?.1 ?? form["client_secret"], let hash = client.secretHash,
                  SecretComparison.equal(SecretComparison.sha256Hex(secret), hash) else {
                throw OAuthFailure("invalid_client", "client authentication failed", status: 401)
            }
        }
        return client
    }

    private func requireActiveUser(_ userId: String) async throws {
        guard let user = try await UsersRepository(store: domain.state).get(id: userId), user.active else {
            throw OAuthFailure("invalid_grant", "the user who authorized this client is deactivated")
        }
    }

    /// The S256 code challenge of a verifier.
    static func challenge(of verifier: String) -> String { PKCE.challenge(of: verifier) }

    // MARK: - Administration

    /// Every registered client with who authorized it and its last use (administrators).
    public func clients(for caller: Caller) async throws -> [MCPClientInfo] {
        try caller.requireAdmin()
        return try await repository.usage().map { usage in
            MCPClientInfo(clientId: usage.client.id, name: usage.client.name, redirectURIs: usage.client.redirectURIs,
                          registeredAt: usage.client.createdAt, registeredFrom: usage.client.registeredIP, users: usage.users,
                          activeTokens: usage.activeTokens, lastUsedAt: usage.lastUsedAt, revoked: usage.client.revokedAt != nil)
        }
    }

    /// Revokes every token of a client (administrators); its users must authorize it again.
    public func revokeClient(_ id: String, for caller: Caller) async throws -> MCPClientRevoked {
        try caller.requireAdmin()
        caller.audit.record("mcp.client.revoke", resource: "mcp_client:\(id)")
        do {
            return MCPClientRevoked(clientId: id, tokensRevoked: try await repository.revokeClient(id))
        } catch StateError.notFound {
            throw ServiceError.notFound("MCP client '\(id)' not found")
        }
    }
}

private extension Unicode.GeneralCategory {
    var isInvisible: Bool { self == .control || self == .format || self == .lineSeparator || self == .paragraphSeparator }
}
