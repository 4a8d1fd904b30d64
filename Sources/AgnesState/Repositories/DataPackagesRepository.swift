// Data packages and memory domains: their rows, soft deletion and restore, and the links to what they hold (tables,
// metrics and memory domains of a package; items of a domain). Both kinds share one shape, so one repository serves
// both through `PackageKind`.
import AgnesAPI
import DuckDB
import Foundation

/// Which of the two curated collections a call is about.
public enum PackageKind: Sendable {
    case dataPackage, memoryDomain

    var table: String { self == .dataPackage ? "data_packages" : "memory_domains" }
    /// "data package" / "memory domain", for messages.
    public var noun: String { self == .dataPackage ? "data package" : "memory domain" }
    /// "data_package" / "memory_domain", for audit actions and resources.
    public var auditNoun: String { self == .dataPackage ? "data_package" : "memory_domain" }
    var columns: String { self == .dataPackage ? DataPackagesRepository.packageColumns : DataPackagesRepository.domainColumns }
}

/// A data package or a memory domain as read from its table: what the administration of both is written over.
public protocol CuratedCollection: Decodable, Sendable {
    static var kind: PackageKind { get }
    var isDeleted: Bool { get }
    /// Its editable fields, where an edit starts.
    var fields: PackageFields { get }
}

extension DataPackage: CuratedCollection {
    public static var kind: PackageKind { .dataPackage }
    public var fields: PackageFields {
        PackageFields(slug: slug, name: name, description: description, icon: icon, color: color, coverImageURL: coverImageUrl, status: status,
                      category: category, tags: tags)
    }
}

extension MemoryDomain: CuratedCollection {
    public static var kind: PackageKind { .memoryDomain }
    public var fields: PackageFields {
        PackageFields(slug: slug, name: name, description: description, icon: icon, color: color, category: category, tags: tags)
    }
}

/// A link from a package or domain to one of its members.
public enum PackageLink: Sendable, CaseIterable {
    case tables, metrics, memoryDomains, items

    var table: String {
        switch self {
        case .tables: "data_package_tables"
        case .metrics: "data_package_metrics"
        case .memoryDomains: "data_package_memory_domains"
        case .items: "memory_domain_items"
        }
    }
    var ownerColumn: String { self == .items ? "domain_id" : "package_id" }
    var memberColumn: String {
        switch self {
        case .tables: "table_id"
        case .metrics: "metric_id"
        case .memoryDomains: "domain_id"
        case .items: "item_id"
        }
    }
    /// What the link belongs to: a memory domain's items, or a package's members.
    public var kind: PackageKind { self == .items ? .memoryDomain : .dataPackage }
}

/// The editable fields of a package or domain (`status` and `coverImageURL` are ignored for domains).
public struct PackageFields: Sendable, Equatable {
    public var slug: String
    public var name: String
    public var description: String?
    public var icon: String?
    public var color: String?
    public var coverImageURL: String?
    public var status: PackageStatus
    public var category: String?
    public var tags: [String]

    public init(slug: String, name: String, description: String? = nil, icon: String? = nil, color: String? = nil, coverImageURL: String? = nil,
                status: PackageStatus = .prod, category: String? = nil, tags: [String] = []) {
        self.slug = slug
        self.name = name
        self.description = description
        self.icon = icon
        self.color = color
        self.coverImageURL = coverImageURL
        self.status = status
        self.category = category
        self.tags = tags
    }
}

/// Reads and writes `data_packages`, `memory_domains` and their link tables.
public struct DataPackagesRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    static let packageColumns = """
        p.id, p.slug, p.name, p.description, p.icon, p.color, p.cover_image_url, p.status, p.category, p.tags,
        coalesce((SELECT list(l.table_id ORDER BY l.table_id) FROM data_package_tables l WHERE l.package_id = p.id), ARRAY[]::VARCHAR[]) AS tables,
        coalesce((SELECT list(l.metric_id ORDER BY l.metric_id) FROM data_package_metrics l WHERE l.package_id = p.id), ARRAY[]::VARCHAR[]) AS metrics,
        coalesce((SELECT list(l.domain_id ORDER BY l.domain_id) FROM data_package_memory_domains l WHERE l.package_id = p.id), ARRAY[]::VARCHAR[]) AS memory_domains,
        p.created_at, p.created_by, p.updated_at, p.deleted_at, p.deleted_by
        """
    static let domainColumns = """
        p.id, p.slug, p.name, p.description, p.icon, p.color, p.category, p.tags,
        coalesce((SELECT list(l.item_id ORDER BY l.item_id) FROM memory_domain_items l WHERE l.domain_id = p.id), ARRAY[]::VARCHAR[]) AS items,
        p.created_at, p.created_by, p.updated_at, p.deleted_at, p.deleted_by
        """

    // MARK: - Reading

    /// Every package or every memory domain, deleted ones too, by name.
    public func all<C: CuratedCollection>(_ type: C.Type) async throws -> [C] {
        try await store.read { try $0.fetchAll(C.self, "SELECT \(C.kind.columns) FROM \(C.kind.table) p ORDER BY p.name, p.id") }
    }

    public func find<C: CuratedCollection>(_ type: C.Type, id: String) async throws -> C? {
        try await store.read { try $0.fetchOne(C.self, "SELECT \(C.kind.columns) FROM \(C.kind.table) p WHERE p.id = $1", id) }
    }

    public func packages() async throws -> [DataPackage] { try await all(DataPackage.self) }

    public func domains() async throws -> [MemoryDomain] { try await all(MemoryDomain.self) }

    /// For every memory domain with approved or mandatory items: their count, the mandatory count, and an MD5 that
    /// changes whenever one of them does (what the manifest tells `agnes pull`).
    public func domainDigests() async throws -> [DomainDigest] {
        try await store.read { connection in
            try connection.fetchAll(DomainDigest.self, """
                SELECT l.domain_id, count(*) AS items_count, count(*) FILTER (WHERE k.status = 'mandatory') AS required_count,
                       md5(string_agg(k.id || ':' || k.status || ':' || epoch_us(k.updated_at)::VARCHAR, ',' ORDER BY k.id)) AS md5
                FROM memory_domain_items l JOIN knowledge_items k ON k.id = l.item_id
                WHERE k.status IN ('approved', 'mandatory')
                GROUP BY l.domain_id
                """)
        }
    }

    // MARK: - Writing

    /// Creates a package or domain; `.conflict` when the slug is taken (by a deleted one too). Returns its id.
    public func create(_ kind: PackageKind, _ fields: PackageFields, by user: String?) async throws -> String {
        let id = Identifier.make()
        let now = DuckDBTimestamp(Date()).date
        try await store.write { connection in
            try mapUniqueViolation("a \(kind.noun) with slug '\(fields.slug)' exists") {
                switch kind {
                case .dataPackage:
                    try connection.execute("""
                        INSERT INTO data_packages (id, slug, name, description, icon, color, cover_image_url, status, category, tags,
                            created_at, created_by, updated_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11)
                        """, id, fields.slug, fields.name, fields.description, fields.icon, fields.color, fields.coverImageURL,
                        fields.status.rawValue, fields.category, fields.tags, now, user)
                case .memoryDomain:
                    try connection.execute("""
                        INSERT INTO memory_domains (id, slug, name, description, icon, color, category, tags, created_at, created_by, updated_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9)
                        """, id, fields.slug, fields.name, fields.description, fields.icon, fields.color, fields.category, fields.tags, now, user)
                }
            }
        }
        return id
    }

    /// Replaces the fields of a package or domain; `.notFound`, `.conflict` for a taken slug.
    public func update(_ kind: PackageKind, id: String, _ fields: PackageFields) async throws {
        let now = DuckDBTimestamp(Date()).date
        try await store.write { connection in
            let changed = try mapUniqueViolation("a \(kind.noun) with slug '\(fields.slug)' exists") {
                switch kind {
                case .dataPackage:
                    return try connection.execute("""
                        UPDATE data_packages SET slug = $2, name = $3, description = $4, icon = $5, color = $6, cover_image_url = $7,
                            status = $8, category = $9, tags = $10, updated_at = $11 WHERE id = $1
                        """, id, fields.slug, fields.name, fields.description, fields.icon, fields.color, fields.coverImageURL,
                        fields.status.rawValue, fields.category, fields.tags, now)
                case .memoryDomain:
                    return try connection.execute("""
                        UPDATE memory_domains SET slug = $2, name = $3, description = $4, icon = $5, color = $6, category = $7, tags = $8,
                            updated_at = $9 WHERE id = $1
                        """, id, fields.slug, fields.name, fields.description, fields.icon, fields.color, fields.category, fields.tags, now)
                }
            }
            guard changed == 1 else { throw StateError.notFound(what: kind.noun, id: id) }
        }
    }

    /// Marks a package or domain deleted (`by` nil: restores it). Its grants, links and subscriptions stay, so a
    /// restore brings it back as it was; while deleted it gives no one anything.
    public func setDeleted(_ kind: PackageKind, id: String, by user: String?, deleted: Bool) async throws {
        let now = DuckDBTimestamp(Date()).date
        try await store.write { connection in
            let changed = try connection.execute("""
                UPDATE \(kind.table) SET deleted_at = $2, deleted_by = $3, updated_at = $4 WHERE id = $1
                """, id, deleted ? now : nil, deleted ? user : nil, now)
            guard changed == 1 else { throw StateError.notFound(what: kind.noun, id: id) }
        }
    }

    /// Links a member; false when it was linked already. `.notFound` for an unknown package or domain.
    public func add(_ link: PackageLink, owner: String, member: String, by user: String?) async throws -> Bool {
        let now = DuckDBTimestamp(Date()).date
        return try await store.write { connection in
            guard try connection.scalar(Int64.self, "SELECT count(*) FROM \(link.kind.table) WHERE id = $1", owner) == 1 else {
                throw StateError.notFound(what: link.kind.noun, id: owner)
            }
            let present = try connection.scalar(Int64.self, """
                SELECT count(*) FROM \(link.table) WHERE \(link.ownerColumn) = $1 AND \(link.memberColumn) = $2
                """, owner, member) ?? 0
            guard present == 0 else { return false }
            try mapConcurrentInsert {
                try connection.execute("""
                    INSERT INTO \(link.table) (\(link.ownerColumn), \(link.memberColumn), added_at, added_by) VALUES ($1, $2, $3, $4)
                    """, owner, member, now, user)
            }
            try connection.execute("UPDATE \(link.kind.table) SET updated_at = $2 WHERE id = $1", owner, now)
            return true
        }
    }

    /// Unlinks a member; `.notFound` when it was not linked.
    public func remove(_ link: PackageLink, owner: String, member: String) async throws {
        let now = DuckDBTimestamp(Date()).date
        try await store.write { connection in
            guard try connection.execute("""
                DELETE FROM \(link.table) WHERE \(link.ownerColumn) = $1 AND \(link.memberColumn) = $2
                """, owner, member) == 1 else {
                throw StateError.notFound(what: "member", id: member)
            }
            try connection.execute("UPDATE \(link.kind.table) SET updated_at = $2 WHERE id = $1", owner, now)
        }
    }

    /// Removes every link to a member that no longer exists (a table unregistered, a metric or item deleted).
    static func unlink(_ link: PackageLink, member: String, in connection: any StateConnection) throws {
        try connection.execute("DELETE FROM \(link.table) WHERE \(link.memberColumn) = $1", member)
    }
}

/// What the manifest says of a memory domain's bundle.
public struct DomainDigest: Codable, Sendable, Equatable {
    public var domainId: String
    public var itemsCount: Int
    public var requiredCount: Int
    public var md5: String

    enum CodingKeys: String, CodingKey {
        case md5
        case domainId = "domain_id"
        case itemsCount = "items_count"
        case requiredCount = "required_count"
    }
}
