// Groups of users, their memberships, and the grants that give groups access to resources.
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

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case isSystem = "is_system"
        case createdAt = "created_at"
        case createdBy = "created_by"
    }
}

/// Who wrote a membership row; each writer only touches its own rows.
public enum MembershipSource: String, Codable, Sendable, CaseIterable {
    case admin
    case systemSeed = "system_seed"
    case ssoSync = "sso_sync"
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

/// What a grant gives access to.
public enum ResourceType: String, Codable, Sendable, CaseIterable {
    case table
    case tableFolder = "table_folder"
    case metricCategory = "metric_category"
    case knowledgeCategory = "knowledge_category"
}

/// A row of `resource_grants`: a group may use a resource, optionally only the rows matching `rowFilter`.
public struct ResourceGrant: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var groupId: String
    public var resourceType: ResourceType
    public var resourceId: String
    public var rowFilter: String?
    public var assignedAt: Date
    public var assignedBy: String?

    enum CodingKeys: String, CodingKey {
        case id
        case groupId = "group_id"
        case resourceType = "resource_type"
        case resourceId = "resource_id"
        case rowFilter = "row_filter"
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

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case isSystem = "is_system"
        case createdAt = "created_at"
        case createdBy = "created_by"
        case memberCount = "member_count"
        case grantCount = "grant_count"
    }
}

/// A member of a group, with the user's email, name and status.
public struct GroupMember: Codable, Sendable, Equatable {
    public var userId: String
    public var email: String
    public var name: String?
    public var active: Bool
    public var source: MembershipSource
    public var addedAt: Date
    public var addedBy: String?

    enum CodingKeys: String, CodingKey {
        case email, name, active, source
        case userId = "user_id"
        case addedAt = "added_at"
        case addedBy = "added_by"
    }
}

/// One group a user belongs to, from the user's side.
public struct UserMembership: Codable, Sendable, Equatable {
    public var groupId: String
    public var groupName: String
    public var isSystem: Bool
    public var source: MembershipSource
    public var addedAt: Date
    public var addedBy: String?

    enum CodingKeys: String, CodingKey {
        case source
        case groupId = "group_id"
        case groupName = "group_name"
        case isSystem = "is_system"
        case addedAt = "added_at"
        case addedBy = "added_by"
    }
}
