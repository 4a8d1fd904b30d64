// An analyst's stack (`/api/stack`): the data packages and memory domains their groups are granted, which of them
// are in the stack, and which are downloaded by `agnes pull`.
import Foundation

/// What a stack holds: packages or memory domains.
public enum StackItemType: String, Codable, Sendable, CaseIterable {
    case dataPackage = "data_package"
    case memoryDomain = "memory_domain"
}

/// How stacks are made (`stack.auto_membership`): `auto` — every grant is in the stack, and what is downloaded is
/// what is required or subscribed; `classic` — the stack is what is required or subscribed, all of it downloaded.
public enum StackMode: String, Codable, Sendable, CaseIterable {
    case auto, classic
}

/// One granted package or memory domain, from the analyst's side.
public struct StackItem: Codable, Sendable, Equatable {
    public var type: StackItemType
    public var id: String
    public var slug: String
    public var name: String
    @Nullable public var description: String?
    @Nullable public var icon: String?
    @Nullable public var color: String?
    @Nullable public var category: String?
    public var tags: [String]
    /// A package's status (null for a memory domain).
    @Nullable public var status: PackageStatus?
    /// The strongest grant among the analyst's groups.
    public var requirement: GrantRequirement
    public var subscribed: Bool
    public var inStack: Bool
    /// Downloaded by `agnes pull`.
    public var materialized: Bool
    /// A package's tables (registry ids) or a domain's item count.
    public var tables: [String]
    public var itemsCount: Int
    /// Bytes of the package's synced tables (0 for a domain).
    public var sizeBytes: Int64

    public init(type: StackItemType, id: String, slug: String, name: String, description: String?, icon: String?, color: String?,
                category: String?, tags: [String], status: PackageStatus?, requirement: GrantRequirement, subscribed: Bool, inStack: Bool,
                materialized: Bool, tables: [String], itemsCount: Int, sizeBytes: Int64) {
        self.type = type
        self.id = id
        self.slug = slug
        self.name = name
        self.description = description
        self.icon = icon
        self.color = color
        self.category = category
        self.tags = tags
        self.status = status
        self.requirement = requirement
        self.subscribed = subscribed
        self.inStack = inStack
        self.materialized = materialized
        self.tables = tables
        self.itemsCount = itemsCount
        self.sizeBytes = sizeBytes
    }

    enum CodingKeys: String, CodingKey {
        case type, id, slug, name, description, icon, color, category, tags, status, requirement, subscribed, materialized, tables
        case inStack = "in_stack"
        case itemsCount = "items_count"
        case sizeBytes = "size_bytes"
    }
}

/// The body of `GET /api/stack` and `GET /api/stack/browse`.
public struct StackListing: Codable, Sendable, Equatable {
    public var mode: StackMode
    public var items: [StackItem]
    public var count: Int

    public init(mode: StackMode, items: [StackItem]) {
        self.mode = mode
        self.items = items
        count = items.count
    }
}

/// The body of `POST /api/stack/subscribe`.
public struct StackSubscribeRequest: Codable, Sendable, Equatable {
    public var resourceType: String
    public var resourceId: String

    public init(resourceType: String, resourceId: String) {
        self.resourceType = resourceType
        self.resourceId = resourceId
    }

    enum CodingKeys: String, CodingKey {
        case resourceType = "resource_type"
        case resourceId = "resource_id"
    }
}

/// The answer to `POST /api/stack/subscribe`.
public struct StackSubscribed: Codable, Sendable, Equatable {
    public var subscribed: Bool

    public init(subscribed: Bool) { self.subscribed = subscribed }
}
