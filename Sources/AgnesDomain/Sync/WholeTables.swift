// A partitioned table as one parquet file, for clients that download tables whole (upstream's `agnes pull` before
// parts): made once per version of the parts — named by the MD5 of their `path:hash` lines — under
// `<data>/whole/`, written to a temporary name and renamed, and the table's older versions removed when a newer
// one is made. One request makes a version, in this process or any other sharing the data directory
// (`ExclusiveWork`); the others wait for it and take its file.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation
import NIOPosix

struct WholeTables: Sendable {
    let domain: Domain

    var directory: URL { domain.settings.dataDirectory.appendingPathComponent("whole", isDirectory: true) }

    /// The whole-table file of `synced` (made now if this version has none yet).
    func file(of synced: SyncedTable) async throws -> DownloadService.File {
        let parts = synced.files.filter { $0.part != nil }
        let version = ManifestService.partitionedHash(parts.map { ManifestPart(path: $0.path, hash: $0.md5, sizeBytes: $0.sizeBytes) })
        let id = synced.table.id
        let target = directory.appendingPathComponent("\(id)-\(version).parquet")
        let digestFile = URL(fileURLWithPath: target.path + ".sha256")
        if let sha256 = try? String(contentsOf: digestFile, encoding: .utf8), FileManager.default.fileExists(atPath: target.path) {
            return DownloadService.File(path: target.path, sha256: sha256, filename: "\(id).parquet")
        }
        let paths = parts.map { synced.layout.directory.appendingPathComponent($0.path).path }
        let directory = self.directory
        let exclusive = ExclusiveWork(location: domain.state.location)
        let sha256 = try await NIOThreadPool.singleton.runIfActive {
            try exclusive.run("whole:\(id)-\(version)") {
                try Self.make(id: id, version: version, from: paths, at: target, digestFile: digestFile, in: directory)
            }
        }
        return DownloadService.File(path: target.path, sha256: sha256, filename: "\(id).parquet")
    }

    /// Writes version `version` of table `id` as one file from its parts `paths` — unless another request made it
    /// while this one waited — and returns its sha256; removes the table's older versions.
    private static func make(id: String, version: String, from paths: [String], at target: URL, digestFile: URL, in directory: URL) throws -> String {
        if let sha256 = try? String(contentsOf: digestFile, encoding: .utf8), FileManager.default.fileExists(atPath: target.path) { return sha256 }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(id)-\(version)-\(UUID().uuidString.prefix(8)).parquet")
        defer { try? FileManager.default.removeItem(at: temporary) }
        _ = try Database.withScratchConnection { connection in
            try connection.execute("""
                COPY (SELECT * FROM read_parquet([\(paths.map(SQL.literal).joined(separator: ", "))], union_by_name = true))
                TO \(SQL.literal(temporary.path)) (FORMAT parquet, COMPRESSION zstd)
                """)
        }
        let digest = try FileDigest.of(temporary).sha256
        try Data(digest.utf8).write(to: digestFile, options: .atomic)
        guard rename(temporary.path, target.path) == 0 else { throw ServiceError(.internalServerError, "cannot move the whole table into place") }
        // Older versions of this table go; other tables' files stay.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where name.hasPrefix("\(id)-") && !name.hasPrefix("\(id)-\(version).") && name.split(separator: "-").count == 2 {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
        return digest
    }
}
