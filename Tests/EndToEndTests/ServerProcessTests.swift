// Starts the real agnes-server and agnes binaries: help, version, health over HTTP, clean shutdown on signals.
import AgnesCore
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

/// A TCP port nothing listens on right now, chosen by the kernel.
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// GETs a URL, returning nil while nothing answers.
func get(_ url: URL) async -> (status: Int, body: Data)? {
    var request = URLRequest(url: url)
    request.timeoutInterval = 2
    guard let (data, response) = try? await URLSession.shared.data(for: request), let http = response as? HTTPURLResponse else { return nil }
    return (http.statusCode, data)
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
        let port = try freePort()
        let server = Process()
        server.executableURL = binaries.appendingPathComponent("agnes-server")
        server.arguments = ["serve", "--port", String(port)]
        server.environment = ProcessInfo.processInfo.environment.merging(["AGNES_HOST": "127.0.0.1"]) { $1 }
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }

        let url = URL(string: "http://127.0.0.1:\(port)/api/health")!
        var answer: (status: Int, body: Data)?
        let deadline = Date().addingTimeInterval(30)
        while answer == nil && Date() < deadline && server.isRunning {
            answer = await get(url)
            if answer == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let health = try #require(answer)
        #expect(health.status == 200)
        let decoded = try JSONDecoder().decode(HealthStatus.self, from: health.body)
        #expect(decoded == HealthStatus(status: "ok", version: AgnesVersion.current, duckdb: "v1.5.5"))

        kill(server.processIdentifier, signal)
        let stopDeadline = Date().addingTimeInterval(10)
        while server.isRunning && Date() < stopDeadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!server.isRunning, "the server did not stop within 10 s of the signal")
        #expect(server.terminationReason == .exit)
        #expect(server.terminationStatus == 0)
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
