// The MCP endpoints in the OpenAPI document: the transports (their bodies are JSON-RPC 2.0 messages), the OAuth 2.1
// endpoints and metadata, and the administrators' view of registered clients.
import AgnesAPI

extension APIDescription {
    static let jsonRPC = Schema.object(["jsonrpc": Schema.string, "id": ["type": ["string", "integer", "null"]], "method": Schema.string,
                                        "params": ["type": "object", "additionalProperties": [:]]], required: ["jsonrpc"])
    static let oauthError = Schema.of(OAuthErrorBody.self)

    static var mcp: [APIOperation] {
        var operations: [APIOperation] = []
        for path in ["/api/mcp/http", "/api/mcp/http/mcp"] {
            operations += [
                .init(method: "POST", path: path, summary: "MCP over Streamable HTTP (stateless): one JSON-RPC message, its answer as JSON", tag: "mcp",
                      access: .user, body: jsonRPC,
                      responses: [(200, "The JSON-RPC answer", jsonRPC), (202, "A notification, accepted", nil),
                                  (400, "Not one JSON-RPC message: a JSON-RPC error (parse error, invalid request)", jsonRPC),
                                  (401, "No valid bearer token; WWW-Authenticate names the OAuth metadata", Schema.ref("Error"))]),
                .init(method: "GET", path: path, summary: "Not offered: the endpoint is stateless", tag: "mcp", access: .anyone,
                      responses: [(405, "Method not allowed", Schema.ref("Error"))]),
                .init(method: "DELETE", path: path, summary: "Not offered: the endpoint holds no sessions", tag: "mcp", access: .anyone,
                      responses: [(405, "Method not allowed", Schema.ref("Error"))]),
            ]
        }
        operations += [
            .init(method: "GET", path: "/api/mcp/sse", summary: "MCP over HTTP+SSE (older clients): an event stream; its first event names the message URL",
                  tag: "mcp", access: .user, responses: [(200, "text/event-stream", nil), (401, "No valid bearer token", Schema.ref("Error"))]),
            .init(method: "POST", path: "/api/mcp/messages", summary: "A JSON-RPC message for an open event stream (`?session_id=`)", tag: "mcp",
                  access: .user, query: ["session_id"], body: jsonRPC,
                  responses: [(202, "Accepted; answered on the stream", nil), (404, "No such session of this caller", Schema.ref("Error"))]),
        ]
        let resource = "/api/mcp/http"
        for path in ["/.well-known/oauth-protected-resource\(resource)", "/.well-known/oauth-protected-resource"] {
            operations.append(.init(method: "GET", path: path, summary: "OAuth protected-resource metadata of the MCP endpoint (RFC 9728)", tag: "mcp",
                                    access: .anyone, responses: [(200, "Metadata", Schema.of(ProtectedResourceMetadata.self))]))
        }
        for path in ["/.well-known/oauth-authorization-server\(resource)", "/.well-known/oauth-authorization-server",
                     "/.well-known/openid-configuration\(resource)", "/.well-known/openid-configuration", "\(resource)/.well-known/openid-configuration"] {
            operations.append(.init(method: "GET", path: path, summary: "OAuth authorization-server metadata of the MCP endpoint (RFC 8414)", tag: "mcp",
                                    access: .anyone, responses: [(200, "Metadata", Schema.of(OAuthServerMetadata.self))]))
        }
        for prefix in [resource, ""] {
            operations += [
                .init(method: "POST", path: "\(prefix)/register", summary: "Register an MCP client (RFC 7591; scope read)", tag: "mcp", access: .anyone,
                      body: Schema.of(OAuthRegistrationRequest.self),
                      responses: [(201, "The client", Schema.of(OAuthRegistration.self)), (400, "Bad client metadata", oauthError),
                                  (429, "Rate limited", Schema.ref("Error"))]),
                .init(method: "GET", path: "\(prefix)/authorize", summary: "Start an authorization (PKCE S256 required): to the consent page", tag: "mcp",
                      access: .anyone, query: ["response_type", "client_id", "redirect_uri", "code_challenge", "code_challenge_method", "state",
                                                "scope", "resource"],
                      responses: [(302, "To the consent page, or back to the client with an error", nil), (400, "Unknown client or redirect URI", nil)]),
                .init(method: "POST", path: "\(prefix)/token", summary: "Exchange a code (with its verifier) or a refresh token for a token pair", tag: "mcp",
                      access: .anyone,
                      body: Schema.object(["grant_type": Schema.string, "code": Schema.string, "code_verifier": Schema.string, "redirect_uri": Schema.string,
                                           "refresh_token": Schema.string, "client_id": Schema.string, "client_secret": Schema.string],
                                          required: ["grant_type"]), bodyType: form,
                      responses: [(200, "The pair", Schema.of(OAuthTokenResponse.self)), (400, "invalid_grant and others", oauthError),
                                  (401, "invalid_client", oauthError)]),
                .init(method: "POST", path: "\(prefix)/revoke", summary: "Revoke the authorization a token belongs to (RFC 7009)", tag: "mcp",
                      access: .anyone,
                      body: Schema.object(["token": Schema.string, "token_type_hint": Schema.string, "client_id": Schema.string,
                                           "client_secret": Schema.string], required: ["token"]), bodyType: form,
                      responses: [(200, "Revoked (or unknown)", nil), (401, "invalid_client", oauthError)]),
            ]
        }
        operations += [
            .init(method: "GET", path: "/api/admin/mcp/clients", summary: "Registered MCP clients: who authorized them, live tokens, last use", tag: "mcp",
                  access: .admin, responses: [(200, "Clients", Schema.of([MCPClientInfo].self))]),
            .init(method: "POST", path: "/api/admin/mcp/clients/{id}/revoke", summary: "Revoke every token of an MCP client", tag: "mcp", access: .admin,
                  responses: [(200, "Revoked", Schema.of(MCPClientRevoked.self)), (404, "No such client", Schema.ref("Error"))]),
        ]
        return operations
    }
}
