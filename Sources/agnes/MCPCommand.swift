// `agnes mcp`: an MCP server on standard input and output for the workspace, for agents in Claude Code, Claude Desktop
// or any MCP client. Standard output carries only the protocol; messages go to standard error.
import AgnesClient
import AgnesMCP
import ArgumentParser
import Foundation
import MCP

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp", abstract: "Serve this workspace's tools to an AI agent over MCP (stdio).",
        discussion: """
            Starts a Model Context Protocol server on standard input and output, for the workspace in the current \
            directory (or AGNES_LOCAL_DIR), signed in as `agnes login` or AGNES_TOKEN says. Tools: server_info, catalog, \
            schema, describe, query (on the server), query_local (on the workspace's DuckDB), pull, knowledge_search, \
            snapshot_estimate, snapshot_create, metrics_list, metric_get, memory_rules and memory_propose. The server \
            applies your grants, access policies and caps to every call, and audits each with the tool and the client's name.

            Results are capped: AGNES_MCP_MAX_ROWS (default 10000) rows and AGNES_MCP_MAX_OUTPUT_CHARS (default 100000) \
            characters; a cut result says so and gives the full row count.

            `agnes init` registers this server for Claude Code in .mcp.json. For another client, run it as the command \
            `agnes mcp` in the workspace's directory. See docs/mcp.md.
            """)

    func run() async throws {
        try await reporting { try await serve() }
    }

    func serve() async throws {
        let (settings, api) = try clientSettings()
        let tools = WorkspaceTools(backend: WorkspaceToolBackend(api: api), workspace: Workspace(root: settings.workspace),
                                   caps: ToolCaps.from(environment: ProcessInfo.processInfo.environment))
        let client = ClientName()
        let server = await AgnesMCPServer.make(toolbox: tools.toolbox, clientName: { await client.name }) { _ in }
        try await server.start(transport: StdioTransport()) { info, _ in await client.set(info.name) }
        await server.waitUntilCompleted()
    }
}

/// The client's name from `initialize`.
private actor ClientName {
    var name: String?
    func set(_ name: String) { self.name = name }
}
