// `GET /api/mcp/sse` and `POST /api/mcp/messages/` (see `MCPEventStream`). The stream needs the same bearer token as
// the Streamable HTTP endpoint, and a message is accepted only from the credential that opened its stream. Each tool
// call is audited on its own when it is answered (the post that carried it was answered 202 before).
import AgnesAPI
import AgnesDomain
import AgnesMCP
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird
import MCP
import Synchronization

struct MCPEventStreamRoutes {
    let services: ServerServices
    let routes: MCPRoutes
    /// How often an idle stream carries a keep-alive comment.
    static let keepAliveInterval: Duration = .seconds(15)

    func register(on router: Router<AgnesRequestContext>) {
        router.get("/api/mcp/sse") { request, context in try await open(request, context: context) }
        // Hummingbird matches `/api/mcp/messages/` (upstream's form) here too.
        router.post("/api/mcp/messages") { request, context in try await post(request, context: context) }
    }

    private func open(_ request: Request, context: AgnesRequestContext) async throws -> Response {
        var context = context
        guard let identity = try await routes.authenticate(request, &context) else {
            return MCPRoutes.unauthorized(serverURL: services.configuration.serverURL)
        }
        context.audit.record("mcp.sse.open", params: ["transport": "sse"])
        let id = SecretComparison.randomToken(byteCount: 16)
        let transport = MCPEventStreamTransport()
        guard services.mcpEventStreams.add(MCPEventStreams.Session(transport: transport, owner: MCPRoutes.credentialKey(identity)), id: id) else {
            throw ServiceError(.serviceUnavailable, "Too many MCP event streams are open (at most 16 per credential); close one, or use /api/mcp/http")
        }
        let clientName = Mutex<String?>(identity.mcpClientName)
        let probe = routes.toolbox(for: Caller(identity: identity), identity: identity, requestId: context.requestId)
        let clientIP = context.clientIP
        let server = await AgnesMCPServer.make(tools: probe.tools, clientName: { clientName.withLock { $0 } }) {
            toolCallScope(identity: identity, clientIP: clientIP)
        }
        try await server.start(transport: transport) { info, _ in
            clientName.withLock { name in if name == nil { name = String(info.name.prefix(100)) } }
        }
        transport.emit(event: "endpoint", data: "/api/mcp/messages/?session_id=\(id)")
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store", HTTPField.Name("X-Accel-Buffering")!: "no"],
                        body: Self.events(of: transport, server: server, closing: id, in: services.mcpEventStreams))
    }

    /// The stream's body: the transport's events with a keep-alive comment when idle, until either side closes; then
    /// the session is forgotten and its server stopped.
    private static func events(of transport: MCPEventStreamTransport, server: Server, closing id: String,
                               in streams: MCPEventStreams) -> ResponseBody {
        ResponseBody { writer in
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: keepAliveInterval)
                    transport.keepAlive()
                }
            }
            do {
                for await chunk in transport.events { try await writer.write(chunk) }
                try await writer.finish(nil)
            } catch {
                // The client went away.
            }
            ticker.cancel()
            streams.remove(id)
            transport.close()
            await server.stop()
        }
    }

    /// One tool call of a stream: its own caller and audit entry, written when the call is answered.
    private func toolCallScope(identity: Identity, clientIP: String) -> ToolCallScope {
        let note = AuditNote()
        let requestId = Identifier.make()
        let toolbox = routes.toolbox(for: Caller(identity: identity, audit: note, requestId: requestId), identity: identity, requestId: requestId)
        return ToolCallScope(toolbox: toolbox) { record in
            let facts = note.current
            let params = facts.params.merging(["mcp_tool": record.tool, "mcp_client": record.client ?? "", "transport": "sse",
                                               "outcome": record.failed ? "tool_error" : "success"]) { $1 }
            services.audit.record(AuditEntry(userId: identity.user.id, action: facts.action ?? "mcp.\(record.tool)", resource: facts.resource,
                                             params: (try? JSONCoding.encoder.encode(params)).map { String(decoding: $0, as: UTF8.self) },
                                             result: "success", durationMs: record.duration.milliseconds, clientIp: clientIP, clientKind: "mcp",
                                             requestId: requestId))
        }
    }

    private func post(_ request: Request, context: AgnesRequestContext) async throws -> Response {
        var context = context
        guard let identity = try await routes.authenticate(request, &context) else {
            return MCPRoutes.unauthorized(serverURL: services.configuration.serverURL)
        }
        context.audit.skip()
        guard let id = request.uri.queryParameters.get("session_id"),
              let session = services.mcpEventStreams.session(id, owner: MCPRoutes.credentialKey(identity)) else {
            throw ServiceError.notFound("Could not find session")
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        guard (try? JSONSerialization.jsonObject(with: Data(buffer: body))) != nil else { throw ServiceError.badRequest("Could not parse message") }
        session.transport.deliver(Data(buffer: body))
        return Response(status: .accepted, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "Accepted")))
    }
}
