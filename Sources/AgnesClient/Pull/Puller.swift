// `agnes pull` (SPEC §11): the manifest (conditional on the last ETag), then only the files whose sha256 changed,
// downloaded in parallel and verified; tables that left the manifest are removed; then the workspace DuckDB's views
// are brought in step — only the views pull made, never user tables or snapshot views.
import AgnesAPI
import DuckDB
import Foundation

/// Where a pull's downloads stand.
public struct PullProgress: Sendable, Equatable {
    public var bytes: Int64
    public var totalBytes: Int64
    public var filesDone: Int
    public var files: Int
    /// The file that just finished (`table` or `table/part`, its size), on the update that reports it.
    public var finished: (name: String, bytes: Int64)?
    /// The last update.
    public var isFinal: Bool

    public static func == (lhs: PullProgress, rhs: PullProgress) -> Bool {
        lhs.bytes == rhs.bytes && lhs.totalBytes == rhs.totalBytes && lhs.filesDone == rhs.filesDone && lhs.files == rhs.files
            && lhs.finished?.name == rhs.finished?.name && lhs.isFinal == rhs.isFinal
    }
}

public struct PullOptions: Sendable {
    public var parallelism: Int
    public var dryRun: Bool
    /// Called about every 200 ms, once per finished file, and once at the end.
    public var progress: (@Sendable (PullProgress) -> Void)?

    public init(parallelism: Int = 4, dryRun: Bool = false, progress: (@Sendable (PullProgress) -> Void)? = nil) {
        self.parallelism = max(1, min(parallelism, 32))
        self.dryRun = dryRun
        self.progress = progress
    }
}

/// What a pull did (the `--json` summary).
public struct PullSummary: Encodable, Sendable {
    public var upToDate: Bool
    public var tablesUpdated: [String]
    public var tablesRemoved: [String]
    public var tablesTotal: Int
    public var filesDownloaded: Int
    public var filesResumed: Int
    public var bytesDownloaded: Int64
    public var durationSeconds: Double
    public var errors: [PullError]
    /// Rules files from the corporate-memory bundle (nil: the server offers none).
    public var rulesCount: Int?
    /// Problems that did not stop the pull (the memory bundle, say).
    public var warnings: [String] = []
    /// Snapshots dropped because their --ttl had passed.
    public var snapshotsExpired: [String] = []
    /// What changed in each typed section of the manifest (`data_packages`, `direct_tables`, `memory_domains`);
    /// absent with a server that has no sections.
    public var sections: [String: SectionChanges]?

    public struct PullError: Encodable, Sendable {
        public var table: String
        public var error: String
    }

    enum CodingKeys: String, CodingKey {
        case errors
        case upToDate = "up_to_date"
        case tablesUpdated = "tables_updated"
        case tablesRemoved = "tables_removed"
        case tablesTotal = "tables_total"
        case filesDownloaded = "files_downloaded"
        case filesResumed = "files_resumed"
        case bytesDownloaded = "bytes_downloaded"
        case durationSeconds = "duration_s"
        case rulesCount = "rules_count"
        case warnings
        case snapshotsExpired = "snapshots_expired"
        case sections
    }
}

public struct Puller: Sendable {
    public let api: APIClient
    public let workspace: Workspace

    public init(api: APIClient, workspace: Workspace) {
        self.api = api
        self.workspace = workspace
    }

    public func pull(_ options: PullOptions = PullOptions()) async throws -> PullSummary {
        let started = ContinuousClock.now
        var state = workspace.loadState()
        var summary = PullSummary(upToDate: false, tablesUpdated: [], tablesRemoved: [], tablesTotal: state.tables.count, filesDownloaded: 0,
                                  filesResumed: 0, bytesDownloaded: 0, durationSeconds: 0, errors: [])
        // Snapshots past their --ttl go first (not on a dry run), as upstream's pull sweeps them.
        if !options.dryRun {
            do { summary.snapshotsExpired = try Snapshots(api: api, workspace: workspace).dropExpired() } catch {
                summary.warnings.append("expired snapshots: \(error)")
            }
        }
        func finish() -> PullSummary {
            let elapsed = (ContinuousClock.now - started).components
            summary.durationSeconds = ((Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18) * 1000).rounded() / 1000
            return summary
        }

        // Nothing changed on the server and every file is still here: done without a download or a DuckDB open.
        let complete = state.tables.allSatisfy { id, pulled in
            pulled.files.keys.allSatisfy { FileManager.default.fileExists(atPath: workspace.file(of: id, part: $0).path) }
        }
        let conditional = complete && FileManager.default.fileExists(atPath: workspace.databaseFile.path) ? state.manifestETag : nil
        let manifest: Manifest
        let manifestETag: String?
        switch try await api.manifest(ifNoneMatch: conditional) {
        case .notModified:
            summary.upToDate = true
            if await refreshRules(&state, &summary, options) { try workspace.saveState(state) }
            let done = finish()
            await confirm(done)
            return done
        case let .manifest(answer, etag):
            (manifest, manifestETag) = (answer, etag)
        }
        let local = manifest.tables.filter { $0.value.queryMode != "remote" && !$0.value.serverOnly }
        summary.tablesTotal = local.count

        // What to fetch: each file whose sha256 differs from what is here.
        var items: [DownloadItem] = []
        for (id, table) in local.sorted(by: { $0.key < $1.key }) {
            let pulled = state.tables[id]?.files ?? [:]
            if table.isPartitioned {
                for file in table.files {
                    guard let part = file.part else { continue }
                    let target = workspace.file(of: id, part: part)
                    if pulled[part] != file.sha256 || !FileManager.default.fileExists(atPath: target.path) {
                        items.append(DownloadItem(table: id, part: part, path: APIClient.downloadPath(table: id, part: part), target: target,
                                                  sha256: file.sha256, size: file.sizeBytes))
                    }
                }
            } else if let sha256 = table.sha256 {
                let target = workspace.file(of: id)
                if pulled[""] != sha256 || !FileManager.default.fileExists(atPath: target.path) {
                    items.append(DownloadItem(table: id, part: nil, path: APIClient.downloadPath(table: id, part: nil), target: target, sha256: sha256, size: table.sizeBytes))
                }
            }
        }
        // The largest first: the small ones then download beside it instead of after it.
        items.sort { ($0.size, $1.table, $1.part ?? "") > ($1.size, $0.table, $0.part ?? "") }
        let removed = state.tables.keys.filter { local[$0] == nil }.sorted()
        summary.tablesUpdated = Array(Set(items.map(\.table))).sorted()
        summary.tablesRemoved = removed
        if options.dryRun { return finish() }
        // What does not depend on the files is done while they download: a new workspace's database is built, view by
        // view as the files land; for an existing one, DuckDB is loaded (the first use of the library maps and relocates
        // it, ~25 ms) for the views at the end. And the memory bundle is fetched.
        let newDatabase = NewWorkspaceDatabase.start(in: workspace)
        if newDatabase == nil { Thread.detachNewThread { _ = Database.libraryVersion } }
        let memoryETag = state.memoryETag
        async let rules = fetchRules(etag: memoryETag)

        // Download in parallel; a table's failure is reported and does not stop the others.
        let counter = TransferCounter()
        let totalBytes = items.reduce(0) { $0 + $1.size }
        var failed: [String: String] = [:]
        let fileCount = items.count
        let reporter = options.progress.map { report in
            Task {
                while !Task.isCancelled {
                    report(PullProgress(bytes: counter.total, totalBytes: totalBytes, filesDone: counter.filesDone, files: fileCount, isFinal: false))
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
        }
        await withTaskGroup(of: (DownloadItem, Result<Downloader.Outcome, any Error>).self) { group in
            var next = 0
            func launch() {
                let item = items[next]
                next += 1
                group.addTask {
                    do { return (item, .success(try await Downloader.fetch(item, api: api, counter: counter))) } catch { return (item, .failure(error)) }
                }
            }
            while next < min(options.parallelism, items.count) { launch() }
            for await (item, result) in group {
                counter.fileDone()
                switch result {
                case let .success(outcome):
                    options.progress?(PullProgress(bytes: counter.total, totalBytes: totalBytes, filesDone: counter.filesDone, files: fileCount,
                                                   finished: (item.part.map { "\(item.table)/\($0)" } ?? item.table, item.size), isFinal: false))
                    summary.filesDownloaded += 1
                    if item.part == nil { newDatabase?.fileLanded(item.table) }
                    if outcome.resumedFrom > 0 { summary.filesResumed += 1 }
                case let .failure(error):
                    failed[item.table] = failed[item.table] ?? String(describing: error)
                }
                if next < items.count { launch() }
            }
        }
        reporter?.cancel()
        options.progress?(PullProgress(bytes: counter.total, totalBytes: totalBytes, filesDone: counter.filesDone, files: items.count, isFinal: true))
        summary.bytesDownloaded = counter.total
        summary.errors = failed.sorted { $0.key < $1.key }.map { PullSummary.PullError(table: $0.key, error: $0.value) }
        summary.tablesUpdated.removeAll { failed[$0] != nil }

        // Record what is here now, drop what left, and bring the views in step.
        for (id, table) in local where failed[id] == nil {
            var files: [String: String] = [:]
            if table.isPartitioned {
                for file in table.files { if let part = file.part { files[part] = file.sha256 } }
                // Parts the server no longer lists.
                let kept = Set(files.keys.map { "\($0).parquet" })
                let directory = workspace.partsDirectory(of: id)
                for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasSuffix(".parquet") && !kept.contains(name) {
                    try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
                }
                try? FileManager.default.removeItem(at: workspace.file(of: id))
            } else if let sha256 = table.sha256 {
                files[""] = sha256
                try? FileManager.default.removeItem(at: workspace.partsDirectory(of: id))
            }
            state.tables[id] = Workspace.PulledTable(rows: table.rows, sizeBytes: table.sizeBytes, files: files)
        }
        for id in removed {
            try? FileManager.default.removeItem(at: workspace.file(of: id))
            try? FileManager.default.removeItem(at: workspace.partsDirectory(of: id))
            state.tables[id] = nil
        }
        Downloader.removeUnfinished(in: workspace, keeping: Set(local.keys))
        if newDatabase?.finish(tables: state.tables) != true {
            try LocalViews(workspace: workspace).rebuild(tables: state.tables, removed: removed)
        }
        do { try AccessPolicyRules(workspace: workspace).write(for: manifest) } catch { summary.warnings.append("access policy rules: \(error)") }
        await applySections(of: manifest, to: &state, &summary, localTables: Set(state.tables.keys))
        // The ETag is kept only when everything arrived, so a failed table is retried by the next pull.
        state.manifestETag = failed.isEmpty ? manifestETag : nil
        state.lastPull = Date()
        apply(await rules, to: &state, &summary)
        try workspace.saveState(state)
        let done = finish()
        await confirm(done)
        return done
    }

    /// Tells the server what the pull did (upstream's pull-confirm); a server without the endpoint, or any failure,
    /// changes nothing.
    func confirm(_ summary: PullSummary) async {
        func counts(_ key: String) -> PullSectionCounts? {
            summary.sections?[key].map { PullSectionCounts(added: $0.added.count, updated: $0.updated.count, removed: $0.removed.count) }
        }
        try? await api.confirmPull(PullConfirmRequest(durationMs: Int(summary.durationSeconds * 1000), directTables: counts("direct_tables"),
                                                      dataPackages: counts("data_packages"), memoryDomains: counts("memory_domains"),
                                                      errors: summary.errors.count))
    }

    /// The typed sections: package folders, domain bundles, and what changed in each since the last pull.
    func applySections(of manifest: Manifest, to state: inout Workspace.PullState, _ summary: inout PullSummary, localTables: Set<String>) async {
        let layout = StackLayout(workspace: workspace)
        var sections: [String: SectionChanges] = [:]
        let updated = Set(summary.tablesUpdated)
        if let packages = manifest.dataPackages {
            do { try layout.link(packages, localTables: localTables) } catch { summary.warnings.append("package folders: \(error)") }
            let versions = StackLayout.versions(of: packages)
            let touched = Set(packages.filter { $0.tables.contains { updated.contains($0.id) } }.map(\.slug))
            sections["data_packages"] = SectionChanges.between(state.packages ?? [:], versions, touched: touched)
            state.packages = versions
        }
        if let direct = manifest.directTables {
            let hashes = Dictionary(direct.filter { localTables.contains($0.id) }.map { ($0.id, $0.table.hash) }) { first, _ in first }
            sections["direct_tables"] = SectionChanges.between(state.directTables ?? [:], hashes, touched: updated)
            state.directTables = hashes
        }
        if let domains = manifest.memoryDomains {
            let digests = await layout.refreshDomains(domains, previous: state.memoryDomains ?? [:], api: api, warnings: &summary.warnings)
            sections["memory_domains"] = SectionChanges.between(state.memoryDomains ?? [:], digests)
            state.memoryDomains = digests
        }
        summary.sections = sections.isEmpty ? nil : sections
    }

    /// Brings `.claude/rules/` in step with the server's memory bundle; true when the state changed. A failure is a
    /// warning: the tables matter more.
    func refreshRules(_ state: inout Workspace.PullState, _ summary: inout PullSummary, _ options: PullOptions) async -> Bool {
        guard !options.dryRun else { return false }
        return apply(await fetchRules(etag: state.memoryETag), to: &state, &summary)
    }

    /// What refreshing the rules files from the memory bundle gave: the rules' count (nil: the server offers none),
    /// the bundle's ETag, or the failure.
    struct RulesRefresh: Sendable {
        var count: Int?
        var etag: String?
        var failure: String?
    }

    /// Writes `.claude/rules/` from the server's memory bundle, unless it has not changed since `etag`.
    func fetchRules(etag: String?) async -> RulesRefresh {
        var etag = etag
        do {
            let count = try await MemoryRules(workspace: workspace).refresh(api: api, etag: &etag)
            return RulesRefresh(count: count, etag: etag)
        } catch {
            return RulesRefresh(count: nil, etag: etag, failure: "memory bundle: \(error)")
        }
    }

    /// Records `refresh` in the state and the summary; true when the state changed.
    @discardableResult
    func apply(_ refresh: RulesRefresh, to state: inout Workspace.PullState, _ summary: inout PullSummary) -> Bool {
        summary.rulesCount = refresh.count
        if let failure = refresh.failure { summary.warnings.append(failure) }
        let changed = refresh.etag != state.memoryETag
        state.memoryETag = refresh.etag
        return changed
    }
}
