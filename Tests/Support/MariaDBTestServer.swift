// A private MariaDB server for tests: `scripts/test-mariadb` installs a data directory in a temporary folder and starts
// it on 127.0.0.1 on a free port with a user `agnes` and a password; `stop()` ends it by its pid and removes the folder.
import Foundation

public final class MariaDBTestServer: Sendable {
    public let directory: URL
    public let port: Int
    public let password: String
    public let pid: Int32

    /// Starts a new server (about a second).
    public static func start() throws -> MariaDBTestServer {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("agnes-mariadb-\(UUID().uuidString.prefix(8).lowercased())")
        let password = "pw-\(UUID().uuidString)"
        var lastOutput = ""
        for _ in 0..<3 {
            let port = try freePort()
            let (status, output) = try PostgresTestCluster.runScript(["start", directory.path, String(port), password], script: "scripts/test-mariadb")
            if status == 0, let pid = Int32(output.split(separator: "\n").last.map(String.init) ?? "") {
                return MariaDBTestServer(directory: directory, port: port, password: password, pid: pid)
            }
            lastOutput = output
        }
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "scripts/test-mariadb start failed: \(lastOutput)"])
    }

    init(directory: URL, port: Int, password: String, pid: Int32) {
        self.directory = directory
        self.port = port
        self.password = password
        self.pid = pid
    }

    /// Runs SQL as root over the server's socket (to create test data).
    public func execute(_ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mariadb")
        process.arguments = ["--no-defaults", "--socket=\(directory.appendingPathComponent("mariadb.sock").path)", "-u", "root", "-e", sql]
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "mariadb failed: \(message) on: \(sql.prefix(200))"])
        }
    }

    /// Stops the server by its pid and deletes its files.
    public func stop() {
        _ = try? PostgresTestCluster.runScript(["stop", directory.path], script: "scripts/test-mariadb")
        try? FileManager.default.removeItem(at: directory)
    }
}
