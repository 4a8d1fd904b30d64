// `GET /api/sync/manifest`: the tables the caller may see, keyed by registry id, with the hashes `agnes pull` verifies.
import Foundation

/// One parquet file of a table: the whole table, or one part of a partitioned table.
public struct ExtractFile: Codable, Sendable, Equatable {
    /// The path relative to the extract's directory (`data/orders.parquet`).
    public var path: String
    public var sizeBytes: Int64
    public var sha256: String
    public var md5: String
    /// The part of a partitioned table this file holds (`2026-03`, or `none` for rows without a partition value).
    public var part: String?

    public init(path: String, sizeBytes: Int64, sha256: String, md5: String, part: String? = nil) {
        self.path = path
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.md5 = md5
        self.part = part
    }

    enum CodingKeys: String, CodingKey {
        case path, sha256, md5, part
        case sizeBytes = "size_bytes"
    }
}

/// One part of a partitioned table as upstream clients read it (`parts`): fetched with
/// `GET /api/data/{id}/download?part=<path>`.
public struct ManifestPart: Codable, Sendable, Equatable {
    public var path: String
    /// The part's MD5, hex.
    public var hash: String
    public var sizeBytes: Int64

    public init(path: String, hash: String, sizeBytes: Int64) {
        self.path = path
        self.hash = hash
        self.sizeBytes = sizeBytes
    }

    enum CodingKeys: String, CodingKey {
        case path, hash
        case sizeBytes = "size_bytes"
    }

    /// What upstream's hash of a partitioned table is the MD5 of: its parts' `path:hash` lines, sorted by path.
    public static func hashInput(_ parts: [ManifestPart]) -> String {
        parts.sorted { $0.path < $1.path }.map { "\($0.path):\($0.hash)" }.joined(separator: "\n")
    }
}

/// The manifest's entry for one table. Remote tables have no file (hash `""`), as upstream; clients skip them.
public struct ManifestTable: Codable, Sendable, Equatable {
    /// The MD5 of the table's file (upstream's hash), or `""` when there is none.
    public var hash: String
    @Nullable public var updated: Date?
    public var sizeBytes: Int64
    public var rows: Int64
    public var queryMode: String
    public var sourceType: String
    /// The SHA-256 of the single file; null for partitioned and remote tables.
    @Nullable public var sha256: String?
    @Nullable public var schemaHash: String?
    @Nullable public var extractedAt: Date?
    public var files: [ExtractFile]
    /// A partitioned table's parts, sorted by path, as upstream lists them (absent for other tables).
    public var parts: [ManifestPart]?
    /// Served on the server only (server-only, or read through an access policy): `agnes pull` skips it and removes
    /// a local copy; query it with `agnes query --remote` or take a snapshot.
    public var serverOnly: Bool = false
    /// The caller reads the table through an access policy.
    public var accessPolicy: Bool = false
    /// Identifies the policy and the values it reads for this caller (sha256, hex); null without a policy.
    @Nullable public var accessPolicyFingerprint: String?

    public init(hash: String, updated: Date?, sizeBytes: Int64, rows: Int64, queryMode: String, sourceType: String, sha256: String?,
                schemaHash: String?, extractedAt: Date?, files: [ExtractFile], serverOnly: Bool = false) {
        self.serverOnly = serverOnly
        self.hash = hash
        self.updated = updated
        self.sizeBytes = sizeBytes
        self.rows = rows
        self.queryMode = queryMode
        self.sourceType = sourceType
        self.sha256 = sha256
        self.schemaHash = schemaHash
        self.extractedAt = extractedAt
        self.files = files
        let parts = files.filter { $0.part != nil }.map { ManifestPart(path: $0.path, hash: $0.md5, sizeBytes: $0.sizeBytes) }.sorted { $0.path < $1.path }
        if sha256 == nil, !parts.isEmpty { self.parts = parts }
    }

    enum CodingKeys: String, CodingKey {
        case hash, updated, rows, sha256, files, parts
        case sizeBytes = "size_bytes"
        case queryMode = "query_mode"
        case sourceType = "source_type"
        case schemaHash = "schema_hash"
        case extractedAt = "extracted_at"
        case serverOnly = "server_only"
        case accessPolicy = "access_policy"
        case accessPolicyFingerprint = "access_policy_fingerprint"
    }

    /// Whether the table comes as parts rather than one file.
    public var isPartitioned: Bool { sha256 == nil && files.contains { $0.part != nil } }
}

/// The body of `GET /api/sync/manifest`.
public struct Manifest: Codable, Sendable, Equatable {
    /// The manifest's format version.
    public static let currentVersion = 2

    public var tables: [String: ManifestTable]
    /// Upstream's non-table assets (none here).
    public var assets: [String: String]
    public var version: Int
    public var serverTime: Date?

    public init(tables: [String: ManifestTable], assets: [String: String] = [:], version: Int = Manifest.currentVersion, serverTime: Date? = nil) {
        self.tables = tables
        self.assets = assets
        self.version = version
        self.serverTime = serverTime
    }

    enum CodingKeys: String, CodingKey {
        case tables, assets, version
        case serverTime = "server_time"
    }
}
