// `agnes init`: turns a folder into an analyst workspace for Claude Code — checks the token, keeps the settings,
// writes `CLAUDE.md` from the server's template, adds the pull/push hooks to `.claude/settings.json` (keeping whatever
// else is there), registers `agnes mcp` in `.mcp.json`, a notes stub, runs the first pull, and writes the
// `.claude/init-complete` sentinel last.
import AgnesCore
import Foundation

public struct WorkspaceInitializer: Sendable {
    public let api: APIClient
    public let workspace: Workspace

    /// The line upstream clients look for in `CLAUDE.md` to tell an initialized workspace.
    public static let marker = "AI Data Analyst"
    public static let pullHook = "agnes pull --quiet || true"
    public static let pushHook = "agnes push --quiet --from-hook || true"
    /// The name `agnes mcp` is registered under in `.mcp.json` (Claude Code names its tools `mcp__agnes__…`).
    public static let mcpServerName = "agnes"

    public init(api: APIClient, workspace: Workspace) {
        self.api = api
        self.workspace = workspace
    }

    /// What `init` did.
    public struct Outcome: Encodable, Sendable {
        public var workspace: String
        public var server: String
        public var email: String
        public var backup: String?
        public var pull: PullSummary?
    }

    /// Whether `agnes init` completed here before (`CLAUDE.md` with the marker, and the sentinel).
    public var isInitialized: Bool {
        guard FileManager.default.fileExists(atPath: workspace.initSentinel.path),
              let text = try? String(contentsOf: workspace.claudeFile, encoding: .utf8) else { return false }
        return text.contains(Self.marker)
    }

    /// Initializes the workspace; `save` keeps the verified server and token (called before anything is written).
    public func initialize(force: Bool, pullOptions: PullOptions, save: (String) throws -> Void) async throws -> Outcome {
        if isInitialized, !force {
            throw ClientError(.failure, "\(workspace.root.path) is already an Agnes workspace; `agnes pull` refreshes it, "
                              + "`agnes init --force` re-initializes it (CLAUDE.md is backed up first)")
        }
        let email = try await api.myEffectiveAccess().email
        try save(email)
        let content = try await api.welcome(serverURL: api.baseURL).content
        try FileManager.default.createDirectory(at: workspace.claudeDirectory, withIntermediateDirectories: true)
        let backup = try backUpInstructions()
        try ClientSettings.writeAtomically(Data(content.utf8), to: workspace.claudeFile, permissions: 0o644)
        try writeSettings()
        try writeMCPRegistration()
        if !FileManager.default.fileExists(atPath: workspace.localNotesFile.path) {
            let stub = "# My notes\n\nWhat I learned about this data that is worth keeping. `agnes push` sends this file to the server.\n"
            try ClientSettings.writeAtomically(Data(stub.utf8), to: workspace.localNotesFile, permissions: 0o644)
        }
        let summary = try await Puller(api: api, workspace: workspace).pull(pullOptions)
        let sentinel: [String: String] = ["completed_at": ISO8601DateFormatter().string(from: Date()), "agnes_version": AgnesVersion.current,
                                          "server_url": api.baseURL]
        try ClientSettings.writeAtomically(try JSONSerialization.data(withJSONObject: sentinel, options: [.sortedKeys, .prettyPrinted]),
                                           to: workspace.initSentinel, permissions: 0o644)
        return Outcome(workspace: workspace.root.path, server: api.baseURL, email: email, backup: backup?.path, pull: summary)
    }

    /// Copies an existing `CLAUDE.md` to `CLAUDE.md.bak-<UTC timestamp>`.
    func backUpInstructions() throws -> URL? {
        guard FileManager.default.fileExists(atPath: workspace.claudeFile.path) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        var backup = workspace.root.appendingPathComponent("CLAUDE.md.bak-\(formatter.string(from: Date()))")
        var counter = 1
        while FileManager.default.fileExists(atPath: backup.path) {
            counter += 1
            backup = workspace.root.appendingPathComponent("CLAUDE.md.bak-\(formatter.string(from: Date()))-\(counter)")
        }
        try FileManager.default.copyItem(at: workspace.claudeFile, to: backup)
        return backup
    }

    /// Adds the SessionStart pull and SessionEnd push hooks and read permissions to `.claude/settings.json`, replacing
    /// earlier agnes hooks and keeping everything else. An unreadable settings file is an error, not overwritten.
    func writeSettings() throws {
        var settings: [String: Any] = [:]
        if let data = try? Data(contentsOf: workspace.settingsFile) {
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ClientError(.failure, "\(workspace.settingsFile.path) is not a JSON object; fix or remove it, then run `agnes init` again")
            }
            settings = object
        }
        var hooks = settings["hooks"] as? [String: Any] ?? [:]
        for (event, command) in [("SessionStart", Self.pullHook), ("SessionEnd", Self.pushHook)] {
            var entries = (hooks[event] as? [[String: Any]] ?? []).compactMap { entry -> [String: Any]? in
                var entry = entry
                let kept = (entry["hooks"] as? [[String: Any]] ?? []).filter { hook in
                    let text = hook["command"] as? String ?? ""
                    return !(text.hasPrefix("agnes pull") || text.hasPrefix("agnes push"))
                }
                if kept.isEmpty { return nil }
                entry["hooks"] = kept
                return entry
            }
            entries.append(["hooks": [["type": "command", "command": command, "timeout": 600]]])
            hooks[event] = entries
        }
        settings["hooks"] = hooks
        var permissions = settings["permissions"] as? [String: Any] ?? [:]
        var allow = permissions["allow"] as? [String] ?? []
        for rule in ["Bash(agnes:*)", "Read", "Grep", "Glob", "mcp__\(Self.mcpServerName)"] where !allow.contains(rule) { allow.append(rule) }
        permissions["allow"] = allow
        settings["permissions"] = permissions
        // Claude Code asks before starting a project's MCP servers unless they are enabled here.
        var enabled = settings["enabledMcpjsonServers"] as? [String] ?? []
        if !enabled.contains(Self.mcpServerName) { enabled.append(Self.mcpServerName) }
        settings["enabledMcpjsonServers"] = enabled
        let data = try JSONSerialization.data(withJSONObject: settings, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        try ClientSettings.writeAtomically(data + Data("\n".utf8), to: workspace.settingsFile, permissions: 0o644)
    }

    /// Registers `agnes mcp` for Claude Code in the workspace's `.mcp.json`, keeping the other servers there. An
    /// unreadable file is an error, not overwritten.
    func writeMCPRegistration() throws {
        var registration: [String: Any] = [:]
        if let data = try? Data(contentsOf: workspace.mcpFile) {
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ClientError(.failure, "\(workspace.mcpFile.path) is not a JSON object; fix or remove it, then run `agnes init` again")
            }
            registration = object
        }
        var servers = registration["mcpServers"] as? [String: Any] ?? [:]
        servers[Self.mcpServerName] = ["type": "stdio", "command": "agnes", "args": ["mcp"]]
        registration["mcpServers"] = servers
        let data = try JSONSerialization.data(withJSONObject: registration, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        try ClientSettings.writeAtomically(data + Data("\n".utf8), to: workspace.mcpFile, permissions: 0o644)
    }
}
