// Table downloads: which file a caller may fetch for a table (the whole parquet, or one part of a partitioned table),
// checked by registry id and audited. The HTTP side (sendfile, ETag, ranges) is the route's.
import AgnesAPI
import AgnesData
import AgnesState
import Foundation

/// The use cases of table downloads.
public struct DownloadService: Sendable {
    let domain: Domain

    /// A file to send: where it is, its sha256 (the ETag), and the name to offer.
    public struct File: Sendable {
        public let path: String
        public let sha256: String
        public let filename: String
        /// The MD5 (hex) upstream clients check a part against (`X-Agnes-Content-MD5`), for parts up to 8 MiB.
        public var contentMD5: String? = nil
    }

    /// Parts up to this size carry `X-Agnes-Content-MD5`, as upstream's.
    public static let contentMD5Limit: Int64 = 8 << 20

    /// The registered table `id` when the caller may read it (404 / 403 otherwise), from the catalog as cached until the
    /// next write (no state read per download).
    public func accessibleTable(_ id: String, for caller: Caller) async throws -> RegisteredTable {
        guard RegisteredTable.isValidId(id), let table = try await domain.catalogSnapshot().table(id) else {
            throw ServiceError.notFound("Table '\(id)' not found")
        }
        guard try await domain.access.canRead(tableId: id, folder: table.folder, identity: caller.identity) else {
            throw ServiceError(.forbidden, "Access denied to this table")
        }
        // Distribution rules hold for administrators too: the file is the raw table.
        if table.serverOnly {
            throw ServiceError(.forbidden, "Table '\(id)' is server-only: query it with `agnes query --remote` or take a snapshot")
        }
        return table
    }

    /// The table's single parquet file — for a partitioned table, its parts joined into one file (made once per version
    /// of the parts), or with `part` (upstream's `?part=<path>`, as the manifest's `parts` list it) one part; for a
    /// caller who reads the table through its access policy, their slice (403 when none can be made here).
    public func table(_ id: String, part: String? = nil, for caller: Caller) async throws -> File {
        if let part { return try await upstreamPart(part, of: id, for: caller) }
        let table = try await accessibleTable(id, for: caller)
        if let slices = try await policySlices(of: table, for: caller, whole: true) {
            guard let slice = slices.whole else { throw ServiceError.notFound("Table '\(id)' has no data yet") }
            caller.audit.record("data.download", resource: "table:\(id)", params: ["policy_slice": "true"])
            return File(path: slice.path, sha256: slice.sha256, filename: "\(id).parquet")
        }
        let synced = try await synced(table)
        guard let sha256 = synced.state.sha256 else {
            if synced.files.contains(where: { $0.part != nil }) {
                caller.audit.record("data.download", resource: "table:\(synced.table.id)", params: ["whole": "true"])
                return try await WholeTables(domain: domain).file(of: synced)
            }
            throw ServiceError.notFound("Table '\(synced.table.id)' has no data yet")
        }
        caller.audit.record("data.download", resource: "table:\(synced.table.id)")
        let file = synced.files.first { $0.part == nil }.map { synced.layout.directory.appendingPathComponent($0.path) }
            ?? synced.layout.parquetFile(tableId: synced.table.id)
        return File(path: file.path, sha256: sha256, filename: "\(synced.table.id).parquet")
    }

    /// One part (`2026-03`, or `2026-03.parquet`) of a partitioned table.
    public func part(_ part: String, of id: String, for caller: Caller) async throws -> File {
        let name = part.hasSuffix(".parquet") ? String(part.dropLast(".parquet".count)) : part
        let table = try await accessibleTable(id, for: caller)
        if let slices = try await policySlices(of: table, for: caller) {
            guard let file = slices.files.first(where: { $0.part == name }) else { throw ServiceError.notFound("Table '\(id)' has no part '\(name)'") }
            caller.audit.record("data.download", resource: "table:\(id)", params: ["part": name, "policy_slice": "true"])
            return File(path: file.slice.path, sha256: file.slice.sha256, filename: "\(id)-\(name).parquet")
        }
        let synced = try await synced(table)
        guard let file = synced.files.first(where: { $0.part == name }) else {
            throw ServiceError.notFound("Table '\(synced.table.id)' has no part '\(name)'")
        }
        caller.audit.record("data.download", resource: "table:\(synced.table.id)", params: ["part": name])
        return File(path: synced.layout.directory.appendingPathComponent(file.path).path, sha256: file.sha256,
                    filename: "\(synced.table.id)-\(name).parquet")
    }

    /// A part by its path in the manifest's `parts` (upstream's form): safe relative segments only, 404 `Part not found`.
    private func upstreamPart(_ path: String, of id: String, for caller: Caller) async throws -> File {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\"),
              segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && !$0.unicodeScalars.contains { $0.properties.generalCategory == .control } })
        else { throw ServiceError.notFound("Part not found") }
        let table = try await accessibleTable(id, for: caller)
        if let slices = try await policySlices(of: table, for: caller) {
            guard let file = slices.files.first(where: { $0.part != nil && "slices/\($0.part ?? "")" == path }) else {
                throw ServiceError.notFound("Part not found")
            }
            caller.audit.record("data.download", resource: "table:\(id)", params: ["part": path, "policy_slice": "true"])
            return File(path: file.slice.path, sha256: file.slice.sha256, filename: "\(id)-\(file.part ?? "").parquet",
                        contentMD5: file.slice.sizeBytes <= Self.contentMD5Limit ? file.slice.md5 : nil)
        }
        let synced = try await synced(table)
        guard let file = synced.files.first(where: { $0.part != nil && $0.path == path }) else { throw ServiceError.notFound("Part not found") }
        caller.audit.record("data.download", resource: "table:\(synced.table.id)", params: ["part": path])
        return File(path: synced.layout.directory.appendingPathComponent(file.path).path, sha256: file.sha256,
                    filename: "\(synced.table.id)-\(file.part ?? "").parquet", contentMD5: file.sizeBytes <= Self.contentMD5Limit ? file.md5 : nil)
    }

    /// For a caller who reads `table` through its access policy, their slices (403 when none can be made here, e.g.
    /// for a remote table) — with `whole`, one file even of a partitioned table; nil for everyone else.
    private func policySlices(of table: RegisteredTable, for caller: Caller, whole: Bool = false) async throws -> PolicySliceSet? {
        guard table.hasPolicy, case let .enforce(policyCaller) = try await domain.policies.enforcement(for: caller.identity) else { return nil }
        guard let slices = try await domain.policies.slices(of: table, for: policyCaller, whole: whole) else {
            throw ServiceError(.forbidden, "Table '\(table.id)' has an access policy and no slice of it can be made here: query it with `agnes query --remote`")
        }
        return slices
    }

    private func synced(_ table: RegisteredTable) async throws -> SyncedTable {
        guard let synced = try await SyncedTable.load(table, domain: domain) else { throw ServiceError.notFound("Table '\(table.id)' has no data yet") }
        return synced
    }
}
