// Data packages and memory domains (`/api/admin/data-packages`, `/api/admin/memory-domains`): curated sets of tables,
// with the metric definitions and the memory domains that explain them, granted to groups as a whole.
import Foundation

/// Where a package is in its life (upstream's values).
public enum PackageStatus: String, Codable, Sendable, CaseIterable {
    case prod, poc
    case comingSoon = "coming-soon"
    case draft
}

/// How a group holds a granted package or memory domain: `available` (an analyst may take it into their stack) or
/// `required` (always in it, always downloaded).
public enum GrantRequirement: String, Codable, Sendable, CaseIterable, Comparable {
    case available, required

    public static func < (lhs: GrantRequirement, rhs: GrantRequirement) -> Bool { lhs == .available && rhs == .required }
}

/// A data package (a row of `data_packages` with what it holds). Soft-deleted packages keep their row.
public struct DataPackage: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var slug: String
    public var name: String
    @Nullable public var description: String?
    @Nullable public var icon: String?
    @Nullable public var color: String?
    @Nullable public var coverImageUrl: String?
    public var status: PackageStatus
    @Nullable public var category: String?
    public var tags: [String]
    /// Registry ids of its tables, sorted.
    public var tables: [String]
    /// Ids of the metric definitions that explain it, sorted.
    public var metrics: [String]
    /// Ids of its memory domains, sorted.
    public var memoryDomains: [String]
    public var createdAt: Date
    @Nullable public var createdBy: String?
    public var updatedAt: Date
    @Nullable public var deletedAt: Date?
    @Nullable public var deletedBy: String?

    public init(id: String, slug: String, name: String, description: String? = nil, icon: String? = nil, color: String? = nil,
                coverImageUrl: String? = nil, status: PackageStatus = .prod, category: String? = nil, tags: [String] = [], tables: [String] = [],
                metrics: [String] = [], memoryDomains: [String] = [], createdAt: Date, createdBy: String? = nil, updatedAt: Date,
                deletedAt: Date? = nil, deletedBy: String? = nil) {
        self.id = id
        self.slug = slug
        self.name = name
        self.description = description
        self.icon = icon
        self.color = color
        self.coverImageUrl = coverImageUrl
        self.status = status
        self.category = category
        self.tags = tags
        self.tables = tables
        self.metrics = metrics
        self.memoryDomains = memoryDomains
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
        self.deletedBy = deletedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, name, description, icon, color, status, category, tags, tables, metrics
        case coverImageUrl = "cover_image_url"
        case memoryDomains = "memory_domains"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case updatedAt = "updated_at"
        case deletedAt = "deleted_at"
        case deletedBy = "deleted_by"
    }

    public var isDeleted: Bool { deletedAt != nil }
}

/// A memory domain: corporate-memory items about one subject, granted and bundled together.
public struct MemoryDomain: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var slug: String
    public var name: String
    @Nullable public var description: String?
    @Nullable public var icon: String?
    @Nullable public var color: String?
    @Nullable public var category: String?
    public var tags: [String]
    /// Ids of its corporate-memory items, sorted.
    public var items: [String]
    public var createdAt: Date
    @Nullable public var createdBy: String?
    public var updatedAt: Date
    @Nullable public var deletedAt: Date?
    @Nullable public var deletedBy: String?

    public init(id: String, slug: String, name: String, description: String? = nil, icon: String? = nil, color: String? = nil,
                category: String? = nil, tags: [String] = [], items: [String] = [], createdAt: Date, createdBy: String? = nil,
                updatedAt: Date, deletedAt: Date? = nil, deletedBy: String? = nil) {
        self.id = id
        self.slug = slug
        self.name = name
        self.description = description
        self.icon = icon
        self.color = color
        self.category = category
        self.tags = tags
        self.items = items
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
        self.deletedAt = deletedAt
        self.deletedBy = deletedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, slug, name, description, icon, color, category, tags, items
        case createdAt = "created_at"
        case createdBy = "created_by"
        case updatedAt = "updated_at"
        case deletedAt = "deleted_at"
        case deletedBy = "deleted_by"
    }

    public var isDeleted: Bool { deletedAt != nil }
}

/// The body of `POST` (create: `name` required, `slug` made from it when absent) and `PUT` (edit: the fields given)
/// of a data package or a memory domain. `status` and `cover_image_url` apply to packages only.
public struct PackageRequest: Codable, Sendable, Equatable {
    public var name: String?
    public var slug: String?
    public var description: String?
    public var icon: String?
    public var color: String?
    public var coverImageUrl: String?
    public var status: String?
    public var category: String?
    public var tags: [String]?

    public init(name: String? = nil, slug: String? = nil, description: String? = nil, icon: String? = nil, color: String? = nil,
                coverImageUrl: String? = nil, status: String? = nil, category: String? = nil, tags: [String]? = nil) {
        self.name = name
        self.slug = slug
        self.description = description
        self.icon = icon
        self.color = color
        self.coverImageUrl = coverImageUrl
        self.status = status
        self.category = category
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case name, slug, description, icon, color, status, category, tags
        case coverImageUrl = "cover_image_url"
    }
}

/// The packages (or domains) of a listing; deleted ones only with `?include_deleted=true`.
public struct DataPackageList: Codable, Sendable, Equatable {
    public var packages: [DataPackage]
    public var count: Int

    public init(packages: [DataPackage]) {
        self.packages = packages
        count = packages.count
    }
}

public struct MemoryDomainList: Codable, Sendable, Equatable {
    public var domains: [MemoryDomain]
    public var count: Int

    public init(domains: [MemoryDomain]) {
        self.domains = domains
        count = domains.count
    }
}

/// `POST /api/admin/data-packages/{id}/tables`, `…/metrics`, `…/memory-domains` and `/api/admin/memory-domains/{id}/items`:
/// the one member to add, by the field its path names (`table_id`, `metric_id`, `domain_id`, `item_id`).
public struct PackageMemberRequest: Codable, Sendable, Equatable {
    public var tableId: String?
    public var metricId: String?
    public var domainId: String?
    public var itemId: String?

    public init(tableId: String? = nil, metricId: String? = nil, domainId: String? = nil, itemId: String? = nil) {
        self.tableId = tableId
        self.metricId = metricId
        self.domainId = domainId
        self.itemId = itemId
    }

    enum CodingKeys: String, CodingKey {
        case tableId = "table_id"
        case metricId = "metric_id"
        case domainId = "domain_id"
        case itemId = "item_id"
    }
}

/// The answer to adding a member: false when it was there already.
public struct PackageMemberAdded: Codable, Sendable, Equatable {
    public var added: Bool

    public init(added: Bool) { self.added = added }
}
