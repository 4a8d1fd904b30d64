// `GET /api/me/effective-access` and `GET /api/admin/users/{uid}/effective-access`: every resource a user may use,
// with the groups it comes through.
import Foundation

/// A user's groups and everything their grants reach.
public struct EffectiveAccess: Codable, Sendable, Equatable {
    /// A group a grant comes through.
    public struct Via: Codable, Sendable, Equatable {
        public var groupId: String
        public var groupName: String

        public init(groupId: String, groupName: String) {
            self.groupId = groupId
            self.groupName = groupName
        }

        enum CodingKeys: String, CodingKey {
            case groupId = "group_id"
            case groupName = "group_name"
        }
    }

    /// One granted resource.
    public struct Item: Codable, Sendable, Equatable {
        public var resourceType: ResourceType
        public var resourceId: String
        public var viaGroups: [Via]
        /// For a table with an access policy: whether it applies to the user and what it leaves them.
        @Nullable public var policy: PolicyStatus?

        public init(resourceType: ResourceType, resourceId: String, viaGroups: [Via], policy: PolicyStatus? = nil) {
            self.resourceType = resourceType
            self.resourceId = resourceId
            self.viaGroups = viaGroups
            self.policy = policy
        }

        enum CodingKeys: String, CodingKey {
            case resourceType = "resource_type"
            case resourceId = "resource_id"
            case viaGroups = "via_groups"
            case policy
        }
    }

    /// What a table's access policy does for one user.
    public struct PolicyStatus: Codable, Sendable, Equatable {
        /// False for an administrator with full credentials.
        public var applies: Bool
        /// The rows the policy shows the user (null when it does not apply or cannot be evaluated).
        @Nullable public var rowsVisible: Int64?
        /// `ok`, `empty_slice` (no rows), `not_applied` (bypassed), `not_served` (no data yet) or `policy_error`.
        public var reason: String

        public init(applies: Bool, rowsVisible: Int64?, reason: String) {
            self.applies = applies
            self.rowsVisible = rowsVisible
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case applies, reason
            case rowsVisible = "rows_visible"
        }
    }

    public var userId: String
    public var email: String
    public var isAdmin: Bool
    public var groups: [Via]
    public var items: [Item]
    /// For the caller's own view: `full`, or `workspace` when the credential was made for an agent (it reads through
    /// access policies even for an administrator). Absent in an administrator's view of another user.
    public var credential: String?

    public init(userId: String, email: String, isAdmin: Bool, groups: [Via], items: [Item]) {
        self.userId = userId
        self.email = email
        self.isAdmin = isAdmin
        self.groups = groups
        self.items = items
    }

    enum CodingKeys: String, CodingKey {
        case email, groups, items, credential
        case userId = "user_id"
        case isAdmin = "is_admin"
    }
}
