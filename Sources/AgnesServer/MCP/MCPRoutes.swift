// The MCP endpoint over Streamable HTTP, stateless — every POST carries one JSON-RPC message and gets its answer as
// JSON (`StatelessMCPEndpoint`) — at upstream's `/api/mcp/http` (and `/api/mcp/http/mcp`). A bearer token is required:
// a PAT, a session token or an MCP OAuth token; the web cookie is not accepted here, so a page elsewhere cannot make a
// signed-in browser call tools. A request without one is answered 401 with `WWW-Authenticate` naming the
// protected-resource metadata. Each request's tools are bound to its caller; tool calls are audited with the tool,
// the client's name from `initialize` and the outcome.
import AgnesAPI
import AgnesDomain
import AgnesMCP
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

struct MCPRoutes {
    let services: ServerServices
    let clientNames: MCPClientNames

    static let paths = ["/api/mcp/http", "/api/mcp/http/mcp"]
    static let resourcePath = "/api/mcp/http"

    func register(on router: Router<AgnesRequestContext>) {
        for path in Self.paths {
            router.post(RouterPath(path)) { request, context in try await handle(request, context: context) }
            router.get(RouterPath(path)) { _, _ in Self.methodNotAllowed }
            router.delete(RouterPath(path)) { _, _ in Self.methodNotAllowed }
        }
    }

    /// A stateless server opens no event stream (GET) and holds no session to end (DELETE).
    static var methodNotAllowed: Response {
        var response = ErrorBody.response(status: .methodNotAllowed, detail: "Method Not Allowed: this MCP endpoint is stateless; POST JSON-RPC messages",
                                              requestId: nil)
        response.headers[HTTPField.Name("Allow")!] = "POST"
        return response
    }

    /// The caller of an MCP request: a bearer token is required (a PAT, a session token or an MCP OAuth token; not the
    /// web cookie). Nil when there is none or it is not valid — answer `unauthorized()`.
    func authenticate(_ request: Request, _ context: inout AgnesRequestContext) async throws -> Identity? {
        do {
            guard request.headers[.authorization] != nil || services.configuration.localDevMode else { throw ServiceError.unauthorized }
            let identity = try await Authenticator(services: services).authenticate(request, clientIP: context.clientIP, allowingMCPTokens: true)
            context.identity = identity
            context.audit.attribute(toUser: identity.user.id, clientKind: "mcp")
            return identity
        } catch let error as ServiceError where error.status == .unauthorized {
            context.audit.skip()
            return nil
        }
    }

    /// Names one credential (the token, or the user's session), for the client names and the event streams it owns.
    static func credentialKey(_ identity: Identity) -> String {
        identity.tokenId.map { "\(identity.kind.rawValue):\($0)" } ?? "\(identity.kind.rawValue):\(identity.user.id)"
    }

    /// The shared tools over the domain for `caller`.
    func toolbox(for caller: Caller, identity: Identity, requestId: String) -> AgnesToolbox {
        let backend = DomainToolBackend(domain: services.domain, caller: caller, uncountedCaller: {
            Caller(identity: identity, audit: AuditNote(), requestId: requestId)
        }, serverURL: services.configuration.serverURL)
        return AgnesToolbox(backend: backend, caps: services.configuration.mcpCaps,
                            remedy: "To get the rest, narrow the query (filter, aggregate, LIMIT … OFFSET …) or fetch the slice into a "
                                + "workspace with `agnes snapshot create`.")
    }

    private func handle(_ request: Request, context: AgnesRequestContext) async throws -> Response {
        var context = context
        guard let identity = try await authenticate(request, &context) else { return Self.unauthorized(serverURL: services.configuration.serverURL) }
        let body = Data(buffer: try await request.body.collect(upTo: context.maxUploadSize))
        let message = try? JSONDecoder().decode(RPCMessage.self, from: body)
        let credential = Self.credentialKey(identity)
        if message?.method == "initialize", let name = message?.params?.clientInfo?.name { clientNames.remember(name, for: credential) }
        let clientName = identity.mcpClientName ?? clientNames.name(for: credential) ?? request.headers[.userAgent].map { String($0.prefix(100)) }
        let audit = context.audit
        switch message?.method {
        case "initialize"?: audit.record("mcp.initialize", params: ["mcp_client": clientName ?? "", "transport": "http"])
        case "tools/call"?: break
        default: audit.skip()
        }

        let toolbox = toolbox(for: try context.caller(), identity: identity, requestId: context.requestId)
        let answer = await StatelessMCPEndpoint.answer(body, protocolVersion: request.headers[Self.protocolVersionHeader], tools: toolbox.tools,
                                                       clientName: clientName) {
            ToolCallScope(toolbox: toolbox) { record in
                if audit.current.action == nil { audit.record("mcp.\(record.tool)") }
                audit.add(params: ["mcp_tool": record.tool, "mcp_client": record.client ?? "", "transport": "http",
                                   "outcome": record.failed ? "tool_error" : "success"])
                if record.readOnly { audit.markRead() }
            }
        }
        guard let json = answer.body else { return Response(status: .accepted) }
        return Response(status: HTTPResponse.Status(code: answer.status), headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }

    static let protocolVersionHeader = HTTPField.Name("MCP-Protocol-Version")!

    /// 401 as upstream answers it, pointing an OAuth client at the protected-resource metadata.
    static func unauthorized(serverURL: String) -> Response {
        var response = ErrorBody.response(status: .unauthorized, detail: "Not authenticated", requestId: nil)
        let metadata = serverURL + "/.well-known/oauth-protected-resource" + Self.resourcePath
        response.headers[HTTPField.Name("WWW-Authenticate")!] = "Bearer realm=\"Agnes MCP\", resource_metadata=\"\(metadata)\""
        return response
    }

    /// The parts of a JSON-RPC message the route reads: the method, the tool's name, the client's name.
    struct RPCMessage: Decodable {
        struct Params: Decodable {
            struct ClientInfo: Decodable { var name: String? }
            var name: String?
            var clientInfo: ClientInfo?
        }
        var method: String?
        var params: Params?
    }
}
