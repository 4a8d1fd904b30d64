// `agnes pull` and `agnes query`.
import AgnesAPI
import AgnesClient
import ArgumentParser
import Foundation

struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull", abstract: "Download the tables you may see into this workspace and refresh its DuckDB views.",
        discussion: """
            Only files whose sha256 changed are downloaded ($AGNES_PULL_PARALLELISM at a time, default 4); a broken \
            download resumes where it stopped; every file is verified before it replaces the old one. Tables removed on \
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
        let summary = try await Puller(api: api, workspace: Workspace(root: settings.workspace))
            .pull(PullOptions(parallelism: parallelism, dryRun: dryRun, progress: Self.progressReporter(quiet: quiet || json)))
        for error in summary.errors { FileHandle.standardError.write(Data("warn: \(error.table): \(error.error)\n".utf8)) }
        for warning in summary.warnings { FileHandle.standardError.write(Data("warn: \(warning)\n".utf8)) }
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
            for (key, label) in [("data_packages", "Data packages"), ("direct_tables", "Direct tables"), ("memory_domains", "Memory domains")] {
                guard let changes = summary.sections?[key], !changes.isEmpty else { continue }
                print("\(label): \(changes.added.count) added, \(changes.updated.count) updated, \(changes.removed.count) removed.")
            }
            if let rules = summary.rulesCount { print("Rules: \(rules) (.claude/rules/).") }
        }
        if !summary.errors.isEmpty { throw ExitCode(1) }
    }

    /// Progress on standard error when it is a terminal: a line per finished file, and a running total with the
    /// rate and the time left. `NO_COLOR` has nothing to turn off here (no colors are used).
    static func progressReporter(quiet: Bool) -> (@Sendable (PullProgress) -> Void)? {
        guard !quiet, isatty(STDERR_FILENO) == 1 else { return nil }
        let started = Date()
        return { progress in
            FileHandle.standardError.write(Data(progressText(progress, elapsed: Date().timeIntervalSince(started)).utf8))
        }
    }

    /// `\r  42%  12.0 of 28.5 MB  3.1 MB/s  ETA 5s  3/10 files`, preceded by `✓ orders (12.0 MB)` lines as files finish.
    static func progressText(_ progress: PullProgress, elapsed: TimeInterval) -> String {
        let clear = "\r\u{1B}[2K"
        var text = ""
        if let (name, bytes) = progress.finished {
            text += clear + "✓ \(name) (\(megabytes(bytes)))\n"
        }
        let percent = progress.totalBytes > 0 ? Int(Double(progress.bytes) / Double(progress.totalBytes) * 100) : 100
        let rate = elapsed > 0.05 ? Double(progress.bytes) / elapsed : 0
        let remaining = rate > 0 ? Double(max(progress.totalBytes - progress.bytes, 0)) / rate : nil
        text += clear + "\(percent)%  \(megabytes(progress.bytes)) of \(megabytes(progress.totalBytes))"
            + String(format: "  %.1f MB/s", rate / 1_048_576)
            + (progress.isFinal ? "" : "  ETA " + (remaining.map { duration($0) } ?? "?"))
            + "  \(progress.filesDone)/\(progress.files) files"
        return text + (progress.isFinal ? "\n" : "")
    }

    /// `5s`, `3m 20s`, `1h 05m`.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m \(String(format: "%02d", whole % 60))s" }
        return "\(whole / 3600)h \(String(format: "%02d", whole % 3600 / 60))m"
    }
}

struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Run SQL on the workspace's DuckDB (read-only), or on the server.",
        discussion: """
            Where it runs (--scope): auto (the default) runs locally and goes to the server only when there is no local \
            database yet or the query names a table that is not local, saying so on stderr ([scope] …); any other local \
            error is reported without asking the server. local runs only locally, server (or --remote) only on the server. \
            On the server, tables with an access policy show only your rows and columns; the note saying so goes to stderr.

            The server refuses a query whose remote tables hold more than its scan limit (remote_scan_too_large, with \
            the tables to snapshot). With --auto-snapshot each of those tables is snapshotted whole instead \
            (auto_<hash>, reused for 24 hours), the query is pointed at the snapshots and runs locally; each step is \
            reported on stderr ([auto-snapshot] …).

            Examples:
              agnes query "SELECT status, count(*) FROM orders GROUP BY ALL"
              agnes query --format csv --output orders.csv "SELECT * FROM orders"
              echo "SELECT 42" | agnes query --stdin --format json
              agnes query --remote "SELECT count(*) FROM big_remote_table"
              agnes query --remote --auto-snapshot "SELECT region, count(*) FROM big_remote_table GROUP BY 1"
              agnes query --format parquet --output big_orders.parquet "SELECT * FROM orders WHERE amount > 100"
            """)

    @Argument(help: "The SQL (or use --sql / --stdin).") var positional: String?
    @Option(help: "The SQL.") var sql: String?
    @Flag(help: "Read the SQL from standard input.") var stdin = false
    @Option(help: "auto, local or server (default auto).") var scope: String?
    @Flag(help: "Run on the server (POST /api/query): --scope server.") var remote = false
    @Flag(help: "Run only on the workspace's DuckDB: --scope local.") var local = false
    @Flag(name: .customLong("auto-snapshot"), help: "Over the server's remote scan limit: snapshot the remote tables and query locally.")
    var autoSnapshot = false
    @Option(help: "table, csv, json, ndjson, or parquet (local queries, with --output).") var format: String = "table"
    @Option(help: "Write the result to this file instead of standard output.") var output: String?
    @Option(help: "Rows at most (default 1000; no limit for --format parquet).") var limit: Int?

    func run() async throws {
        try await reporting { try await execute() }
    }

    func execute() async throws {
        let text = stdin ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : (sql ?? positional)
        guard let query = text?.trimmingCharacters(in: .whitespacesAndNewlines), !query.isEmpty else {
            throw ClientError(.usage, "give the SQL as an argument, with --sql, or with --stdin")
        }
        guard limit ?? 1 > 0 else { throw ClientError(.usage, "--limit must be positive") }
        if self.format == "parquet" { return try exportParquet(query) }
        let limit = self.limit ?? 1000
        guard let format = OutputFormat(rawValue: self.format) else {
            throw ClientError(.usage, "--format must be one of \((OutputFormat.allCases.map(\.rawValue) + ["parquet"]).joined(separator: ", "))")
        }
        let scope = try chosenScope()
        guard !autoSnapshot || scope != .local else { throw ClientError(.usage, "--auto-snapshot applies to queries the server runs, not --local ones") }
        let (settings, api) = try clientSettings(requireToken: scope == .server)
        let result = try await ScopedQuery(workspace: Workspace(root: settings.workspace), api: settings.token == nil ? nil : api)
            .run(query, limit: limit, scope: scope, autoSnapshot: autoSnapshot) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let truncated = result.truncated
        let rendered = ResultFormatter.render(columns: result.columns, rows: result.rows, format: format, width: terminalWidth())
        if let output {
            try Data(rendered.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } else {
            FileHandle.standardOutput.write(Data(rendered.utf8))
        }
        if let error = result.error {
            throw ClientError(.failure, "the answer stopped after \(result.rows.count) rows: \(error)")
        }
        if truncated { FileHandle.standardError.write(Data("warn: more rows exist; only the first \(limit) are shown (--limit)\n".utf8)) }
    }

    /// The scope from `--scope`, `--remote` and `--local` (at most one of them).
    func chosenScope() throws -> QueryScope {
        let given = [scope.map { "--scope \($0)" }, remote ? "--remote" : nil, local ? "--local" : nil].compactMap { $0 }
        guard given.count <= 1 else { throw ClientError(.usage, "\(given.joined(separator: ", ")): give one of --scope, --remote and --local") }
        if remote { return .server }
        if local { return .local }
        guard let scope else { return .auto }
        guard let chosen = QueryScope(rawValue: scope) else {
            throw ClientError(.usage, "--scope must be one of \(QueryScope.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return chosen
    }

    /// `--format parquet`: the local result written to `--output` as zstd parquet.
    func exportParquet(_ query: String) throws {
        guard try chosenScope() != .server else {
            throw ClientError(.usage, "--format parquet works on local queries; for server-side data use `agnes snapshot create` (parquet) or --format csv")
        }
        guard let output else { throw ClientError(.usage, "--format parquet needs --output FILE") }
        let file = URL(fileURLWithPath: (output as NSString).expandingTildeInPath)
        let rows = try LocalQuery(workspace: Workspace(root: ClientSettings.load().workspace)).exportParquet(query, limit: limit, to: file)
        FileHandle.standardError.write(Data("wrote \(rows) rows to \(file.path)\n".utf8))
        if let limit, rows == Int64(limit) { FileHandle.standardError.write(Data("warn: stopped at --limit \(limit) rows; more may exist\n".utf8)) }
    }

    func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 120
    }
}
