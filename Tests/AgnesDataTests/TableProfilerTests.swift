// Profiles computed from real parquet: counts, null fractions, distinct estimates, min/max, top values, sample.
@testable import AgnesData
import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("table profiler")
struct TableProfilerTests {
    @Test("a profile has the row count, per-column figures, top values of low-cardinality columns and 5 sample rows")
    func profile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-profile-\(UUID().uuidString).parquet")
        defer { try? FileManager.default.removeItem(at: file) }
        let connection = try Database().connect()
        try connection.execute("""
            COPY (SELECT i AS id, CASE WHEN i % 4 = 0 THEN NULL ELSE 'tier' || (i % 3) END AS tier, i * 1.5 AS amount
                  FROM range(1000) t(i)) TO '\(file.path)' (FORMAT parquet)
            """)
        let profile = try TableProfiler.profile(paths: [file.path], on: connection)
        #expect(profile.rows == 1000)
        #expect(profile.columns.map(\.name) == ["id", "tier", "amount"])
        let tier = try #require(profile.columns.first { $0.name == "tier" })
        #expect(abs(tier.nullFraction - 0.25) < 0.01)
        #expect(tier.topValues?.count == 4 && tier.topValues?.reduce(0) { $0 + $1.count } == 1000)
        let id = try #require(profile.columns.first { $0.name == "id" })
        #expect(id.min == "0" && id.max == "999" && id.topValues == nil && id.distinctEstimate > 900)
        #expect(profile.sample.count == 5)
        #expect(profile.sample.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] })
    }
}
