// `agnes mcp`: an MCP server on standard input and output for the workspace, for agents in Claude Code, Claude Desktop
// or any MCP client. The server is the program `agnes-mcp` installed beside `agnes`, which this command becomes (exec):
// `agnes` itself does not link the MCP SDK, whose HTTP transport costs every other command about 11 ms to start.
import AgnesClient
import ArgumentParser
import Foundation

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
        try await reporting {
            _ = try clientSettings()
            let server = Self.serverProgram()
            guard FileManager.default.isExecutableFile(atPath: server.path) else {
                throw ClientError(.failure, "agnes mcp runs \(server.path), which is missing: install agnes-mcp beside agnes "
                                  + "(swift build -c release --product agnes-mcp builds it)")
            }
            // Standard input and output, the environment and the working directory pass to the server as they are.
            let arguments = [server.path]
            var pointers = arguments.map { strdup($0) } + [nil]
            execv(server.path, &pointers)
            throw ClientError(.failure, "could not start \(server.path): \(String(cString: strerror(errno)))")
        }
    }

    /// `agnes-mcp` in the folder of the running `agnes` (symbolic links resolved).
    static func serverProgram() -> URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("agnes-mcp")
    }
}
