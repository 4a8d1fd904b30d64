// `agnes-mcp`: the MCP server that `agnes mcp` runs (see that command's help), on standard input and output for the
// workspace in the current directory (or AGNES_LOCAL_DIR), signed in as `agnes login` or AGNES_TOKEN says. A program
// of its own so that `agnes` does not link the MCP SDK. Standard output carries only the protocol; messages go to
// standard error.
import AgnesClient
import AgnesMCP
import AgnesWorkspaceMCP
import Foundation
import MCP

/// The client's name from `initialize`.
actor ClientName {
    var name: String?
    func set(_ name: String) { self.name = name }
}

let settings = ClientSettings.load()
guard let token = settings.token else {
    FileHandle.standardError.write(Data("error: not signed in: run `agnes login --server URL --email you@example.com` (or set AGNES_TOKEN)\n".utf8))
    exit(ClientError.Code.unreachable.rawValue)
}
let tools = WorkspaceTools(backend: WorkspaceToolBackend(api: APIClient(baseURL: settings.serverURL, token: token)),
                           workspace: Workspace(root: settings.workspace),
                           caps: ToolCaps.from(environment: ProcessInfo.processInfo.environment))
let client = ClientName()
do {
    let server = await AgnesMCPServer.make(toolbox: tools.toolbox, clientName: { await client.name }) { _ in }
    try await server.start(transport: StdioTransport()) { info, _ in await client.set(info.name) }
    await server.waitUntilCompleted()
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
