// `agnes init` (make a folder an analyst workspace for Claude Code) and `agnes push` (send session transcripts and
// notes back to the server).
import AgnesClient
import ArgumentParser
import Foundation

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Make a folder an Agnes workspace: settings, CLAUDE.md, Claude Code hooks, first pull.",
        discussion: """
            Checks the token with the server, keeps the server URL and token (config.yaml, token.json mode 600), writes \
            CLAUDE.md from the server's template, adds a SessionStart `agnes pull` and a SessionEnd `agnes push` hook to \
            .claude/settings.json (other settings are kept), creates .claude/CLAUDE.local.md for your notes, and pulls. \
            An initialized workspace is left alone unless --force, which backs CLAUDE.md up to CLAUDE.md.bak-<time> first.
            Example: agnes init --server-url https://agnes.example.com --token "$AGNES_PAT" --workspace ~/analysis
            """)

    @Option(help: "The server's URL.") var serverURL: String
    @Option(help: "A personal access token (make one in the web UI or with `agnes auth token create`).") var token: String
    @Option(help: "The workspace folder (default: $AGNES_LOCAL_DIR or the current folder; created if missing).") var workspace: String?
    @Flag(help: "Re-initialize an initialized workspace (CLAUDE.md is backed up).") var force = false
    @Flag(help: "Print nothing but warnings.") var quiet = false
    @Flag(help: "Print a JSON summary.") var json = false

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        var settings = ClientSettings.load()
        settings.serverURL = ClientSettings.load(environment: ["AGNES_SERVER": serverURL]).serverURL
        let root = workspace.map { URL(fileURLWithPath: ($0 as NSString).expandingTildeInPath) } ?? settings.workspace
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let initializer = WorkspaceInitializer(api: APIClient(baseURL: settings.serverURL, token: token), workspace: Workspace(root: root))
        let parallelism = Int(ProcessInfo.processInfo.environment["AGNES_PULL_PARALLELISM"] ?? "") ?? 4
        let outcome = try await initializer.initialize(force: force, pullOptions: PullOptions(parallelism: parallelism,
                                                                                               progress: PullCommand.progressReporter(quiet: quiet || json))) { email in
            try settings.saveServer(settings.serverURL)
            try settings.saveToken(token, email: email)
        }
        for error in outcome.pull?.errors ?? [] { FileHandle.standardError.write(Data("warn: \(error.table): \(error.error)\n".utf8)) }
        if json { return try printJSON(outcome) }
        if quiet { return }
        if let backup = outcome.backup { print("Backed up the old CLAUDE.md to \(backup).") }
        print("Initialized \(outcome.workspace) for \(outcome.email) on \(outcome.server).")
        if let pull = outcome.pull { print("Pulled \(pull.tablesUpdated.count) of \(pull.tablesTotal) tables.") }
        print("Next: open Claude Code here, or try `agnes catalog` and `agnes query \"SELECT 42\"`.")
    }
}

struct PushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Send finished session transcripts and .claude/CLAUDE.local.md to the server.",
        discussion: """
            Sessions wait in .claude/agnes-sessions.txt (lines of `<session id><TAB><transcript path>`); each is sent with \
            POST /api/upload/sessions and leaves the queue once the server has it. CLAUDE.local.md is sent when it changed \
            since the last push. One push runs at a time per workspace. The SessionEnd hook that `agnes init` installs \
            runs `agnes push --quiet --from-hook`, which first queues the session Claude Code describes on standard input.
            Examples: agnes push · agnes push --dry-run · agnes push --json · agnes push --session 42 ~/.claude/projects/x/42.jsonl
            """)

    @Flag(help: "Print nothing but warnings.") var quiet = false
    @Flag(help: "Print a JSON summary.") var json = false
    @Flag(help: "Say what would be sent, send nothing.") var dryRun = false
    @Flag(help: "Read a Claude Code hook's JSON ({session_id, transcript_path}) from standard input and queue that session first.")
    var fromHook = false
    @Option(parsing: .upToNextOption, help: "Queue a session first: its id and transcript path.") var session: [String] = []

    func validate() throws {
        guard session.isEmpty || session.count == 2 else { throw ValidationError("--session takes two values: the session id and the transcript path") }
    }

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let (settings, api) = try clientSettings()
        let pusher = Pusher(api: api, workspace: Workspace(root: settings.workspace))
        if session.count == 2 { try pusher.enqueue(sessionId: session[0], transcript: session[1]) }
        if fromHook {
            let input = FileHandle.standardInput.readDataToEndOfFile()
            if let hook = try? JSONDecoder().decode(SessionHookInput.self, from: input) {
                try pusher.enqueue(sessionId: hook.sessionId, transcript: hook.transcriptPath)
            } else if !input.isEmpty {
                FileHandle.standardError.write(Data("warn: --from-hook: standard input holds no session_id and transcript_path\n".utf8))
            }
        }
        let summary = try await pusher.push(dryRun: dryRun)
        for error in summary.errors { FileHandle.standardError.write(Data("warn: \(error.item): \(error.error)\n".utf8)) }
        if json { try printJSON(summary) } else if !quiet {
            let verb = dryRun ? "Would send" : "Sent"
            print("\(verb) \(summary.sessionsUploaded.count) sessions (\(summary.sessionsPending) waiting); CLAUDE.local.md: \(summary.localNotes).")
        }
        if summary.errors.contains(where: { !summary.sessionsDropped.contains($0.item) }) { throw ExitCode(1) }
    }
}

/// What Claude Code's session hooks write on standard input (the fields `push --from-hook` reads).
struct SessionHookInput: Decodable {
    let sessionId: String
    let transcriptPath: String

    enum CodingKeys: String, CodingKey {
        case sessionId = "session_id"
        case transcriptPath = "transcript_path"
    }
}
