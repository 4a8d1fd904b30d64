// The process-wide choice to return DuckDB's freed memory in the background holds across databases opened and closed:
// DuckDB turns its allocator's background thread off whenever a database instance goes away.
import CDuckDB
import DuckDB
import Foundation
import Testing

@Suite("freed memory in the background")
struct FreedMemoryInBackgroundTests {
    /// The allocator's background thread, read until it is on or 50 ms have passed: another test closing a database at
    /// the same moment turns it off for the instant before the binding turns it on again.
    private func backgroundThreadOn() async throws -> Bool {
        for _ in 0..<10 {
            if agnes_duckdb_allocator_background_thread() == 1 { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    #if os(Linux)
    @Test("once a process asks for it, every database carries the setting and closing one leaves the background thread on")
    func holdsAcrossDatabases() async throws {
        let wanted = Database.returnsFreedMemoryInBackground
        defer { Database.returnsFreedMemoryInBackground = wanted }
        Database.returnsFreedMemoryInBackground = true

        let first = try Database()
        let connection = try first.connect()
        #expect(try connection.scalar(Bool.self, "SELECT current_setting('allocator_background_threads')") == true)
        #expect(try await backgroundThreadOn())

        // A second database, closed while a connection to it is still open: its instance goes away with the connection.
        let second = try Database()
        let lingering = try second.connect()
        second.close()
        #expect(try await backgroundThreadOn())
        lingering.close()
        #expect(try await backgroundThreadOn())
        connection.close()
        first.close()
        #expect(try await backgroundThreadOn())

        // A database that names the setting keeps its own value.
        let own = try Database(configuration: .init(options: ["allocator_background_threads": "false"]))
        let ownConnection = try own.connect()
        #expect(try ownConnection.scalar(Bool.self, "SELECT current_setting('allocator_background_threads')") == false)
        ownConnection.close()
        own.close()
    }
    #endif
}
