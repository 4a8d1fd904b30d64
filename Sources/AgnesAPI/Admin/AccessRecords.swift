// Who belongs where and what a grant reaches, as the API shows it (and the state database stores it).
import Foundation

/// Who wrote a membership row; each writer only touches its own rows.
public enum MembershipSource: String, Codable, Sendable, CaseIterable {
    case admin
    case systemSeed = "system_seed"
    /// Written by the directory's group sync (upstream's name, whichever the provider).
    case googleSync = "google_sync"
}

/// What a grant gives access to.
public enum ResourceType: String, Codable, Sendable, CaseIterable {
    case table
    case tableFolder = "table_folder"
    case metricCategory = "metric_category"
    case knowledgeCategory = "knowledge_category"
    case dataPackage = "data_package"
    case memoryDomain = "memory_domain"
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
