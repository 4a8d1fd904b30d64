// Groups, memberships and grants as administrators see and change them (`/api/admin/groups`, `/api/admin/grants`,
// `/api/admin/users/{uid}/memberships`, `/api/admin/resource-types`).
import Foundation

/// A group with its member and grant counts (upstream's GroupResponse).
public struct GroupInfo: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    @Nullable public var description: String?
    /// `system`, `google_sync` (managed by the directory) or `custom`.
    public var origin: String
    public var isSystem: Bool
    public var createdAt: Date
    @Nullable public var createdBy: String?
    public var memberCount: Int
    public var grantCount: Int
    /// Its members come from the directory's group sync (it has a `mapped_email`); they cannot be edited by hand.
    public var isGoogleManaged: Bool
    /// The directory group it mirrors.
    @Nullable public var mappedEmail: String?

    public init(id: String, name: String, description: String?, isSystem: Bool, createdAt: Date, createdBy: String?, memberCount: Int, grantCount: Int,
                mappedEmail: String? = nil) {
        self.id = id
        self.name = name
        self.description = description
        origin = isSystem ? "system" : mappedEmail != nil ? "google_sync" : "custom"
        self.isSystem = isSystem
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.memberCount = memberCount
        self.grantCount = grantCount
        isGoogleManaged = mappedEmail != nil
        self.mappedEmail = mappedEmail
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, origin
        case isSystem = "is_system"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case memberCount = "member_count"
        case grantCount = "grant_count"
        case isGoogleManaged = "is_google_managed"
        case mappedEmail = "mapped_email"
    }
}

/// The body of `POST /api/admin/groups` and `PATCH /api/admin/groups/{gid}`.
public struct GroupRequest: Codable, Sendable, Equatable {
    public var name: String?
    public var description: String?
    /// Links the group to a directory group (its email address), or `null` unlinks it; a linked group's members come
    /// from the directory's group sync.
    public var mappedEmail: FieldUpdate<String> = .keep

    public init(name: String? = nil, description: String? = nil, mappedEmail: FieldUpdate<String> = .keep) {
        self.name = name
        self.description = description
        self.mappedEmail = mappedEmail
    }

    enum CodingKeys: String, CodingKey {
        case name, description
        case mappedEmail = "mapped_email"
    }
}

/// The body of `POST /api/admin/groups/{gid}/members`.
public struct AddMemberRequest: Codable, Sendable, Equatable {
    public var email: String

    public init(email: String) {
        self.email = email
    }
}

/// The body of `POST /api/admin/users/{uid}/memberships`.
public struct AddMembershipRequest: Codable, Sendable, Equatable {
    public var groupId: String

    public init(groupId: String) {
        self.groupId = groupId
    }

    enum CodingKeys: String, CodingKey {
        case groupId = "group_id"
    }
}

/// A grant with its group's name.
public struct GrantInfo: Codable, Sendable, Equatable {
    public var id: String
    public var groupId: String
    public var groupName: String
    public var resourceType: ResourceType
    public var resourceId: String
    /// For a data package or a memory domain: whether the group's members must have it (`required`) or may take it
    /// (`available`). Tables and folders granted directly are always downloaded.
    public var requirement: GrantRequirement
    public var assignedAt: Date
    @Nullable public var assignedBy: String?

    public init(id: String, groupId: String, groupName: String, resourceType: ResourceType, resourceId: String,
                requirement: GrantRequirement = .available, assignedAt: Date, assignedBy: String?) {
        self.requirement = requirement
        self.id = id
        self.groupId = groupId
        self.groupName = groupName
        self.resourceType = resourceType
        self.resourceId = resourceId
        self.assignedAt = assignedAt
        self.assignedBy = assignedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, requirement
        case groupId = "group_id"
        case groupName = "group_name"
        case resourceType = "resource_type"
        case resourceId = "resource_id"
        case assignedAt = "assigned_at"
        case assignedBy = "assigned_by"
    }
}

/// The body of `POST /api/admin/grants`.
public struct CreateGrantRequest: Codable, Sendable, Equatable {
    public var groupId: String
    /// A `ResourceType` name (checked by the server, so an unknown one gets a message listing the known ones).
    public var resourceType: String
    public var resourceId: String
    /// `available` (the default) or `required`; meaningful for data packages and memory domains.
    public var requirement: String?

    public init(groupId: String, resourceType: String, resourceId: String, requirement: String? = nil) {
        self.groupId = groupId
        self.resourceType = resourceType
        self.resourceId = resourceId
        self.requirement = requirement
    }

    enum CodingKeys: String, CodingKey {
        case requirement
        case groupId = "group_id"
        case resourceType = "resource_type"
        case resourceId = "resource_id"
    }
}

/// How the API describes a resource type (`GET /api/admin/resource-types`).
public struct ResourceTypeInfo: Codable, Sendable {
    public var key: String
    public var displayName: String
    public var description: String
    public var idFormat: String

    enum CodingKeys: String, CodingKey {
        case key, description
        case displayName = "display_name"
        case idFormat = "id_format"
    }

    public static let all: [ResourceTypeInfo] = ResourceType.allCases.map { type in
        switch type {
        case .table: ResourceTypeInfo(key: type.rawValue, displayName: "Table", description: "One registered table", idFormat: "registry id")
        case .tableFolder: ResourceTypeInfo(key: type.rawValue, displayName: "Table folder",
                                            description: "Every table registered in the folder", idFormat: "folder name")
        case .metricCategory: ResourceTypeInfo(key: type.rawValue, displayName: "Metric category",
                                               description: "Metric definitions of one category", idFormat: "category name")
        case .knowledgeCategory: ResourceTypeInfo(key: type.rawValue, displayName: "Knowledge category",
                                                  description: "Review rights over corporate-memory items of one category", idFormat: "category name")
        case .dataPackage: ResourceTypeInfo(key: type.rawValue, displayName: "Data package",
                                            description: "A curated set of tables with its metrics and memory domains, available or required",
                                            idFormat: "package id")
        case .memoryDomain: ResourceTypeInfo(key: type.rawValue, displayName: "Memory domain",
                                             description: "The corporate-memory items of one domain, available or required", idFormat: "domain id")
        }
    }
}
