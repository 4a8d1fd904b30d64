// An MCP server (the SDK's `Server`) answering `tools/list` and `tools/call` from a toolbox, telling an observer of every
// call (the audit trail on the server; the server's own audit through the REST API for `agnes mcp`).
import AgnesCore
import Foundation
import MCP

/// What happened in one tool call, for the audit trail and logs.
public struct ToolCallRecord: Sendable {
    public var tool: String
    /// The client's name from `initialize` (`Claude Code`, `mcp`), when known.
    public var client: String?
    public var failed: Bool
    /// The tool only reads (its `readOnlyHint`).
    public var readOnly: Bool
    public var duration: Duration
}

/// The tool call the current task serves (for backends that label their requests with it).
public struct ToolCallLabel: Sendable {
    public var tool: String
    public var client: String?

    @TaskLocal public static var current: ToolCallLabel?
}

/// Builds MCP servers over a toolbox.
public enum AgnesMCPServer {
    /// What the server tells a client at `initialize` about how to use it.
    public static let instructions = """
        Agnes serves your organisation's tables, its metric definitions and its corporate memory, filtered to what you may \
        see. Start with `memory_rules` (rules to follow) and `catalog` (tables); `describe` a table before querying it; \
        search `knowledge_search` and `metrics_list` before inventing a definition. Aggregate on the server with `query`; \
        results are capped and say when they were cut. Share what you establish with `memory_propose`.
        """

    /// A server over `toolbox`; `clientName` names the client for `record` (from `initialize`, or what the surface knows).
    public static func make(toolbox: AgnesToolbox, clientName: @escaping @Sendable () async -> String?,
                            record: @escaping @Sendable (ToolCallRecord) async -> Void) async -> Server {
        let server = Server(name: "agnes", version: AgnesVersion.current, title: "Agnes", instructions: instructions,
                            capabilities: Server.Capabilities(tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: toolbox.tools) }
        await server.withMethodHandler(CallTool.self) { parameters in
            let started = ContinuousClock.now
            let client = await clientName()
            let (result, failed) = await ToolCallLabel.$current.withValue(ToolCallLabel(tool: parameters.name, client: client)) {
                await toolbox.call(parameters.name, arguments: parameters.arguments)
            }
            await record(ToolCallRecord(tool: parameters.name, client: client, failed: failed,
                                        readOnly: toolbox.isReadOnly(parameters.name), duration: ContinuousClock.now - started))
            return result
        }
        return server
    }
}
