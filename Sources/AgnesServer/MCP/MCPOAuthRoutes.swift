// The OAuth 2.1 endpoints of the MCP server, at upstream's paths: the protected-resource and authorization-server
// metadata under `/.well-known/…`, and `register`, `authorize`, `token` and `revoke` under the issuer
// (`/api/mcp/http/…`, also at the origin's root for clients that assume it). The consent page is a web page
// (`/api/mcp/oauth/consent`, `WebPages`). Answers and errors are OAuth's JSON; nothing secret is audited or logged.
import AgnesAPI
import AgnesDomain
import Foundation
import HTTPTypes
import Hummingbird

struct MCPOAuthRoutes {
    let services: ServerServices

    var authorization: MCPAuthorization { services.domain.mcpAuthorization }

    func register(on router: Router<AgnesRequestContext>) {
        let resource = MCPRoutes.resourcePath
        for path in ["/.well-known/oauth-protected-resource\(resource)", "/.well-known/oauth-protected-resource"] {
            router.get(RouterPath(path)) { _, context in
                context.audit.skip()
                return try Self.json(ProtectedResourceMetadata(resource: authorization.resource))
            }
        }
        for path in ["/.well-known/oauth-authorization-server\(resource)", "/.well-known/oauth-authorization-server",
                     "/.well-known/openid-configuration\(resource)", "/.well-known/openid-configuration", "\(resource)/.well-known/openid-configuration"] {
            router.get(RouterPath(path)) { _, context in
                context.audit.skip()
                return try Self.json(OAuthServerMetadata(issuer: authorization.resource))
            }
        }
        for prefix in [resource, ""] {
            router.post(RouterPath("\(prefix)/register")) { request, context in try await registerClient(request, context) }
            router.get(RouterPath("\(prefix)/authorize")) { request, context in try await authorize(request, context) }
            router.post(RouterPath("\(prefix)/token")) { request, context in try await token(request, context) }
            router.post(RouterPath("\(prefix)/revoke")) { request, context in try await revoke(request, context) }
        }
    }

    private func registerClient(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        try await services.rateLimiter.check(endpoint: "mcp.register", client: context.clientIP, limit: .perMinute(10))
        return try await answering {
            let body = try await request.body.collect(upTo: 64 << 10)
            guard let registration = try? JSONCoding.decoder.decode(OAuthRegistrationRequest.self, from: Data(buffer: body)) else {
                throw OAuthFailure("invalid_client_metadata", "the body is not a JSON client registration")
            }
            let registered = try await authorization.register(registration, clientIP: context.clientIP)
            context.audit.record("mcp.client.register", resource: "mcp_client:\(registered.clientId)",
                                 params: ["client": registered.clientName, "auth_method": registered.tokenEndpointAuthMethod])
            return try Self.json(registered, status: .created)
        }
    }

    private func authorize(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { first, _ in first })
        do {
            switch try await authorization.authorize(MCPAuthorization.AuthorizeRequest(query)) {
            case let .consent(pending):
                return Response(status: .found, headers: [.location: "/api/mcp/oauth/consent?pending=\(pending)", .cacheControl: "no-store"])
            case let .redirect(target):
                return Response(status: .found, headers: [.location: target, .cacheControl: "no-store"])
            }
        } catch let failure as OAuthFailure {
            // The client or its redirect URI is not known good: say so here rather than send the browser anywhere.
            return AuthPages.page(title: "Cannot connect this MCP client", error: failure.detail, status: .badRequest)
        }
    }

    private func token(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        try await services.rateLimiter.check(endpoint: "mcp.token", client: context.clientIP, limit: .perMinute(60))
        return try await answering {
            let form = try await request.formFields(context: context)
            let answer = try await authorization.exchange(form, basic: Self.basicCredentials(request))
            context.audit.record("mcp.oauth.token", params: ["grant_type": form["grant_type"] ?? "", "client_id": form["client_id"] ?? ""])
            return try Self.json(answer)
        }
    }

    private func revoke(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        try await answering {
            let form = try await request.formFields(context: context)
            try await authorization.revoke(form, basic: Self.basicCredentials(request))
            context.audit.record("mcp.oauth.revoke", params: ["client_id": form["client_id"] ?? ""])
            return Response(status: .ok, headers: [.cacheControl: "no-store"])
        }
    }

    /// Runs an endpoint; an `OAuthFailure` is answered as OAuth's error JSON with its status.
    private func answering(_ body: () async throws -> Response) async throws -> Response {
        do { return try await body() } catch let failure as OAuthFailure {
            var response = try Self.json(failure.body, status: HTTPResponse.Status(code: failure.status))
            if failure.status == 401 { response.headers[HTTPField.Name("WWW-Authenticate")!] = "Basic realm=\"Agnes MCP\"" }
            return response
        }
    }

    /// The client id and secret of an `Authorization: Basic …` header (RFC 6749 §2.3.1: each form-encoded).
    static func basicCredentials(_ request: Request) -> (String, String)? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
              let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        let id = String(text[..<colon]).removingPercentEncoding ?? String(text[..<colon])
        let secret = String(text[text.index(after: colon)...]).removingPercentEncoding ?? String(text[text.index(after: colon)...])
        return (id, secret)
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(data: try JSONCoding.encoder.encode(value))))
    }
}
