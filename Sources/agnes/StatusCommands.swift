// `agnes status`, `agnes disk-info` and `agnes diagnose`: what the workspace holds, what it takes on disk, and whether
// everything needed to pull works — each problem with a hint to fix it.
import AgnesClient
import AgnesCore
import ArgumentParser
import Foundation

/// The bytes under `url` (a file, or a folder's files).
func diskUsage(_ url: URL) -> Int64 {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return 0 }
    guard isDirectory.boolValue else { return ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0 }
    var total: Int64 = 0
    let files = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey])
    while let file = files?.nextObject() as? URL {
        total += Int64((try? file.resourceValues(forKeys: [.fileSizeKey]))?.fileSize ?? 0)
    }
    return total
}

func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "The workspace: server, last pull, tables, snapshots.",
            discussion: "Example: agnes status --json")
    @Flag(help: "Print JSON.") var json = false

    struct Status: Encodable {
        let server: String
        let signedIn: Bool
        let workspace: String
        let lastPull: Date?
        let tables: Int
        let rows: Int64
        let snapshots: Int
        let partialDownloads: Int
        let sessionsPendingUpload: Int
        let initialized: Bool
        enum CodingKeys: String, CodingKey {
            case server, workspace, tables, rows, snapshots, initialized
            case sessionsPendingUpload = "sessions_pending_upload"
            case signedIn = "signed_in"
            case lastPull = "last_pull"
            case partialDownloads = "partial_downloads"
        }
    }

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let settings = ClientSettings.load()
        let workspace = Workspace(root: settings.workspace)
        let state = workspace.loadState()
        let snapshots = Snapshots(api: APIClient(baseURL: settings.serverURL, token: nil), workspace: workspace).list()
        let partials = FileManager.default.enumerator(atPath: workspace.parquetDirectory.path)?.allObjects
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".partial") }.count ?? 0
        let status = Status(server: settings.serverURL, signedIn: settings.token != nil, workspace: workspace.root.path, lastPull: state.lastPull,
                            tables: state.tables.count, rows: state.tables.values.reduce(0) { $0 + $1.rows }, snapshots: snapshots.count,
                            partialDownloads: partials, sessionsPendingUpload: Pusher(api: APIClient(baseURL: settings.serverURL, token: nil), workspace: workspace).queue().count,
                            initialized: WorkspaceInitializer(api: APIClient(baseURL: settings.serverURL, token: nil), workspace: workspace).isInitialized)
        if json {
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return print(String(decoding: try encoder.encode(status), as: UTF8.self))
        }
        print("server:     \(status.server)\(status.signedIn ? "" : " (not signed in: agnes login)")")
        print("workspace:  \(status.workspace)")
        print("last pull:  \(status.lastPull.map { ISO8601DateFormatter().string(from: $0) } ?? "never (agnes pull)")")
        print("tables:     \(status.tables) (\(status.rows) rows)")
        print("snapshots:  \(status.snapshots)")
        print("uploads:    \(status.sessionsPendingUpload) sessions waiting for `agnes push`")
        if !status.initialized { print("note: not initialized for Claude Code (agnes init --server-url URL --token PAT)") }
        if partials > 0 { print("unfinished downloads: \(partials) (the next agnes pull resumes them)") }
    }
}

struct DiskInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "disk-info", abstract: "What the workspace takes on disk.",
            discussion: "Example: agnes disk-info --json")
    @Flag(help: "Print JSON.") var json = false

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let workspace = Workspace(root: ClientSettings.load().workspace)
        let parts: [(String, URL)] = [("tables", workspace.parquetDirectory), ("snapshots", workspace.snapshotsDirectory),
                                      ("database", workspace.databaseFile.deletingLastPathComponent())]
        let sizes = parts.map { ($0.0, diskUsage($0.1)) }
        if json {
            var object = Dictionary(uniqueKeysWithValues: sizes.map { ("\($0.0)_bytes", $0.1) })
            object["total_bytes"] = sizes.reduce(0) { $0 + $1.1 }
            return try printJSON(object)
        }
        for (name, bytes) in sizes { print("\(name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(megabytes(bytes))") }
        print("total      \(megabytes(sizes.reduce(0) { $0 + $1.1 }))")
    }
}

struct DiagnoseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose", abstract: "Check the server, the token, versions, the clock and the workspace; say how to fix what fails.",
            discussion: """
                The first line says whether Agnes is ready for your work: it counts what you depend on (the server, your \
                token, your tables here), not the server's upkeep, which --include-operator-checks adds below it. Exits 1 \
                when something needs fixing; warnings do not. Example: agnes diagnose --json
                """)
    @Flag(help: "Print JSON.") var json = false
    @Flag(help: "Also show the server's operator checks (state database, schema, users); they never change the verdict.")
    var includeOperatorChecks = false

    struct Check: Encodable {
        let name: String
        let ok: Bool
        let detail: String
        let fix: String?
        /// Worth knowing, not failing (the exit code ignores it).
        var warning = false
        /// `analyst` (counts for the verdict) or `operator` (shown with --include-operator-checks only).
        var audience = "analyst"
    }

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let settings = ClientSettings.load()
        let api = APIClient(baseURL: settings.serverURL, token: settings.token)
        var checks: [Check] = []
        do {
            let health = try await api.health()
            let version = health.health?.version ?? "?"
            checks.append(Check(name: "server", ok: health.httpStatus == 200, detail: "\(settings.serverURL) answers (Agnes \(version))",
                                fix: health.httpStatus == 200 ? nil : "the server answered \(health.httpStatus); ask its operator"))
            checks.append(Check(name: "versions", ok: version == AgnesVersion.current, detail: "client \(AgnesVersion.current), server \(version)",
                                fix: version == AgnesVersion.current ? nil : "install the agnes CLI of the server's version"))
            if let date = health.serverDate {
                let skew = abs(date.timeIntervalSinceNow)
                checks.append(Check(name: "clock", ok: skew < 60, detail: String(format: "%.0f s from the server's clock", skew),
                                    fix: skew < 60 ? nil : "set this machine's clock (NTP); tokens and schedules depend on it"))
            }
        } catch let error as ClientError {
            checks.append(Check(name: "server", ok: false, detail: error.message, fix: "check the URL (agnes login --server …, $AGNES_SERVER) and the network"))
        }
        if settings.token == nil {
            checks.append(Check(name: "token", ok: false, detail: "no token", fix: "agnes login --server URL --email you@example.com"))
        } else if checks.first?.ok == true {
            do {
                let access = try await api.myEffectiveAccess()
                checks.append(Check(name: "token", ok: true, detail: "valid for \(access.email)", fix: nil))
            } catch let error as ClientError {
                checks.append(Check(name: "token", ok: false, detail: "refused (\(error.message))", fix: "sign in again: agnes login"))
            }
        }
        let signedIn = checks.contains { $0.name == "token" && $0.ok }
        if signedIn, let health = try? await api.detailedHealth() {
            let data = health.services.data
            checks.append(Check(name: "server-data", ok: health.overallAnalyst != "unhealthy",
                                detail: "\(data.tables) tables you may read" + (data.staleTables.isEmpty ? "" : ", \(data.staleTables.count) not synced in a day"),
                                fix: health.overallAnalyst == "unhealthy" ? "the server cannot serve data now; ask its operator" : nil,
                                warning: health.overallAnalyst == "degraded"))
            if includeOperatorChecks {
                let services = health.services
                for (name, status) in [("state-database", services.duckdbState.status), ("state-schema", services.dbSchema.dbSchema ?? services.dbSchema.status),
                                       ("users", services.users.status)] {
                    checks.append(Check(name: name, ok: ["ok", "warning"].contains(status), detail: status, fix: nil, warning: status == "warning",
                                        audience: "operator"))
                }
            }
        }
        let workspace = Workspace(root: settings.workspace)
        let state = workspace.loadState()
        let missing = state.tables.keys.filter {
            !FileManager.default.fileExists(atPath: workspace.file(of: $0).path) && !FileManager.default.fileExists(atPath: workspace.partsDirectory(of: $0).path)
        }.sorted()
        checks.append(Check(name: "workspace", ok: missing.isEmpty,
                            detail: missing.isEmpty ? "\(state.tables.count) tables in \(workspace.root.path)" : "missing files: \(missing.joined(separator: ", "))",
                            fix: missing.isEmpty ? nil : "agnes pull (it fetches them again)"))
        // What the server offers to download against what is here (upstream's `local-data`).
        if signedIn, case let .manifest(manifest, _)? = try? await api.manifest(ifNoneMatch: nil) {
            let offered = manifest.tables.values.filter { $0.queryMode != "remote" && !$0.serverOnly }.count
            let here = state.tables.count
            checks.append(Check(name: "local-data", ok: true,
                                detail: "\(here) of the \(offered) tables the server offers you are here",
                                fix: offered > 0 && here == 0 ? "agnes pull" : nil, warning: offered > 0 && here == 0))
        }
        let counted = checks.filter { $0.audience == "analyst" }
        let failing = counted.filter { !$0.ok }
        let headline = failing.isEmpty
            ? "Agnes is ready for your work" + (counted.contains(where: \.warning) ? " (see the warnings)." : ".")
            : "\(failing.count) thing\(failing.count == 1 ? "" : "s") to fix before Agnes can work for you."
        if json {
            struct Report: Encodable { let headline: String; let ok: Bool; let checks: [Check] }
            try printJSON(Report(headline: headline, ok: failing.isEmpty, checks: checks))
        } else {
            print(headline)
            for check in checks {
                let mark = !check.ok ? "FAIL" : check.warning ? "warn" : "ok  "
                let name = check.audience == "operator" ? "\(check.name) (operator)" : check.name
                print("\(mark) \(name): \(check.detail)\(check.fix.map { " — fix: \($0)" } ?? "")")
            }
        }
        if !failing.isEmpty { throw ExitCode(1) }
    }
}
