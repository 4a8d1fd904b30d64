// Groups of users, their memberships, and the grants that give groups access to resources.
import AgnesAPI
import Foundation

/// A row of `user_groups`. `Admin` and `Everyone` are system groups: seeded at start, never deleted or renamed.
public struct Group: Codable, Sendable, Equatable, Identifiable {
    public static let adminName = "Admin"
    public static let everyoneName = "Everyone"

    public var id: String
    public var name: String
    public var description: String?
    public var isSystem: Bool
    public var createdAt: Date
    public var createdBy: String?
    /// The directory group it mirrors (its email address); a group with one is managed by the directory's sync.
    public var mappedEmail: String?

    /// Its members come from the directory: administrators cannot add any by hand.
    public var isDirectoryManaged: Bool { mappedEmail != nil }

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case isSystem = "is_system"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case mappedEmail = "mapped_email"
    }
}

/// A row of `user_group_members`.
public struct GroupMembership: Codable, Sendable, Equatable {
    public var userId: String
    public var groupId: String
    public var source: MembershipSource
    public var addedAt: Date
    public var addedBy: String?

    enum CodingKeys: String, CodingKey {
        case source
        case userId = "user_id"
        case groupId = "group_id"
        case addedAt = "added_at"
        case addedBy = "added_by"
    }
}

/// A row of `resource_grants`: a group may use a resource (what it sees of a table is the table's access policy).
public struct ResourceGrant: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var groupId: String
    public var resourceType: ResourceType
    public var resourceId: String
    public var requirement: GrantRequirement
    public var assignedAt: Date
    public var assignedBy: String?

    public init(id: String, groupId: String, resourceType: ResourceType, resourceId: String, requirement: GrantRequirement = .available,
                assignedAt: Date, assignedBy: String?) {
        self.id = id
        self.groupId = groupId
        self.resourceType = resourceType
        self.resourceId = resourceId
        self.requirement = requirement
        self.assignedAt = assignedAt
        self.assignedBy = assignedBy
    }

    enum CodingKeys: String, CodingKey {
        case id, requirement
        case groupId = "group_id"
        case resourceType = "resource_type"
        case resourceId = "resource_id"
        case assignedAt = "assigned_at"
        case assignedBy = "assigned_by"
    }
}

/// A group with its member and grant counts.
public struct GroupSummary: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var description: String?
    public var isSystem: Bool
    public var createdAt: Date
    public var createdBy: String?
    public var memberCount: Int
    public var grantCount: Int
    public var mappedEmail: String?

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case isSystem = "is_system"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case memberCount = "member_count"
        case grantCount = "grant_count"
        case mappedEmail = "mapped_email"
    }
}
