// The Streamable HTTP transport in its stateless form, answered directly: every POST carries one JSON-RPC message and
// gets its answer as JSON (202 for a notification). Built on the SDK's message types (`Request`, `Response`,
// `Initialize`, `ListTools`, `CallTool`) without standing up an SDK `Server` and transport per request, which cost
// milliseconds of task hand-offs for each call; the long-lived transports (stdio, SSE) use the SDK's `Server`.
import Foundation
import MCP

/// Answers the messages of the stateless Streamable HTTP transport.
public enum StatelessMCPEndpoint {
    /// An answer: the HTTP status and the JSON body (nil for 202).
    public struct Answer: Sendable {
        public var status: Int
        public var body: Data?
    }

    struct Envelope: Decodable {
        var id: ID?
        var method: String?
    }

    /// Answers `body`; `scope` gives a tool call its toolbox and what to do once it is answered, `clientName` names the
    /// client. A protocol version header the server does not speak is a 400, as the specification asks.
    public static func answer(_ body: Data, protocolVersion header: String?, tools: [Tool], clientName: String?,
                              scope: @Sendable () -> ToolCallScope) async -> Answer {
        if let header, !Version.supported.contains(header) {
            return failure(nil, .invalidRequest("Unsupported MCP-Protocol-Version \(header); supported: \(Version.supported.sorted().joined(separator: ", "))"),
                           status: 400)
        }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: body) else {
            return failure(nil, .parseError("the body is not one JSON-RPC message (batches are not supported)"), status: 400)
        }
        guard let id = envelope.id, let method = envelope.method else { return Answer(status: 202, body: nil) }
        do {
            switch method {
            case Initialize.name:
                let request = try JSONDecoder().decode(Request<Initialize>.self, from: body)
                let version = Version.supported.contains(request.params.protocolVersion) ? request.params.protocolVersion : Version.latest
                return try success(Response<Initialize>(id: id, result: Initialize.Result(
                    protocolVersion: version, capabilities: AgnesMCPServer.capabilities, serverInfo: AgnesMCPServer.info,
                    instructions: AgnesMCPServer.instructions)))
            case ListTools.name:
                return try success(Response<ListTools>(id: id, result: ListTools.Result(tools: tools)))
            case CallTool.name:
                let request = try JSONDecoder().decode(Request<CallTool>.self, from: body)
                return try success(Response<CallTool>(id: id, result: await AgnesMCPServer.call(request.params, in: scope(), client: clientName)))
            case Ping.name:
                return try success(Response<Ping>(id: id, result: Empty()))
            default:
                return failure(id, .methodNotFound("Unknown method: \(method)"), status: 200)
            }
        } catch {
            return failure(id, .invalidParams("the parameters of \(method) do not decode: \(error)"), status: 200)
        }
    }

    static func success<M: MCP.Method>(_ response: Response<M>) throws -> Answer {
        Answer(status: 200, body: try JSONEncoder().encode(response))
    }

    static func failure(_ id: ID?, _ error: MCPError, status: Int) -> Answer {
        let body = id.flatMap { try? JSONEncoder().encode(Response<Ping>(id: $0, error: error)) }
            ?? Data(#"{"jsonrpc":"2.0","id":null,"error":{"code":\#(error.code),"message":\#(String(decoding: (try? JSONEncoder().encode(error.localizedDescription)) ?? Data("\"error\"".utf8), as: UTF8.self))}}"#.utf8)
        return Answer(status: status, body: body)
    }
}
