// DuckDB's loader tables leave the resident set when the process hands back what it no longer uses, and DuckDB works
// on after it: the pages come back from the file when something reads them.
import AgnesCore
import DuckDB
import Foundation
import Testing

@Suite("freed memory")
struct FreedMemoryTests {
    #if os(Linux)
    /// The resident kilobytes of the mapping that starts at `start`, from `/proc/self/smaps`.
    private func residentKilobytes(ofMappingAt start: UInt) throws -> Int? {
        // Read to the end: the file's size is 0 to stat, and String(contentsOfFile:) reads one block of it.
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if let range = line.split(separator: " ").first, range.contains("-"), let low = UInt(range.split(separator: "-")[0], radix: 16) {
                inMapping = low == start
            } else if inMapping, line.hasPrefix("Rss:") {
                return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
            }
        }
        return nil
    }

    @Test("DuckDB's loader tables are unmapped, and DuckDB still opens databases and loads its views afterwards")
    func unmapsDuckDBLoaderTables() throws {
        // The binding loads libduckdb.so on its first call.
        try Database().close()
        let tables = try #require(FreedMemory.loaderTables(of: FreedMemory.libraryWithLargeLoaderTables))
        #expect(tables.length > 1 << 20, "libduckdb.so's symbol and relocation tables take megabytes")
        #expect(FreedMemory.loaderTables(of: "libno-such-library.so") == nil)

        // Read every page, as the loader did, so that they are resident whatever ran before. A rebuild in a test running
        // beside this one releases them too: then they are read again.
        let pages = UnsafeRawPointer(bitPattern: tables.start)!
        var sum = 0, before = 0
        for _ in 0..<5 where before * 1024 < tables.length / 2 {
            sum = 0
            for offset in stride(from: 0, to: tables.length, by: 4096) { sum &+= Int(pages.load(fromByteOffset: offset, as: UInt8.self)) }
            before = try #require(try residentKilobytes(ofMappingAt: tables.start))
        }
        #expect(before * 1024 >= tables.length / 2, "read in full: \(before) KiB of \(tables.length / 1024)")

        FreedMemory.release()
        let after = try #require(try residentKilobytes(ofMappingAt: tables.start))
        #expect(after * 4 < before, "resident after: \(after) KiB, before: \(before) KiB")

        // The same bytes, read again from the file.
        var again = 0
        for offset in stride(from: 0, to: tables.length, by: 4096) { again &+= Int(pages.load(fromByteOffset: offset, as: UInt8.self)) }
        #expect(again == sum)
        let database = try Database()
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        try connection.execute("CREATE TABLE t AS SELECT range AS x FROM range(1000)")
        #expect(try connection.scalar(Int64.self, "SELECT sum(x) FROM t") == 499_500)
    }
    #endif
}
