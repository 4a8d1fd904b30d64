// Groups and their members: create, rename, delete (with memberships and grants), seed Admin and Everyone.
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes `user_groups` and `user_group_members`.
public struct GroupsRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    static let columns = "id, name, description, is_system, created_at, created_by, mapped_email"

    /// Makes sure `Admin` and `Everyone` exist as system groups and every user is a member of `Everyone`.
    /// Safe to run at every start.
    static func seedSystemGroups(_ connection: any StateConnection) throws {
        try connection.transaction { try seedSystemGroups(inTransaction: connection) }
    }

    /// The seeding of `seedSystemGroups`, inside a transaction the caller holds.
    static func seedSystemGroups(inTransaction connection: any StateConnection) throws {
        do {
            for (name, description) in [(Group.adminName, "Administrators: full access to everything"),
                                        (Group.everyoneName, "Every user is a member")] {
                try connection.execute("""
                    INSERT INTO user_groups (id, name, description, is_system, created_by) VALUES ($1, $2, $3, TRUE, 'system:seed')
                    ON CONFLICT (name) DO UPDATE SET is_system = TRUE
                    """, Identifier.make(), name, description)
            }
            try connection.execute("""
                INSERT INTO user_group_members (user_id, group_id, source, added_at, added_by)
                SELECT u.id, g.id, 'system_seed', now(), 'system:seed' FROM users u, user_groups g WHERE g.name = $1
                ON CONFLICT DO NOTHING
                """, Group.everyoneName)
        }
    }

    /// Creates a group; `.conflict` when the name is taken.
    public func create(name: String, description: String? = nil, createdBy: String?) async throws -> Group {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw StateError.invalid("a group needs a name") }
        let id = Identifier.make()
        return try await store.write { connection in
            try mapUniqueViolation("a group named \(name) already exists") {
                try connection.execute("INSERT INTO user_groups (id, name, description, created_by) VALUES ($1, $2, $3, $4)", id, name, description, createdBy)
            }
            return try Self.fetch(connection, id: id)!
        }
    }

    public func get(id: String) async throws -> Group? {
        try await store.read { try Self.fetch($0, id: id) }
    }

    public func find(name: String) async throws -> Group? {
        try await store.read { try $0.fetchOne(Group.self, "SELECT \(Self.columns) FROM user_groups WHERE name = $1", name) }
    }

    /// All groups, system groups first, then by name.
    public func list() async throws -> [Group] {
        try await store.read { try $0.fetchAll(Group.self, "SELECT \(Self.columns) FROM user_groups ORDER BY is_system DESC, name") }
    }

    /// Renames or re-describes a group, or links it to a directory group (`mappedEmail`, lower-cased; `.conflict` when
    /// another group has it). System groups keep their names and are never linked.
    public func update(id: String, name: String? = nil, description: String?? = nil, mappedEmail: FieldUpdate<String> = .keep) async throws -> Group {
        try await store.write { connection in
            guard var group = try Self.fetch(connection, id: id) else { throw StateError.notFound(what: "group", id: id) }
            if let name, name != group.name {
                if group.isSystem { throw StateError.forbidden("the system group \(group.name) cannot be renamed") }
                group.name = name
            }
            if let description { group.description = description }
            if mappedEmail.isGiven {
                if group.isSystem { throw StateError.forbidden("the system group \(group.name) cannot be linked to a directory group") }
                group.mappedEmail = mappedEmail.applied(to: group.mappedEmail)?.lowercased()
                if let email = group.mappedEmail,
                   try connection.scalar(Int64.self, "SELECT count(*) FROM user_groups WHERE mapped_email = $1 AND id <> $2", email, id) ?? 0 > 0 {
                    throw StateError.conflict("another group is linked to \(email)")
                }
            }
            try mapUniqueViolation("a group named \(group.name) already exists") {
                try connection.execute("UPDATE user_groups SET name = $2, description = $3, mapped_email = $4 WHERE id = $1",
                                       id, group.name, group.description, group.mappedEmail)
            }
            return group
        }
    }

    /// The group linked to directory group `email`, if any.
    public func find(mappedEmail email: String) async throws -> Group? {
        try await store.read { try $0.fetchOne(Group.self, "SELECT \(Self.columns) FROM user_groups WHERE mapped_email = $1", email.lowercased()) }
    }

    /// Creates a group managed by the directory, linked to directory group `email`, named `name` — or, when that name
    /// is taken, `name (email)`.
    public func createDirectoryGroup(email: String, name: String, description: String?) async throws -> Group {
        let id = Identifier.make()
        return try await store.write { connection in
            let taken = try connection.scalar(Int64.self, "SELECT count(*) FROM user_groups WHERE name = $1", name) ?? 0 > 0
            try connection.execute("""
                INSERT INTO user_groups (id, name, description, created_by, mapped_email) VALUES ($1, $2, $3, 'system:google-sync', $4)
                """, id, taken ? "\(name) (\(email.lowercased()))" : name, description, email.lowercased())
            return try Self.fetch(connection, id: id)!
        }
    }

    /// Deletes a group with its memberships and grants in one transaction. System groups cannot be deleted.
    public func delete(id: String) async throws {
        try await store.write { connection in
            guard let group = try Self.fetch(connection, id: id) else { throw StateError.notFound(what: "group", id: id) }
            if group.isSystem { throw StateError.forbidden("the system group \(group.name) cannot be deleted") }
            try connection.execute("DELETE FROM resource_grants WHERE group_id = $1", id)
            try connection.execute("DELETE FROM user_group_members WHERE group_id = $1", id)
            try connection.execute("DELETE FROM user_groups WHERE id = $1", id)
        }
    }

    // MARK: Members

    /// Adds a user to a group (no change when already a member).
    public func addMember(userId: String, groupId: String, source: MembershipSource, addedBy: String?) async throws {
        let addedAt = Date()
        do {
            try await store.write { connection in
                // One point read of both rows and a VALUES insert. DuckDB plans a statement that reads a table again at
                // every execution, and an INSERT … SELECT with existence subqueries costs as much to plan as four of these.
                let found = try connection.fetchAll(Found.self, """
                    SELECT 'user' AS kind FROM users WHERE id = $1 UNION ALL SELECT 'group' AS kind FROM user_groups WHERE id = $2
                    """, userId, groupId).map(\.kind)
                guard found.contains("user") else { throw StateError.notFound(what: "user", id: userId) }
                guard found.contains("group") else { throw StateError.notFound(what: "group", id: groupId) }
                try insertRow(connection, into: "user_group_members", ["user_id": userId, "group_id": groupId, "source": source.rawValue,
                                                                       "added_at": addedAt, "added_by": addedBy])
            }
        } catch let error as DuckDBError where error.isUniqueViolation {
            // Already a member: the membership stays as it was first added (this transaction wrote nothing).
        }
    }

    /// Which of a membership's user and group exist.
    private struct Found: Decodable { let kind: String }

    /// Removes a membership written by `source`; rows written by another source are left alone (returns false).
    @discardableResult
    public func removeMember(userId: String, groupId: String, source: MembershipSource) async throws -> Bool {
        try await store.write { connection in
            if let group = try Self.fetch(connection, id: groupId), group.name == Group.everyoneName {
                throw StateError.forbidden("every user is a member of \(Group.everyoneName)")
            }
            return try connection.execute("DELETE FROM user_group_members WHERE user_id = $1 AND group_id = $2 AND source = $3",
                                          userId, groupId, source.rawValue) == 1
        }
    }

    /// The memberships of a group.
    public func members(groupId: String) async throws -> [GroupMembership] {
        try await store.read { connection in
            try connection.fetchAll(GroupMembership.self, """
                SELECT user_id, group_id, source, added_at, added_by FROM user_group_members WHERE group_id = $1 ORDER BY added_at, user_id
                """, groupId)
        }
    }

    /// The groups a user belongs to.
    public func groups(ofUser userId: String) async throws -> [Group] {
        try await store.read { connection in
            try connection.fetchAll(Group.self, """
                SELECT g.id, g.name, g.description, g.is_system, g.created_at, g.created_by, g.mapped_email
                FROM user_groups g JOIN user_group_members m ON m.group_id = g.id
                WHERE m.user_id = $1 ORDER BY g.is_system DESC, g.name
                """, userId)
        }
    }

    /// Every group with how many members and grants it has, system groups first.
    public func summaries() async throws -> [GroupSummary] {
        try await summaries(id: nil)
    }

    /// One group with its member and grant counts, or nil.
    public func summary(id: String) async throws -> GroupSummary? {
        try await summaries(id: id).first
    }

    private func summaries(id: String?) async throws -> [GroupSummary] {
        try await store.read { connection in
            try connection.fetchAll(GroupSummary.self, """
                SELECT g.id, g.name, g.description, g.is_system, g.created_at, g.created_by, g.mapped_email,
                       coalesce(m.n, 0) AS member_count, coalesce(r.n, 0) AS grant_count
                FROM user_groups g
                LEFT JOIN (SELECT group_id, count(*) AS n FROM user_group_members GROUP BY group_id) m ON m.group_id = g.id
                LEFT JOIN (SELECT group_id, count(*) AS n FROM resource_grants GROUP BY group_id) r ON r.group_id = g.id
                WHERE $1::VARCHAR IS NULL OR g.id = $1
                ORDER BY g.is_system DESC, g.name
                """, id)
        }
    }

    /// The members of a group with their names and emails, in the order they joined.
    public func memberDetails(groupId: String) async throws -> [GroupMember] {
        try await store.read { connection in
            try connection.fetchAll(GroupMember.self, """
                SELECT m.user_id, u.email, u.name, u.active, m.source, m.added_at, m.added_by
                FROM user_group_members m JOIN users u ON u.id = m.user_id
                WHERE m.group_id = $1 ORDER BY m.added_at, u.email
                """, groupId)
        }
    }

    /// Every user's memberships, by user id (one query, for lists of users).
    public func membershipsByUser() async throws -> [String: [UserMembership]] {
        let rows = try await store.read { connection in
            try connection.fetchAll(UserMembershipRow.self, """
                SELECT m.user_id, g.id AS group_id, g.name AS group_name, g.is_system, m.source, m.added_at, m.added_by
                FROM user_group_members m JOIN user_groups g ON g.id = m.group_id
                ORDER BY g.is_system DESC, g.name
                """)
        }
        return Dictionary(grouping: rows, by: \.userId).mapValues { $0.map(\.membership) }
    }

    private struct UserMembershipRow: Decodable {
        let userId: String
        let membership: UserMembership
        enum CodingKeys: String, CodingKey { case userId = "user_id" }
        init(from decoder: any Decoder) throws {
            userId = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .userId)
            membership = try UserMembership(from: decoder)
        }
    }

    /// A user's memberships with the groups' names, system groups first.
    public func memberships(ofUser userId: String) async throws -> [UserMembership] {
        try await store.read { connection in
            try connection.fetchAll(UserMembership.self, """
                SELECT g.id AS group_id, g.name AS group_name, g.is_system, m.source, m.added_at, m.added_by
                FROM user_group_members m JOIN user_groups g ON g.id = m.group_id
                WHERE m.user_id = $1 ORDER BY g.is_system DESC, g.name
                """, userId)
        }
    }

    /// How many active users are members of `Admin`, optionally not counting `excludingUserId`.
    public func activeAdminCount(excludingUserId: String? = nil) async throws -> Int {
        try await store.read { connection in
            Int(try connection.scalar(Int64.self, """
                SELECT count(*) FROM user_group_members m JOIN user_groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id
                WHERE g.name = $1 AND u.active AND ($2::VARCHAR IS NULL OR u.id <> $2)
                """, Group.adminName, excludingUserId) ?? 0)
        }
    }

    static func fetch(_ connection: any StateConnection, id: String) throws -> Group? {
        try connection.fetchOne(Group.self, "SELECT \(columns) FROM user_groups WHERE id = $1", id)
    }
}
