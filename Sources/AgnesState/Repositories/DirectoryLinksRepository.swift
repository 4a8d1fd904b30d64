// What sign-in with an OpenID provider and the directory's group sync keep: which user a provider's subject is
// (`users.oidc_subject`), and the memberships the sync owns (`source = 'google_sync'`), reconciled in one transaction
// without ever touching a membership an administrator or the seed made.
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes the links between users and the directory.
public struct DirectoryLinksRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    /// The user whose provider subject is `subject`.
    public func user(subject: String) async throws -> User? {
        try await store.read { try $0.fetchOne(User.self, "SELECT \(UsersRepository.columns) FROM users WHERE oidc_subject = $1", subject) }
    }

    /// The provider subject of user `userId`, if they ever signed in through the provider.
    public func subject(ofUser userId: String) async throws -> String? {
        try await store.read { try $0.scalar(String.self, "SELECT oidc_subject FROM users WHERE id = $1", userId) }
    }

    /// Links user `userId` to provider subject `subject` (`.conflict` when another user has it).
    public func link(userId: String, subject: String) async throws {
        try await store.write { connection in
            if try connection.scalar(Int64.self, "SELECT count(*) FROM users WHERE oidc_subject = $1 AND id <> $2", subject, userId) ?? 0 > 0 {
                throw StateError.conflict("another user signs in as this subject")
            }
            try connection.execute("UPDATE users SET oidc_subject = $2 WHERE id = $1", userId, subject)
        }
    }

    /// Active users who signed in through the provider (the scheduled group sync goes over them).
    public func linkedActiveUsers() async throws -> [User] {
        try await store.read {
            try $0.fetchAll(User.self, "SELECT \(UsersRepository.columns) FROM users WHERE oidc_subject IS NOT NULL AND active ORDER BY email")
        }
    }

    /// What a reconciliation changed.
    public struct Reconciliation: Sendable, Equatable {
        /// The ids of the groups joined and left.
        public var added: [String]
        public var removed: [String]

        public init(added: [String], removed: [String]) {
            self.added = added
            self.removed = removed
        }
    }

    /// Makes the directory's memberships of `userId` exactly `groupIds` in one transaction: its `google_sync` rows
    /// in other groups go, missing ones are added; a group where the user already has another membership keeps it.
    public func reconcile(userId: String, groupIds: Set<String>, addedBy: String, at date: Date = Date()) async throws -> Reconciliation {
        try await store.write { connection in
            struct Row: Decodable {
                let groupId: String
                let source: String
                enum CodingKeys: String, CodingKey {
                    case source
                    case groupId = "group_id"
                }
            }
            let current = try connection.fetchAll(Row.self, "SELECT group_id, source FROM user_group_members WHERE user_id = $1", userId)
            let synced = Set(current.filter { $0.source == MembershipSource.googleSync.rawValue }.map(\.groupId))
            let any = Set(current.map(\.groupId))
            let removed = synced.subtracting(groupIds).sorted(), added = groupIds.subtracting(any).sorted()
            for group in removed {
                try connection.execute("DELETE FROM user_group_members WHERE user_id = $1 AND group_id = $2 AND source = 'google_sync'", userId, group)
            }
            for group in added {
                try connection.execute("""
                    INSERT INTO user_group_members (user_id, group_id, source, added_at, added_by) VALUES ($1, $2, 'google_sync', $3, $4)
                    """, userId, group, date, addedBy)
            }
            return Reconciliation(added: added, removed: removed)
        }
    }
}
