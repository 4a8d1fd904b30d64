// The OAuth 2.1 wire shapes of the MCP endpoint (RFC 7591 registration, RFC 6749 token answers and errors, RFC 8414
// and RFC 9728 metadata), and what administrators see of registered MCP clients.
import Foundation

/// `POST /register`: a client registering itself.
public struct OAuthRegistrationRequest: Codable, Sendable, Equatable {
    public var redirectURIs: [String]?
    public var clientName: String?
    public var tokenEndpointAuthMethod: String?
    public var grantTypes: [String]?
    public var responseTypes: [String]?
    public var scope: String?

    public init(redirectURIs: [String]?, clientName: String? = nil, tokenEndpointAuthMethod: String? = nil, grantTypes: [String]? = nil,
                responseTypes: [String]? = nil, scope: String? = nil) {
        self.redirectURIs = redirectURIs
        self.clientName = clientName
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        self.grantTypes = grantTypes
        self.responseTypes = responseTypes
        self.scope = scope
    }

    enum CodingKeys: String, CodingKey {
        case scope
        case redirectURIs = "redirect_uris"
        case clientName = "client_name"
        case tokenEndpointAuthMethod = "token_endpoint_auth_method"
        case grantTypes = "grant_types"
        case responseTypes = "response_types"
    }
}

/// The answer to a registration (201): the client's id and, for a confidential client, its secret (shown once).
public struct OAuthRegistration: Codable, Sendable, Equatable {
    public var clientId: String
    public var clientSecret: String?
    public var clientIdIssuedAt: Int64
    public var clientSecretExpiresAt: Int64?
    public var redirectURIs: [String]
    public var clientName: String
    public var tokenEndpointAuthMethod: String
    public var grantTypes: [String]
    public var responseTypes: [String]
    public var scope: String

    public init(clientId: String, clientSecret: String?, clientIdIssuedAt: Int64, redirectURIs: [String], clientName: String,
                tokenEndpointAuthMethod: String, scope: String) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.clientIdIssuedAt = clientIdIssuedAt
        clientSecretExpiresAt = clientSecret == nil ? nil : 0
        self.redirectURIs = redirectURIs
        self.clientName = clientName
        self.tokenEndpointAuthMethod = tokenEndpointAuthMethod
        grantTypes = ["authorization_code", "refresh_token"]
        responseTypes = ["code"]
        self.scope = scope
    }

    enum CodingKeys: String, CodingKey {
        case scope
        case clientId = "client_id"
        case clientSecret = "client_secret"
        case clientIdIssuedAt = "client_id_issued_at"
        case clientSecretExpiresAt = "client_secret_expires_at"
        case redirectURIs = "redirect_uris"
        case clientName = "client_name"
        case tokenEndpointAuthMethod = "token_endpoint_auth_method"
        case grantTypes = "grant_types"
        case responseTypes = "response_types"
    }
}

/// `POST /token`'s answer.
public struct OAuthTokenResponse: Codable, Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public var refreshToken: String
    public var scope: String

    public init(accessToken: String, expiresIn: Int, refreshToken: String, scope: String) {
        self.accessToken = accessToken
        tokenType = "Bearer"
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
        self.scope = scope
    }

    enum CodingKeys: String, CodingKey {
        case scope
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
    }
}

/// An OAuth error answer (`{"error": "invalid_grant", "error_description": …}`).
public struct OAuthErrorBody: Codable, Sendable, Equatable {
    public var error: String
    public var errorDescription: String

    public init(error: String, errorDescription: String) {
        self.error = error
        self.errorDescription = errorDescription
    }

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }
}

/// RFC 8414 authorization-server metadata (also served as an OpenID configuration).
public struct OAuthServerMetadata: Codable, Sendable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var registrationEndpoint: String
    public var revocationEndpoint: String
    public var scopesSupported = ["read"]
    public var responseTypesSupported = ["code"]
    public var grantTypesSupported = ["authorization_code", "refresh_token"]
    public var tokenEndpointAuthMethodsSupported = ["none", "client_secret_post", "client_secret_basic"]
    public var revocationEndpointAuthMethodsSupported = ["none", "client_secret_post", "client_secret_basic"]
    public var codeChallengeMethodsSupported = ["S256"]

    /// The metadata of the authorization server whose issuer is `issuer` (`<base>/api/mcp/http`).
    public init(issuer: String) {
        self.issuer = issuer
        authorizationEndpoint = issuer + "/authorize"
        tokenEndpoint = issuer + "/token"
        registrationEndpoint = issuer + "/register"
        revocationEndpoint = issuer + "/revoke"
    }

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case registrationEndpoint = "registration_endpoint"
        case revocationEndpoint = "revocation_endpoint"
        case scopesSupported = "scopes_supported"
        case responseTypesSupported = "response_types_supported"
        case grantTypesSupported = "grant_types_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case revocationEndpointAuthMethodsSupported = "revocation_endpoint_auth_methods_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
    }
}

/// RFC 9728 protected-resource metadata of the MCP endpoint.
public struct ProtectedResourceMetadata: Codable, Sendable, Equatable {
    public var resource: String
    public var authorizationServers: [String]
    public var scopesSupported = ["read"]
    public var bearerMethodsSupported = ["header"]
    public var resourceName = "Agnes MCP"

    public init(resource: String) {
        self.resource = resource
        authorizationServers = [resource]
    }

    enum CodingKeys: String, CodingKey {
        case resource
        case authorizationServers = "authorization_servers"
        case scopesSupported = "scopes_supported"
        case bearerMethodsSupported = "bearer_methods_supported"
        case resourceName = "resource_name"
    }
}

/// A registered MCP client as administrators see it: who authorized it and when it was last used.
public struct MCPClientInfo: Codable, Sendable, Equatable {
    public var clientId: String
    public var name: String
    public var redirectURIs: [String]
    public var registeredAt: Date
    public var registeredFrom: String?
    public var users: [String]
    public var activeTokens: Int
    public var lastUsedAt: Date?
    public var revoked: Bool

    public init(clientId: String, name: String, redirectURIs: [String], registeredAt: Date, registeredFrom: String?, users: [String],
                activeTokens: Int, lastUsedAt: Date?, revoked: Bool) {
        self.clientId = clientId
        self.name = name
        self.redirectURIs = redirectURIs
        self.registeredAt = registeredAt
        self.registeredFrom = registeredFrom
        self.users = users
        self.activeTokens = activeTokens
        self.lastUsedAt = lastUsedAt
        self.revoked = revoked
    }

    enum CodingKeys: String, CodingKey {
        case name, users, revoked
        case clientId = "client_id"
        case redirectURIs = "redirect_uris"
        case registeredAt = "registered_at"
        case registeredFrom = "registered_from"
        case activeTokens = "active_tokens"
        case lastUsedAt = "last_used_at"
    }
}

/// The answer to revoking a client's tokens.
public struct MCPClientRevoked: Codable, Sendable, Equatable {
    public var clientId: String
    public var tokensRevoked: Int

    public init(clientId: String, tokensRevoked: Int) {
        self.clientId = clientId
        self.tokensRevoked = tokensRevoked
    }

    enum CodingKeys: String, CodingKey {
        case clientId = "client_id"
        case tokensRevoked = "tokens_revoked"
    }
}
