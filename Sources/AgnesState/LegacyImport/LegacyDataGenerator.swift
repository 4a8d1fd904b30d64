// Writes a synthetic data directory of the older, file-based Agnes, for tests and benchmarks of the legacy import.
import Foundation

/// Generates legacy JSON files with about `records` records in all, spread over every file type.
public struct LegacyDataGenerator: Sendable {
    public let records: Int

    public init(records: Int) { self.records = records }

    /// Writes the files under `directory` and returns how many records each holds, by file.
    @discardableResult
    public func write(to directory: URL) throws -> [String: Int] {
        let users = max(1, records / 10), tables = max(1, records / 20), items = max(1, records / 4)
        let votes = max(1, records / 4), links = max(1, records / 20)
        let settings = max(1, records - users - 3 * tables - items - votes - links)
        var counts: [String: Int] = [:]

        func write(_ file: LegacyFile, _ object: Any, count: Int) throws {
            let url = directory.appendingPathComponent(file.rawValue)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: url)
            counts[file.rawValue] = count
        }

        try write(.users, ["users": (0..<users).map { index -> [String: Any] in
            ["id": "u\(index)", "email": "User\(index)@Example.com", "name": "User \(index)", "role": index == 0 ? "admin" : "analyst",
             "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$\(index)", "active": index % 17 != 0,
             "created_at": "2025-0\(1 + index % 9)-1\(index % 10)T08:00:00Z"]
        }], count: users)
        try write(.registry, (0..<tables).map { index -> [String: Any] in
            ["id": "table_\(index)", "name": "Table \(index)", "source_type": "keboola", "bucket": "in.c-main",
             "source_table": "t\(index)", "query_mode": index % 5 == 0 ? "remote" : "local", "sync_strategy": "full_refresh",
             "primary_key": "[\"id\"]", "registered_by": "u0", "registered_at": "2025-01-01T00:00:00Z", "profile_after_sync": true]
        }, count: tables)
        try write(.syncState, ["tables": Dictionary(uniqueKeysWithValues: (0..<tables).map { index -> (String, Any) in
            ("table_\(index)", ["last_sync": "2026-03-27T08:00:00.123456Z", "rows": index * 1_000, "file_size_bytes": index * 4_096,
                                "uncompressed_size_bytes": index * 9_000, "columns": 5 + index % 7, "hash": String(format: "%032x", index)])
        })], count: tables)
        try write(.profiles, Dictionary(uniqueKeysWithValues: (0..<tables).map { index -> (String, Any) in
            ("table_\(index)", ["row_count": index * 1_000, "columns": [["name": "id", "type": "BIGINT", "null_fraction": 0.0]],
                                "profiled_at": "2026-03-27T09:00:00Z", "custom_note": "kept as is"])
        }), count: tables)
        try write(.knowledge, (0..<items).map { index -> [String: Any] in
            ["id": "k\(index)", "title": "Fact \(index)", "content": "Line one\nline two \"quoted\" \(index)", "category": "cat\(index % 8)",
             "status": ["pending", "approved", "mandatory", "rejected"][index % 4], "contributors": ["u\(index % users)"],
             "tags": ["t\(index % 5)", "shared"], "source_user": "u\(index % users)", "audience": "all", "entities": ["x"]]
        }, count: items)
        try write(.votes, (0..<votes).map { index -> [String: Any] in
            ["item_id": "k\(index % items)", "user_id": "u\(index / items)", "vote": index % 3 == 0 ? -1 : 1, "voted_at": "2026-01-02T03:04:05Z"]
        }, count: votes)
        try write(.telegram, Dictionary(uniqueKeysWithValues: (0..<min(links, users)).map { index -> (String, Any) in
            ("user\(index % users)@example.com", ["chat_id": 100_000 + index, "linked_at": "2026-01-01"])
        }), count: min(links, users))
        let perUser = 10
        try write(.syncSettings, Dictionary(uniqueKeysWithValues: (0..<max(1, settings / perUser)).map { index -> (String, Any) in
            ("user\(index)", ["datasets": Dictionary(uniqueKeysWithValues: (0..<perUser).map { ("dataset\($0)", ($0 + index) % 2 == 0) }),
                              "updated_at": "2026-03-27"])
        }), count: max(1, settings / perUser) * perUser)
        return counts
    }
}
