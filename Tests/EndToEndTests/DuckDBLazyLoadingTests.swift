// libduckdb.so is loaded on the first DuckDB call, not when a binary starts (Sources/CDuckDB/lazy_loader.c): the
// generated loader matches the header it is made from; `agnes --version` runs without loading it (nor the Swift
// runtime's shared libraries, which are linked into it, as they are into `agnes-server`); a command that uses DuckDB
// loads it from .deps/duckdb.
import AgnesTestSupport
import Foundation
import Testing

@Suite("DuckDB loaded lazily")
struct DuckDBLazyLoadingTests {
    /// What the dynamic loader reports loading while `binary arguments…` runs (`LD_DEBUG=libs`), and the exit status.
    func loadedLibraries(_ arguments: [String], in directory: URL, binary: String = "agnes") async throws -> (status: Int32, log: String) {
        let process = Process()
        process.executableURL = binaries.appendingPathComponent(binary)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(["LD_DEBUG": "libs", "HOME": directory.path]) { $1 }
        let log = directory.appendingPathComponent("ld.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try await process.runUntilExit(timeout: .seconds(60))
        try handle.close()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }

    @Test("the loader is generated from the header as it is now")
    func loaderMatchesHeader() async throws {
        let root = binaries.deletingLastPathComponent().deletingLastPathComponent()
        let check = Process()
        check.executableURL = root.appendingPathComponent("scripts/generate-duckdb-loader")
        check.arguments = ["--check"]
        try await check.runUntilExit(timeout: .seconds(60))
        #expect(check.terminationStatus == 0, "run scripts/generate-duckdb-loader after changing Sources/CDuckDB/include/duckdb_capi.h")
    }

    @Test("agnes --version does not load libduckdb.so; a local query does, from .deps/duckdb")
    func loadsOnFirstUse() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let version = try await loadedLibraries(["--version"], in: directory)
        #expect(version.status == 0)
        #expect(version.log.contains("libc.so"), "LD_DEBUG reported nothing: \(version.log.prefix(300))")
        #expect(!version.log.contains("libduckdb"), "agnes --version loaded DuckDB")
        // The Swift runtime and Foundation are inside the binary (Package.swift, `staticSwiftRuntime`).
        #expect(!version.log.contains("libswiftCore") && !version.log.contains("libFoundation"), "\(version.log.prefix(600))")

        // A workspace database for the local query, made by DuckDB's own CLI.
        let root = binaries.deletingLastPathComponent().deletingLastPathComponent()
        let database = directory.appendingPathComponent("user/duckdb/analytics.duckdb")
        try FileManager.default.createDirectory(at: database.deletingLastPathComponent(), withIntermediateDirectories: true)
        let create = Process()
        create.executableURL = root.appendingPathComponent(".deps/duckdb-cli/duckdb")
        create.arguments = [database.path, "-c", "CREATE TABLE answers AS SELECT 42 AS answer"]
        try await create.runUntilExit(timeout: .seconds(60))
        #expect(create.terminationStatus == 0)

        let query = try await loadedLibraries(["query", "--local", "SELECT answer FROM answers"], in: directory)
        #expect(query.status == 0, "\(query.log.suffix(600))")
        #expect(query.log.contains(".deps/duckdb/libduckdb.so"), "\(query.log.suffix(600))")
        #expect(query.log.contains("42"))
    }

    @Test("agnes-server carries the Swift runtime and Foundation: it loads none of their shared libraries")
    func serverLinksTheSwiftRuntimeStatically() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let version = try await loadedLibraries(["--version"], in: directory, binary: "agnes-server")
        #expect(version.status == 0)
        #expect(version.log.contains("libc.so"), "LD_DEBUG reported nothing: \(version.log.prefix(300))")
        #expect(!version.log.contains("libswift") && !version.log.contains("libFoundation") && !version.log.contains("libdispatch"),
                "\(version.log.prefix(600))")
    }
}
