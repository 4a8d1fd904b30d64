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
    }

    /// The registered table `id` when the caller may read it (404 / 403 otherwise).
    public func accessibleTable(_ id: String, for caller: Caller) async throws -> RegisteredTable {
        guard RegisteredTable.isValidId(id), let table = try await RegistryRepository(store: domain.state).get(id: id) else {
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

    /// The table's single parquet file (404 for a partitioned table or one without data); for a caller who reads the
    /// table through its access policy, their slice (403 when none can be made here, e.g. for a remote table).
    public func table(_ id: String, for caller: Caller) async throws -> File {
        let table = try await accessibleTable(id, for: caller)
        if table.hasPolicy, case let .enforce(policyCaller) = try await domain.policies.enforcement(for: caller.identity) {
            guard let slice = try await domain.policies.slice(of: table, for: policyCaller) else {
                throw ServiceError(.forbidden, "Table '\(id)' has an access policy and no slice of it can be made here: query it with `agnes query --remote`")
            }
            caller.audit.record("data.download", resource: "table:\(id)", params: ["policy_slice": "true"])
            return File(path: slice.path, sha256: slice.sha256, filename: "\(id).parquet")
        }
        let synced = try await syncedTable(id, caller)
        guard let sha256 = synced.state.sha256 else {
            if !synced.files.isEmpty {
                throw ServiceError.notFound("Table '\(synced.table.id)' is partitioned: download its parts from /api/data/\(synced.table.id)/parts/{part} (see files in the manifest)")
            }
            throw ServiceError.notFound("Table '\(synced.table.id)' has no data yet")
        }
        caller.audit.record("data.download", resource: "table:\(synced.table.id)")
        return File(path: synced.layout.parquetFile(tableId: synced.table.id).path, sha256: sha256, filename: "\(synced.table.id).parquet")
    }

    /// One part (`2026-03`, or `2026-03.parquet`) of a partitioned table.
    public func part(_ part: String, of id: String, for caller: Caller) async throws -> File {
        if domain.policies.isPolicied(try await accessibleTable(id, for: caller), for: caller.identity) {
            throw ServiceError.notFound("Table '\(id)' comes to you as one slice (its access policy): download /api/data/\(id)/download")
        }
        let synced = try await syncedTable(id, caller)
        let name = part.hasSuffix(".parquet") ? String(part.dropLast(".parquet".count)) : part
        guard let file = synced.files.first(where: { $0.part == name }) else {
            throw ServiceError.notFound("Table '\(synced.table.id)' has no part '\(name)'")
        }
        caller.audit.record("data.download", resource: "table:\(synced.table.id)", params: ["part": name])
        return File(path: synced.layout.directory.appendingPathComponent(file.path).path, sha256: file.sha256,
                    filename: "\(synced.table.id)-\(name).parquet")
    }

    private func syncedTable(_ id: String, _ caller: Caller) async throws -> SyncedTable {
        let table = try await accessibleTable(id, for: caller)
        guard let synced = try await SyncedTable.load(table, domain: domain) else { throw ServiceError.notFound("Table '\(table.id)' has no data yet") }
        return synced
    }
}
