// Helpers shared by the DuckDB binding tests: temporary directories and in-memory databases.
import DuckDB
import Foundation

/// A fresh temporary directory, removed when the value is released by `withTemporaryDirectory`.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-duckdb-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

/// The async form of `withTemporaryDirectory`.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-duckdb-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// A connection to a new in-memory database limited to two threads.
func memoryConnection() throws -> Connection {
    try Database(configuration: .init(threads: 2)).connect()
}

/// Every value of the first column of a query, read through the generic value path.
func firstColumn(_ connection: Connection, _ sql: String) throws -> [DuckDBValue] {
    try connection.query(sql).rows().map { $0[0] }
}

/// The package's root folder (tests run with it as the working directory, but do not rely on that).
let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
