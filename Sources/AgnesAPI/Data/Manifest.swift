// `GET /api/sync/manifest`: the tables the caller may see, keyed by registry id, with the hashes `agnes pull` verifies.
import Foundation

/// One parquet file of a table: the whole table, or one part of a partitioned table.
public struct ExtractFile: Codable, Sendable, Equatable {
    /// The path relative to the extract's directory (`data/orders.0f3c9a1b2d4e5f60.parquet`).
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

/// The body of `GET /api/sync/manifest`. `tables` is the flat dictionary every client reads (`server_only` says what
/// not to download); the typed sections say where each table comes from. Every readable table is in exactly one of
/// `data_packages[].tables` (possibly several packages) or `direct_tables`. The sections are absent from older servers.
public struct Manifest: Codable, Sendable, Equatable {
    /// The manifest's format version.
    public static let currentVersion = 2

    public var tables: [String: ManifestTable]
    /// Upstream's non-table assets (none here).
    public var assets: [String: String]
    public var version: Int
    public var serverTime: Date?
    /// The data packages of the caller's stack.
    public var dataPackages: [ManifestPackage]?
    /// The memory domains of the caller's stack.
    public var memoryDomains: [ManifestMemoryDomain]?
    /// Tables the caller reads outside any package of their stack (table and folder grants).
    public var directTables: [ManifestSectionTable]?
    /// Upstream's document collections (none here: `knowledge_search` reads our memory, metrics and catalog).
    public var knowledgeArtifacts: [JSONValue]?

    public init(tables: [String: ManifestTable], assets: [String: String] = [:], version: Int = Manifest.currentVersion, serverTime: Date? = nil,
                dataPackages: [ManifestPackage]? = nil, memoryDomains: [ManifestMemoryDomain]? = nil, directTables: [ManifestSectionTable]? = nil,
                knowledgeArtifacts: [JSONValue]? = nil) {
        self.tables = tables
        self.assets = assets
        self.version = version
        self.serverTime = serverTime
        self.dataPackages = dataPackages
        self.memoryDomains = memoryDomains
        self.directTables = directTables
        self.knowledgeArtifacts = knowledgeArtifacts
    }

    enum CodingKeys: String, CodingKey {
        case tables, assets, version
        case serverTime = "server_time"
        case dataPackages = "data_packages"
        case memoryDomains = "memory_domains"
        case directTables = "direct_tables"
        case knowledgeArtifacts = "knowledge_artifacts"
    }
}

/// A table in a typed section of the manifest (`data_packages[].tables`, `direct_tables`): its flat entry with its id,
/// name and MD5, as upstream lists them.
public struct ManifestSectionTable: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var table: ManifestTable

    public init(id: String, name: String, table: ManifestTable) {
        self.id = id
        self.name = name
        self.table = table
    }

    enum CodingKeys: String, CodingKey {
        case id, name, md5
    }

    public init(from decoder: any Decoder) throws {
        table = try ManifestTable(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        _ = try container.decodeIfPresent(String.self, forKey: .md5)
    }

    public func encode(to encoder: any Encoder) throws {
        try table.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(table.hash, forKey: .md5)
    }
}

/// A data package of the caller's stack, in the manifest.
public struct ManifestPackage: Codable, Sendable, Equatable {
    public var id: String
    public var slug: String
    public var name: String
    @Nullable public var description: String?
    @Nullable public var icon: String?
    @Nullable public var color: String?
    public var requirement: GrantRequirement
    public var subscribed: Bool
    /// Downloaded by `agnes pull` (required or subscribed; in classic mode, everything in the stack).
    public var materialized: Bool
    public var totalSizeBytes: Int64
    /// Its metric definitions the caller may read.
    public var metrics: [String]
    /// Slugs of its memory domains.
    public var memoryDomains: [String]
    /// Its tables the caller may read (synced or remote).
    public var tables: [ManifestSectionTable]

    public init(id: String, slug: String, name: String, description: String?, icon: String?, color: String?, requirement: GrantRequirement,
                subscribed: Bool, materialized: Bool, totalSizeBytes: Int64, metrics: [String], memoryDomains: [String],
                tables: [ManifestSectionTable]) {
        self.id = id
        self.slug = slug
        self.name = name
        self.description = description
        self.icon = icon
        self.color = color
        self.requirement = requirement
        self.subscribed = subscribed
        self.materialized = materialized
        self.totalSizeBytes = totalSizeBytes
        self.metrics = metrics
        self.memoryDomains = memoryDomains
        self.tables = tables
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, name, description, icon, color, requirement, subscribed, materialized, metrics, tables
        case totalSizeBytes = "total_size_bytes"
        case memoryDomains = "memory_domains"
    }
}

/// A memory domain of the caller's stack, in the manifest: `agnes pull` fetches its bundle when `md5` changes.
public struct ManifestMemoryDomain: Codable, Sendable, Equatable {
    public var id: String
    public var slug: String
    public var name: String
    public var requirement: GrantRequirement
    public var subscribed: Bool
    public var materialized: Bool
    /// `GET` it for the domain's bundle (`/api/memory/bundle?domain=<slug>`).
    public var bundleUrl: String
    /// Changes when the domain's approved or mandatory items do.
    public var md5: String
    /// Approved and mandatory items.
    public var itemsCount: Int
    /// Mandatory items.
    public var requiredCount: Int

    public init(id: String, slug: String, name: String, requirement: GrantRequirement, subscribed: Bool, materialized: Bool, bundleUrl: String,
                md5: String, itemsCount: Int, requiredCount: Int) {
        self.id = id
        self.slug = slug
        self.name = name
        self.requirement = requirement
        self.subscribed = subscribed
        self.materialized = materialized
        self.bundleUrl = bundleUrl
        self.md5 = md5
        self.itemsCount = itemsCount
        self.requiredCount = requiredCount
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, name, requirement, subscribed, materialized, md5
        case bundleUrl = "bundle_url"
        case itemsCount = "items_count"
        case requiredCount = "required_count"
    }
}
