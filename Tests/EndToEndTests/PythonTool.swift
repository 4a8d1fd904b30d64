// Runs one of the tests' Python scripts with the pinned tools of `.venv-tools` (the MCP SDK, pyarrow) and reads the
// one JSON object it prints; a failure carries the script's standard error.
import Foundation

enum PythonTool {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `script` (relative to the package) with `arguments`, `input` on standard input, in `directory`, waiting on a
    /// thread of its own (see `waitingOffThePool`).
    static func run(_ script: String, _ arguments: [String], input: Data? = nil, environment: [String: String] = [:],
                    directory: URL? = nil) async throws -> [String: Any] {
        try await waitingOffThePool { try JSONObject(value: runBlocking(script, arguments, input: input, environment: environment, directory: directory)) }.value
    }

    /// A JSON object passed between threads (read once, by the caller).
    struct JSONObject: @unchecked Sendable { let value: [String: Any] }

    static func runBlocking(_ script: String, _ arguments: [String], input: Data?, environment: [String: String], directory: URL?) throws -> [String: Any] {
        let process = Process()
        process.executableURL = root.appendingPathComponent(".venv-tools/bin/python")
        process.arguments = [root.appendingPathComponent(script).path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let stdin = Pipe(), output = Pipe()
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("python-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            let problem = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw DemoServerError(message: "\(script) failed (\(process.terminationStatus)): \(problem.suffix(2000))")
        }
        return object
    }
}

/// Runs blocking work — waiting for a child process — on a thread of its own and awaits it. Tests and in-process test
/// servers share Swift concurrency's few threads (one per core); a test that blocks one of them while a CLI or a
/// Python client runs for seconds stalls every other test's server, whose requests then time out.
func waitingOffThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
