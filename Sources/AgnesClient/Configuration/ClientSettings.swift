// Where the CLI keeps its settings and which server and token it uses, as upstream (§2.1): the config directory is
// `$AGNES_CONFIG_DIR` or `~/.config/agnes` with `config.yaml` (`server: <url>`) and `token.json` (mode 600); the server
// is `$AGNES_SERVER`, else `config.yaml`, else `http://localhost:8000`; the token is `token.json`, else `$AGNES_TOKEN`.
// The workspace is `$AGNES_LOCAL_DIR` or the current directory.
import Foundation

public struct ClientSettings: Sendable, Equatable {
    public var configDirectory: URL
    public var serverURL: String
    public var token: String?
    public var workspace: URL

    public static let defaultServer = "http://localhost:8000"

    /// Resolves everything from the environment and the config directory.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> ClientSettings {
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        let configDirectory = environment["AGNES_CONFIG_DIR"].map { URL(fileURLWithPath: $0) }
            ?? home.appendingPathComponent(".config/agnes", isDirectory: true)
        let fileServer = (try? String(contentsOf: configDirectory.appendingPathComponent("config.yaml"), encoding: .utf8)).flatMap(Self.server(inYAML:))
        let server = environment["AGNES_SERVER"] ?? fileServer ?? defaultServer
        let fileToken = (try? Data(contentsOf: configDirectory.appendingPathComponent("token.json")))
            .flatMap { try? JSONDecoder().decode(StoredToken.self, from: $0) }?.accessToken
        let workspace = environment["AGNES_LOCAL_DIR"].map { URL(fileURLWithPath: $0) } ?? currentDirectory
        return ClientSettings(configDirectory: configDirectory, serverURL: Self.trimmed(server), token: fileToken ?? environment["AGNES_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
                              workspace: workspace.standardizedFileURL)
    }

    /// `token.json`'s shape.
    struct StoredToken: Codable {
        var accessToken: String
        var email: String
        enum CodingKeys: String, CodingKey {
            case email
            case accessToken = "access_token"
        }
    }

    /// Stores the token (mode 600, written to a temporary name and renamed).
    public func saveToken(_ token: String, email: String) throws {
        try FileManager.default.createDirectory(at: configDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let data = try JSONEncoder().encode(StoredToken(accessToken: token, email: email))
        try Self.writeAtomically(data, to: configDirectory.appendingPathComponent("token.json"), permissions: 0o600)
    }

    /// Forgets the stored token; true when there was one.
    @discardableResult
    public func removeToken() throws -> Bool {
        let file = configDirectory.appendingPathComponent("token.json")
        guard FileManager.default.fileExists(atPath: file.path) else { return false }
        try FileManager.default.removeItem(at: file)
        return true
    }

    /// Stores the server URL in `config.yaml`.
    public func saveServer(_ url: String) throws {
        try FileManager.default.createDirectory(at: configDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Self.writeAtomically(Data("server: \(Self.trimmed(url))\n".utf8), to: configDirectory.appendingPathComponent("config.yaml"), permissions: 0o644)
    }

    /// The `server:` value of a one-level YAML file.
    static func server(inYAML text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("server:") {
            let value = line.dropFirst("server:".count).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            return value.isEmpty ? nil : value
        }
        return nil
    }

    static func trimmed(_ url: String) -> String {
        var url = url.trimmingCharacters(in: .whitespacesAndNewlines)
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// Writes `data` under a temporary name in the same folder, then renames it over `url`.
    static func writeAtomically(_ data: Data, to url: URL, permissions: Int) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString.prefix(8))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: permissions]) else {
            throw ClientError(.failure, "cannot write \(url.path)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw ClientError(.failure, "cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}
