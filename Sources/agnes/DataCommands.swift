// `agnes pull` and `agnes query`.
import AgnesClient
import ArgumentParser
import Foundation

struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull", abstract: "Download the tables you may see into this workspace and refresh its DuckDB views.",
        discussion: """
            Only files whose sha256 changed are downloaded ($AGNES_PULL_PARALLELISM at a time, default 4); a broken
            download resumes where it stopped; every file is verified before it replaces the old one. Tables removed on
            the server disappear here; your own tables and snapshots are left alone.
            Examples: agnes pull · agnes pull --quiet · agnes pull --json · agnes pull --dry-run
            """)

    @Flag(help: "Print nothing but warnings.") var quiet = false
    @Flag(help: "Print a JSON summary.") var json = false
    @Flag(help: "Say what would be downloaded, change nothing.") var dryRun = false

    func run() async throws {
        try await reporting { try await execute() }
    }

    func execute() async throws {
        let (settings, api) = try clientSettings()
        let parallelism = Int(ProcessInfo.processInfo.environment["AGNES_PULL_PARALLELISM"] ?? "") ?? 4
        let showProgress = !quiet && !json && isatty(STDERR_FILENO) == 1
        let progress: (@Sendable (Int64, Int64, Int, Int) -> Void)? = showProgress ? { @Sendable bytes, total, done, files in
            FileHandle.standardError.write(Data(PullCommand.progressLine(bytes: bytes, total: total, done: done, files: files).utf8))
        } : nil
        let summary = try await Puller(api: api, workspace: Workspace(root: settings.workspace))
            .pull(PullOptions(parallelism: parallelism, dryRun: dryRun, progress: progress))
        for error in summary.errors { FileHandle.standardError.write(Data("warn: \(error.table): \(error.error)\n".utf8)) }
        if json { try printJSON(summary) } else if !quiet {
            if summary.upToDate {
                print("Up to date (\(summary.tablesTotal) tables).")
            } else if dryRun {
                let names = summary.tablesUpdated.joined(separator: ", ")
                print("Would update \(summary.tablesUpdated.count) and remove \(summary.tablesRemoved.count) of \(summary.tablesTotal) tables. \(names)")
            } else {
                print("Updated \(summary.tablesUpdated.count) tables (\(summary.tablesTotal) total), removed \(summary.tablesRemoved.count); "
                      + String(format: "%.1f MB in %.2f s.", Double(summary.bytesDownloaded) / 1_048_576, summary.durationSeconds))
            }
        }
        if !summary.errors.isEmpty { throw ExitCode(1) }
    }

    /// `\r 42%  12.0 of 28.5 MB` while downloading; the file count and a newline at the end.
    static func progressLine(bytes: Int64, total: Int64, done: Int, files: Int) -> String {
        let percent = total > 0 ? Int(Double(bytes) / Double(total) * 100) : 100
        let megabytes = String(format: "%.1f of %.1f MB", Double(bytes) / 1_048_576, Double(total) / 1_048_576)
        return "\r\(percent)%  \(megabytes)" + (done >= 0 ? "  \(done)/\(files) files\n" : "")
    }
}

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Run SQL on the workspace's DuckDB (read-only), or on the server with --remote.",
        discussion: """
            Examples:
              agnes query "SELECT status, count(*) FROM orders GROUP BY ALL"
              agnes query --format csv --output orders.csv "SELECT * FROM orders"
              echo "SELECT 42" | agnes query --stdin --format json
              agnes query --remote "SELECT count(*) FROM big_remote_table"
            """)

    @Argument(help: "The SQL (or use --sql / --stdin).") var positional: String?
    @Option(help: "The SQL.") var sql: String?
    @Flag(help: "Read the SQL from standard input.") var stdin = false
    @Flag(help: "Run on the server (POST /api/query) instead of locally.") var remote = false
    @Option(help: "table, csv, json or ndjson.") var format: String = "table"
    @Option(help: "Write the result to this file instead of standard output.") var output: String?
    @Option(help: "Rows at most.") var limit: Int = 1000

    func run() async throws {
        try await reporting { try await execute() }
    }

    func execute() async throws {
        guard let format = OutputFormat(rawValue: format) else {
            throw ClientError(.usage, "--format must be one of \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let text = stdin ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : (sql ?? positional)
        guard let query = text?.trimmingCharacters(in: .whitespacesAndNewlines), !query.isEmpty else {
            throw ClientError(.usage, "give the SQL as an argument, with --sql, or with --stdin")
        }
        guard limit > 0 else { throw ClientError(.usage, "--limit must be positive") }
        let (settings, api) = try clientSettings(requireToken: remote)
        let rendered: String
        var truncated = false
        if remote {
            let reply = try await api.call(.POST, "/api/query", json: ["sql": query, "limit": limit], timeout: .seconds(300))
            let result: RemoteResult
            do { result = try JSONDecoder().decode(RemoteResult.self, from: reply.body) } catch {
                throw ClientError(.server, "the server's answer is unreadable: \(error)")
            }
            truncated = result.truncated
            rendered = ResultFormatter.render(columns: result.columns, rows: result.values, format: format, width: terminalWidth())
        } else {
            let result = try LocalQuery(workspace: Workspace(root: settings.workspace)).run(query, limit: limit)
            truncated = result.truncated
            rendered = ResultFormatter.render(columns: result.columns, rows: result.rows, format: format, width: terminalWidth())
        }
        if let output {
            try Data(rendered.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } else {
            FileHandle.standardOutput.write(Data(rendered.utf8))
        }
        if truncated { FileHandle.standardError.write(Data("warn: more rows exist; only the first \(limit) are shown (--limit)\n".utf8)) }
    }

    func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 120
    }
}
