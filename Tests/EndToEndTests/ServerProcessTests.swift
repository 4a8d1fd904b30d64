// Starts the real agnes-server and agnes binaries: help, version, health over HTTP, clean shutdown on signals.
import AgnesAPI
import AgnesCore
import AgnesState
import AgnesTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The folder holding the built executables (`swift build` puts them next to the test bundle).
let binaries: URL = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent(".build/debug")
}()

/// Runs an executable to completion and returns its exit status and standard output.
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = binaries.appendingPathComponent(executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

/// GETs a URL, returning nil while nothing answers.
func get(_ url: URL) async -> (status: Int, body: Data)? {
    var request = URLRequest(url: url)
    request.timeoutInterval = 2
    guard let (data, response) = try? await URLSession.shared.data(for: request), let http = response as? HTTPURLResponse else { return nil }
    return (http.statusCode, data)
}

/// A new empty directory under the system's temporary folder.
func temporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// Starts `agnes-server serve` on a free port with its own DATA_DIR.
func startServer(dataDirectory: URL) throws -> (Process, Int) {
    let port = try freePort()
    let server = Process()
    server.executableURL = binaries.appendingPathComponent("agnes-server")
    server.arguments = ["serve", "--port", String(port), "--data-dir", dataDirectory.path]
    server.environment = ProcessInfo.processInfo.environment.merging(["AGNES_HOST": "127.0.0.1"]) { $1 }
    server.standardOutput = FileHandle.nullDevice
    server.standardError = FileHandle.nullDevice
    try server.run()
    return (server, port)
}

/// Starts `agnes-server serve` on a free loopback port with `arguments` (after `--port`), writing to `logFile`
/// (appended), and waits until it answers /api/health; nil when it did not start (the log says why). A port the
/// kernel called free can be taken — by another test's outgoing connection — before the server binds it: the server
/// is then started again on another.
func startServerProcess(_ arguments: [String], environment: [String: String], logFile: URL) async throws -> (process: Process, port: Int)? {
    if !FileManager.default.fileExists(atPath: logFile.path) { _ = FileManager.default.createFile(atPath: logFile.path, contents: nil) }
    for attempt in 1...3 {
        let port = try freePort()
        let server = Process()
        server.executableURL = binaries.appendingPathComponent("agnes-server")
        server.arguments = ["serve", "--port", String(port)] + arguments
        server.environment = ProcessInfo.processInfo.environment.merging(environment.merging([
            "AGNES_HOST": "127.0.0.1", "AGNES_BCRYPT_COST": "4", "AGNES_SCHEDULER": "off",
        ]) { given, _ in given }) { $1 }
        let log = try FileHandle(forWritingTo: logFile)
        try log.seekToEnd()
        server.standardOutput = log
        server.standardError = log
        try server.run()
        if await waitForHealth(port: port, server: server) != nil { return (server, port) }
        if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        if attempt == 3 || !text.contains("Address already in use") { break }
    }
    return nil
}

/// Polls /api/health until it answers (or 30 s pass, or the server exits).
func waitForHealth(port: Int, server: Process) async -> (status: Int, body: Data)? {
    let url = URL(string: "http://127.0.0.1:\(port)/api/health")!
    let deadline = Date().addingTimeInterval(90)  // a bound on waiting, not a check of speed: 2 cores start many servers at once
    while Date() < deadline && server.isRunning {
        if let answer = await get(url) { return answer }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return nil
}

@Suite("executables", .serialized)
struct ServerProcessTests {
    @Test("agnes and agnes-server answer --help and --version")
    func helpAndVersion() throws {
        for executable in ["agnes", "agnes-server"] {
            let version = try run(executable, ["--version"])
            #expect(version.status == 0)
            #expect(version.output.trimmingCharacters(in: .whitespacesAndNewlines) == AgnesVersion.current)
            let help = try run(executable, ["--help"])
            #expect(help.status == 0)
            #expect(help.output.contains("USAGE: \(executable)"))
        }
        let serveHelp = try run("agnes-server", ["serve", "--help"])
        #expect(serveHelp.output.contains("--host") && serveHelp.output.contains("--port"))
    }

    @Test("agnes-server serve answers /api/health and stops cleanly on SIGTERM and SIGINT", arguments: [SIGTERM, SIGINT])
    func serveAndStop(signal: Int32) async throws {
        let dataDirectory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        // A free port can be taken by another test between `freePort()` and the server's bind: then the server exits at
        // once, and a new port is tried (at most three times).
        var (server, port) = try startServer(dataDirectory: dataDirectory)
        var answer = await waitForHealth(port: port, server: server)
        for _ in 0..<2 where answer == nil && !server.isRunning {
            (server, port) = try startServer(dataDirectory: dataDirectory)
            answer = await waitForHealth(port: port, server: server)
        }
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }

        let health = try #require(answer)
        #expect(health.status == 200)
        let decoded = try JSONDecoder().decode(HealthStatus.self, from: health.body)
        #expect(decoded.status == "ok" && decoded.version == AgnesVersion.current && decoded.duckdb == "v1.5.5")
        #expect(decoded.dbSchema == "ok" && decoded.current == decoded.expected)
        #if os(Linux)
        // libcurl is loaded by a first request through URLSession, which a server does not make (CLibcurlOnDemand).
        let mappedFiles = try String(contentsOfFile: "/proc/\(server.processIdentifier)/maps", encoding: .utf8)
        #expect(mappedFiles.contains("libduckdb") && !mappedFiles.contains("libcurl"))
        #endif

        kill(server.processIdentifier, signal)
        let stopDeadline = Date().addingTimeInterval(10)
        while server.isRunning && Date() < stopDeadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!server.isRunning, "the server did not stop within 10 s of the signal")
        #expect(server.terminationReason == .exit)
        #expect(server.terminationStatus == 0)
    }

    @Test("a second agnes-server on the same DATA_DIR fails fast, naming the process that holds it")
    func secondServerOnSameDataDirectory() async throws {
        let dataDirectory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let (first, port) = try startServer(dataDirectory: dataDirectory)
        defer { kill(first.processIdentifier, SIGKILL) }
        _ = try #require(await waitForHealth(port: port, server: first))

        // The second server gives up while the first still runs and holds the directory: it does not wait for it.
        let second = try run("agnes-server", ["serve", "--port", String(try freePort()), "--data-dir", dataDirectory.path])
        #expect(second.status != 0)
        #expect(first.isRunning)
        #expect(second.output.contains("in use by another process"))
        #expect(second.output.contains("PID \(first.processIdentifier)"))
        // The migration status of a held database cannot be read either, and says why.
        let status = try run("agnes-server", ["migrate", "--status", "--data-dir", dataDirectory.path])
        #expect(status.status != 0 && status.output.contains("in use by another process"))
    }

    @Test("agnes-server migrate shows, dry-runs and applies the ladder")
    func migrateCommand() throws {
        let dataDirectory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dataDirectory) }
        let before = try run("agnes-server", ["migrate", "--status", "--data-dir", dataDirectory.path])
        #expect(before.status == 0 && before.output.contains("1\tcore_schema\tpending"))
        let dryRun = try run("agnes-server", ["migrate", "--dry-run", "--data-dir", dataDirectory.path])
        #expect(dryRun.output.contains("would apply 3 audit_log_indexes"))
        #expect(!FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("state/system.duckdb").path))
        let up = try run("agnes-server", ["migrate", "up", "--data-dir", dataDirectory.path])
        #expect(up.status == 0 && up.output.contains("schema version 0 → \(StateSchema.migrator.latestVersion)"))
        let again = try run("agnes-server", ["migrate", "up", "--data-dir", dataDirectory.path])
        #expect(again.output.contains("up to date"))
    }

    @Test("agnes-server refuses a malformed AGNES_PORT with a message naming the key")
    func badPortEnvironment() throws {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent("agnes-server")
        process.arguments = ["serve"]
        process.environment = ["AGNES_PORT": "http"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(output.contains("AGNES_PORT=http"))
    }
}
