// A private PostgreSQL server for tests: `scripts/test-postgres` initializes a cluster in a temporary folder and starts
// it on 127.0.0.1 on a free port with a password for TCP logins; `stop()` ends it by its pid and removes the folder.
import DuckDB
import Foundation

public final class PostgresTestCluster: Sendable {
    public let directory: URL
    public let port: Int
    public let password: String
    public let pid: Int32

    /// The repository root (for `scripts/`).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Starts a new cluster (about a second).
    public static func start() throws -> PostgresTestCluster {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("agnes-pg-\(UUID().uuidString.prefix(8).lowercased())")
        let password = "pw-\(UUID().uuidString)"
        var lastOutput = ""
        for _ in 0..<3 {
            let port = try freePort()
            let (status, output) = try runScript(["start", directory.path, String(port), password])
            if status == 0, let pid = Int32(output.split(separator: "\n").last.map(String.init) ?? "") {
                return PostgresTestCluster(directory: directory, port: port, password: password, pid: pid)
            }
            lastOutput = output
        }
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "scripts/test-postgres start failed: \(lastOutput)"])
    }

    init(directory: URL, port: Int, password: String, pid: Int32) {
        self.directory = directory
        self.port = port
        self.password = password
        self.pid = pid
    }

    /// One cluster for the whole test process, started on first use and stopped by its pid when the process exits:
    /// tests that need a PostgreSQL of their own take a new database in it (`newDatabase()`) rather than a cluster of
    /// their own (an `initdb` costs a second of a core the other tests are using).
    public static func shared() throws -> PostgresTestCluster { try sharedCluster.get() }

    private static let sharedCluster: Result<PostgresTestCluster, any Error> = Result {
        let cluster = try PostgresTestCluster.start()
        atexit { if case let .success(cluster) = PostgresTestCluster.sharedCluster { cluster.stop() } }
        return cluster
    }

    /// Creates a new, empty database and returns its name (blocking, about 50 ms).
    public func newDatabase() throws -> String {
        let name = "agnes_test_\(UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: ""))"
        let (status, output) = try Self.runScript(["createdb", directory.path, name])
        guard status == 0 else { throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "createdb failed: \(output)"]) }
        return name
    }

    /// The `postgres://` URL of `database` for the superuser.
    public func url(database: String = "postgres") -> String {
        "postgres://postgres:\(password)@127.0.0.1:\(port)/\(database)"
    }

    /// Stops the server by its pid and deletes its files.
    public func stop() {
        _ = try? Self.runScript(["stop", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    /// A DuckDB connection with the cluster's `postgres` database attached read-write as `pg`, to create test data.
    public func seedingConnection() throws -> Connection {
        let connection = try Database().connect()
        try connection.execute("LOAD postgres_scanner")
        try connection.execute("""
            ATTACH 'host=127.0.0.1 port=\(port) dbname=postgres user=postgres password=\(password)' AS pg (TYPE postgres)
            """)
        return connection
    }

    static func runScript(_ arguments: [String], script: String = "scripts/test-postgres") throws -> (Int32, String) {
        let process = Process()
        process.executableURL = root.appendingPathComponent(script)
        process.arguments = arguments
        // A file, not a pipe: the server started by the script inherits the descriptors, and a pipe would never close.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-pg-script-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// A TCP port nothing listens on right now, chosen by the kernel.
public func freePort() throws -> Int {
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
