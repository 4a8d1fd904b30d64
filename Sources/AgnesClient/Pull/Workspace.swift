// An analyst's workspace (upstream §2.1, per workspace here): downloaded tables in `server/parquet/` (a partitioned
// table as a folder of parts), the local DuckDB `user/duckdb/analytics.duckdb` with one view per table, snapshots in
// `user/snapshots/`, and what the last pull fetched in `.agnes/pull_state.json`.
import AgnesCore
import Foundation

public struct Workspace: Sendable, Equatable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public var parquetDirectory: URL { root.appendingPathComponent("server/parquet", isDirectory: true) }
    /// A folder per downloaded data package, of links to the files in `parquetDirectory`.
    public var packagesDirectory: URL { root.appendingPathComponent("server/packages", isDirectory: true) }
    /// A folder per downloaded memory domain, with its bundle.
    public var memoryDirectory: URL { root.appendingPathComponent(".claude/memory", isDirectory: true) }
    public var databaseFile: URL { root.appendingPathComponent("user/duckdb/analytics.duckdb") }
    public var snapshotsDirectory: URL { root.appendingPathComponent("user/snapshots", isDirectory: true) }
    public var stateFile: URL { root.appendingPathComponent(".agnes/pull_state.json") }
    /// The workspace's instructions for Claude Code (from the server's template, written by `agnes init`).
    public var claudeFile: URL { root.appendingPathComponent("CLAUDE.md") }
    public var claudeDirectory: URL { root.appendingPathComponent(".claude", isDirectory: true) }
    /// Claude Code's project settings, with the pull/push hooks.
    public var settingsFile: URL { claudeDirectory.appendingPathComponent("settings.json") }
    /// Claude Code's project MCP servers (`agnes mcp` is registered there).
    public var mcpFile: URL { root.appendingPathComponent(".mcp.json") }
    /// The user's own notes, sent by `agnes push`.
    public var localNotesFile: URL { claudeDirectory.appendingPathComponent("CLAUDE.local.md") }
    /// Sessions waiting for `agnes push`: lines of `session_id<TAB>transcript_path`.
    public var sessionQueueFile: URL { claudeDirectory.appendingPathComponent("agnes-sessions.txt") }
    /// Written last by `agnes init`: `{completed_at, agnes_version, server_url}`.
    public var initSentinel: URL { claudeDirectory.appendingPathComponent("init-complete") }
    /// The corporate-memory rules `agnes pull` writes.
    public var rulesDirectory: URL { claudeDirectory.appendingPathComponent("rules", isDirectory: true) }
    public var pushStateFile: URL { root.appendingPathComponent(".agnes/push_state.json") }
    public var pushLockFile: URL { root.appendingPathComponent(".agnes/push.lock") }

    /// The file of a table in one file.
    public func file(of table: String) -> URL { parquetDirectory.appendingPathComponent("\(table).parquet") }
    /// The folder of a partitioned table's parts.
    public func partsDirectory(of table: String) -> URL { parquetDirectory.appendingPathComponent(table, isDirectory: true) }
    /// One part of a partitioned table; the table's one file for the part `""`.
    public func file(of table: String, part: String) -> URL {
        part.isEmpty ? file(of: table) : partsDirectory(of: table).appendingPathComponent("\(part).parquet")
    }

    /// What the last pull left: the manifest's ETag and each table's files with their hashes.
    public struct PullState: Codable, Sendable, Equatable {
        public var manifestETag: String?
        /// The ETag of the last corporate-memory bundle.
        public var memoryETag: String?
        public var lastPull: Date?
        public var tables: [String: PulledTable] = [:]
        /// The typed sections as last pulled: each downloaded package's version, each domain's digest, each direct
        /// table's hash (absent before the sections existed).
        public var packages: [String: String]?
        public var memoryDomains: [String: String]?
        public var directTables: [String: String]?

        enum CodingKeys: String, CodingKey {
            case tables, packages
            case memoryDomains = "memory_domains"
            case directTables = "direct_tables"
            case manifestETag = "manifest_etag"
            case lastPull = "last_pull"
            case memoryETag = "memory_etag"
        }

        public init() {}

        /// Every pull reads this file: `last_pull` is read by hand (`UTCTimestamp`), not through the decoder's
        /// `.iso8601`, which loads ICU's time-zone data first.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            manifestETag = try container.decodeIfPresent(String.self, forKey: .manifestETag)
            memoryETag = try container.decodeIfPresent(String.self, forKey: .memoryETag)
            if let text = try? container.decodeIfPresent(String.self, forKey: .lastPull) {
                lastPull = UTCTimestamp.parse(text) ?? ISO8601DateFormatter().date(from: text)
            }
            tables = try container.decodeIfPresent([String: PulledTable].self, forKey: .tables) ?? [:]
            packages = try container.decodeIfPresent([String: String].self, forKey: .packages)
            memoryDomains = try container.decodeIfPresent([String: String].self, forKey: .memoryDomains)
            directTables = try container.decodeIfPresent([String: String].self, forKey: .directTables)
        }
    }

    public struct PulledTable: Codable, Sendable, Equatable {
        public var rows: Int64
        public var sizeBytes: Int64
        /// sha256 by part (`""` for a table in one file).
        public var files: [String: String]

        enum CodingKeys: String, CodingKey {
            case rows, files
            case sizeBytes = "size_bytes"
        }
    }

    public func loadState() -> PullState {
        guard let data = try? Data(contentsOf: stateFile) else { return PullState() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return (try? decoder.decode(PullState.self, from: data)) ?? PullState()
    }

    public func saveState(_ state: PullState) throws {
        try FileManager.default.createDirectory(at: stateFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try ClientSettings.writeAtomically(try encoder.encode(state), to: stateFile, permissions: 0o644)
    }
}
