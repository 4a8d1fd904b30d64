// Resource grants: which group may use which table, folder, metric category or knowledge category.
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes `resource_grants`.
public struct GrantsRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    static let columns = "id, group_id, resource_type, resource_id, requirement, assigned_at, assigned_by"

    /// Grants a resource to a group; `.conflict` when that exact grant exists, `.notFound` for an unknown group.
    public func grant(groupId: String, type: ResourceType, resourceId: String, requirement: GrantRequirement = .available,
                      assignedBy: String?) async throws -> ResourceGrant {
        guard !resourceId.isEmpty else { throw StateError.invalid("a grant needs a resource id") }
        let id = Identifier.make()
        return try await store.write { connection in
            guard try GroupsRepository.fetch(connection, id: groupId) != nil else { throw StateError.notFound(what: "group", id: groupId) }
            try mapUniqueViolation("the group already has a \(type.rawValue) grant on \(resourceId)") {
                try connection.execute("""
                    INSERT INTO resource_grants (id, group_id, resource_type, resource_id, requirement, assigned_by)
                    VALUES ($1, $2, $3, $4, $5, $6)
                    """, id, groupId, type.rawValue, resourceId, requirement.rawValue, assignedBy)
            }
            return try connection.fetchOne(ResourceGrant.self, "SELECT \(Self.columns) FROM resource_grants WHERE id = $1", id)!
        }
    }

    /// Removes a grant.
    public func revoke(id: String) async throws {
        try await store.write { connection in
            guard try connection.execute("DELETE FROM resource_grants WHERE id = $1", id) == 1 else {
                throw StateError.notFound(what: "grant", id: id)
            }
        }
    }

    /// Grants held by a group, or by every group when `groupId` is nil.
    public func list(groupId: String?) async throws -> [ResourceGrant] {
        try await store.read { connection in
            try connection.fetchAll(ResourceGrant.self, """
                SELECT \(Self.columns) FROM resource_grants WHERE $1::VARCHAR IS NULL OR group_id = $1 ORDER BY resource_type, resource_id, group_id
                """, groupId)
        }
    }

    /// Every grant that applies to a user through any of their groups.
    public func grants(forUser userId: String) async throws -> [ResourceGrant] {
        try await store.read { connection in
            try connection.fetchAll(ResourceGrant.self, """
                SELECT g.id, g.group_id, g.resource_type, g.resource_id, g.requirement, g.assigned_at, g.assigned_by
                FROM resource_grants g JOIN user_group_members m ON m.group_id = g.group_id
                WHERE m.user_id = $1 ORDER BY g.resource_type, g.resource_id
                """, userId)
        }
    }
}
