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

/// What one tool call runs with: the toolbox (over the caller) and what to do once it is answered.
public struct ToolCallScope: Sendable {
    public var toolbox: AgnesToolbox
    public var finish: @Sendable (ToolCallRecord) async -> Void

    public init(toolbox: AgnesToolbox, finish: @escaping @Sendable (ToolCallRecord) async -> Void) {
        self.toolbox = toolbox
        self.finish = finish
    }
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
        await make(tools: toolbox.tools, clientName: clientName) { ToolCallScope(toolbox: toolbox, finish: record) }
    }

    /// A server listing `tools` whose every call is answered in a scope of its own (a long-lived session's calls each
    /// get their own caller and audit entry).
    public static func make(tools: [Tool], clientName: @escaping @Sendable () async -> String?,
                            scope: @escaping @Sendable () -> ToolCallScope) async -> Server {
        let server = Server(name: info.name, version: info.version, title: info.title, instructions: instructions, capabilities: capabilities)
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { parameters in await call(parameters, in: scope(), client: await clientName()) }
        return server
    }

    /// Answers one `tools/call` in `scope` and tells the scope what happened.
    static func call(_ parameters: CallTool.Parameters, in scope: ToolCallScope, client: String?) async -> CallTool.Result {
        let started = ContinuousClock.now
        let (result, failed) = await ToolCallLabel.$current.withValue(ToolCallLabel(tool: parameters.name, client: client)) {
            await scope.toolbox.call(parameters.name, arguments: parameters.arguments)
        }
        // A name the client made up is recorded as `unknown`, not copied into the audit trail.
        let tool = scope.toolbox.knows(parameters.name) ? parameters.name : "unknown"
        await scope.finish(ToolCallRecord(tool: tool, client: client, failed: failed, readOnly: scope.toolbox.isReadOnly(parameters.name),
                                          duration: ContinuousClock.now - started))
        return result
    }

    static var info: Server.Info { Server.Info(name: "agnes", version: AgnesVersion.current, title: "Agnes") }
    static var capabilities: Server.Capabilities { Server.Capabilities(tools: .init(listChanged: false)) }
}
