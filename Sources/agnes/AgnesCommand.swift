// The `agnes` CLI executable: parses the command line and hands over to the AgnesClient library.
import AgnesAPI
import AgnesClient
import AgnesCore
import ArgumentParser
import Foundation

@main
struct AgnesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agnes",
        abstract: "The Agnes analyst CLI: pull the tables you may see, query them locally, share what you learn.",
        discussion: """
            Start with `agnes init --server-url https://agnes.example.com --token "$PAT"` (or `agnes login --server URL \
            --email you@example.com`), then `agnes catalog` and `agnes query "SELECT …"`. Shell completion:
            `agnes --generate-completion-script bash|zsh|fish`. Settings live in $AGNES_CONFIG_DIR (default ~/.config/agnes); the workspace is \
            $AGNES_LOCAL_DIR or the current directory. Exit codes: 0 ok, 1 failure, 2 usage, 3 rate-limited, \
            5 server error, 7 unreachable or not signed in, 8 forbidden or not found.
            """,
        version: AgnesVersion.current,
        subcommands: [InitCommand.self, PullCommand.self, PushCommand.self, QueryCommand.self,
                      CatalogCommand.self, SchemaCommand.self, DescribeCommand.self, SampleCommand.self, SnapshotCommand.self,
                      StatusCommand.self, DiskInfoCommand.self, DiagnoseCommand.self,
                      MemoryCommand.self, StackCommand.self, SearchCommand.self, GlossaryCommand.self, ValidateQueryCommand.self, MCPCommand.self, LoginCommand.self, LogoutCommand.self, WhoAmICommand.self, AuthCommand.self, AdminCommand.self]
    )
}

/// Runs `body`, turning a `ClientError` into its one-line message on standard error and its exit code.
func reporting<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as ClientError {
        FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
        throw ExitCode(error.code.rawValue)
    }
}

/// The settings, with the token required unless `tokenOptional`.
func clientSettings(requireToken: Bool = true) throws -> (ClientSettings, APIClient) {
    let settings = ClientSettings.load()
    if requireToken, settings.token == nil {
        throw ClientError(.unreachable, "not signed in: run `agnes login --server URL --email you@example.com` (or set AGNES_TOKEN)")
    }
    return (settings, APIClient(baseURL: settings.serverURL, token: settings.token))
}

/// The API with the stored token (admin commands get the server's 403 when it is not an administrator's).
func signedInAPI() throws -> APIClient { try clientSettings().1 }

/// Prints `value` as one line of JSON (sorted keys, ISO-8601 timestamps), as the server writes it.
func printJSON(_ value: some Encodable) throws {
    print(String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self))
}
