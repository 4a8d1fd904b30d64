// Parquet round trips, the bundled extensions loading offline, and DuckDB's file lock between processes.
import DuckDB
import Foundation
import Testing

@Suite("files and extensions")
struct FilesAndExtensionsTests {
    @Test("COPY … TO parquet and read_parquet round-trip a table")
    func parquetRoundTrip() throws {
        try withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("orders.parquet").path
            let connection = try memoryConnection()
            try connection.execute("""
                CREATE TABLE orders AS SELECT i AS id, 'customer ' || (i % 10)::VARCHAR AS customer,
                       (i * 1.25)::DECIMAL(12,2) AS amount, TIMESTAMP '2024-01-01' + to_days(i::INTEGER) AS ordered_at
                FROM range(50000) t(i)
                """)
            let copied = try connection.execute("COPY orders TO '\(file)' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)")
            #expect(copied == 50_000)
            let read = try connection.query("SELECT count(*) AS n, sum(amount) AS total, max(ordered_at) AS last FROM read_parquet($1)", file).rows()
            #expect(read.first?["n"] == .int64(50_000))
            #expect(read.first?["total"] == .decimal(.init(value: 156_246_875_000, width: 38, scale: 2)))
            let same = try connection.scalar(Int64.self, "SELECT count(*) FROM (SELECT * FROM orders EXCEPT SELECT * FROM read_parquet($1))", file)
            #expect(same == 0)
        }
    }

    @Test("the extension directory from bootstrap is found beside libduckdb.so")
    func extensionDirectory() throws {
        let directory = try #require(Database.Configuration.bundledExtensionDirectory)
        #expect(FileManager.default.fileExists(atPath: directory + "/v1.5.5/linux_amd64/postgres_scanner.duckdb_extension"))
    }

    @Test("sqlite_scanner loads from .deps with no network, and writes and reads a real SQLite file")
    func sqliteScanner() throws {
        try withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("shop.sqlite").path
            let connection = try memoryConnection()
            try connection.execute("LOAD sqlite_scanner")
            try connection.execute("ATTACH '\(file)' AS shop (TYPE sqlite)")
            try connection.execute("CREATE TABLE shop.products (id INTEGER, name TEXT); INSERT INTO shop.products VALUES (1, 'tea'), (2, 'coffee')")
            try connection.execute("DETACH shop")
            let names = try firstColumn(connection, "SELECT name FROM sqlite_scan('\(file)', 'products') ORDER BY id")
            #expect(names == [.string("tea"), .string("coffee")])
        }
    }

    @Test("postgres_scanner loads from .deps with no network and reports a refused connection clearly")
    func postgresScanner() throws {
        let connection = try memoryConnection()
        try connection.execute("LOAD postgres_scanner")
        let loaded = try connection.scalar(Bool.self, "SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'postgres_scanner'")
        #expect(loaded == true)
        // Nothing listens on port 1: the scanner itself must answer, proving it is loaded and working offline.
        let error = #expect(throws: DuckDBError.self) {
            try connection.execute("ATTACH 'host=127.0.0.1 port=1 dbname=x user=x connect_timeout=2' AS pg (TYPE postgres)")
        }
        #expect(error?.message.contains("127.0.0.1") == true || error?.message.lowercased().contains("connection") == true)
    }

    @Test("a database file locked by another process gives an error naming the lock holder")
    func lockedByAnotherProcess() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("locked.duckdb").path
            // The DuckDB CLI of the same version holds the file open read-write until its stdin closes.
            let cli = packageRoot.appendingPathComponent(".deps/duckdb-cli/duckdb").path
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: cli)
            holder.arguments = [path]
            let stdin = Pipe(), stdout = Pipe()
            holder.standardInput = stdin
            holder.standardOutput = stdout
            try holder.run()
            defer {
                try? stdin.fileHandleForWriting.close()
                holder.waitUntilExit()
            }
            stdin.fileHandleForWriting.write(Data("CREATE TABLE IF NOT EXISTS t (x INTEGER);\nSELECT 'ready';\n".utf8))
            // Wait until the CLI has the file open.
            var output = Data()
            let deadline = Date().addingTimeInterval(10)
            while !String(decoding: output, as: UTF8.self).contains("ready") && Date() < deadline {
                output.append(stdout.fileHandleForReading.availableData)
            }
            let error = #expect(throws: DuckDBError.self) { try Database(path: path) }
            #expect(error?.kind == .io)
            #expect(error?.message.contains("Could not set lock on file") == true)
            #expect(error?.message.contains("PID \(holder.processIdentifier)") == true)
        }
    }
}
