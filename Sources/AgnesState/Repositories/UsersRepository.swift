// Users: create, look up (by id or case-insensitive email), update, deactivate/reactivate, delete.
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes `users`. Every new user also becomes a member of `Everyone`.
public struct UsersRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    static let columns = "id, email, name, password_hash, active, deactivated_at, deactivated_by, created_at, updated_at, last_login_at, session_epoch"

    /// Creates a user. Throws `.conflict` when the email is taken (ignoring case), `.invalid` when it is not an email.
    public func create(email: String, name: String? = nil, passwordHash: String? = nil) async throws -> User {
        let email = User.normalize(email: email)
        guard Self.looksLikeEmail(email) else { throw StateError.invalid("'\(email)' is not an email address") }
        // Timestamps are set here (to the microsecond DuckDB keeps) so the new row need not be read back.
        let now = DuckDBTimestamp(Date()).date
        let everyoneGroupId = store.everyoneGroupId
        let user = User(id: Identifier.make(), email: email, name: name, passwordHash: passwordHash, active: true, deactivatedAt: nil,
                        deactivatedBy: nil, createdAt: now, updatedAt: now, lastLoginAt: nil)
        return try await store.write { connection in
            try mapUniqueViolation("a user with email \(email) already exists") {
                try insertRow(connection, into: "users", ["id": user.id, "email": email, "name": name, "password_hash": passwordHash,
                                                          "created_at": now, "updated_at": now])
            }
            // A VALUES insert with the group's id plans faster than an INSERT … SELECT that looks the group up.
            try connection.execute("""
                INSERT INTO user_group_members (user_id, group_id, source, added_at, added_by) VALUES ($1, $2, 'system_seed', $3, 'system:seed')
                """, user.id, everyoneGroupId, now)
            return user
        }
    }

    /// The user with `id`, or nil.
    public func get(id: String) async throws -> User? {
        try await store.read { try Self.fetch($0, id: id) }
    }

    /// The user with `email`, compared without regard to case, or nil.
    public func find(email: String) async throws -> User? {
        let email = User.normalize(email: email)
        return try await store.read { connection in
            try connection.fetchOne(User.self, "SELECT \(Self.columns) FROM users WHERE email = $1", email)
        }
    }

    /// A user with the ids of their groups and whether one of them is `Admin`, read together; nil for an unknown id.
    public func access(id: String) async throws -> UserAccess? {
        try await store.read { connection in
            guard let user = try Self.fetch(connection, id: id) else { return nil }
            let groups = try connection.fetchAll(GroupRef.self, """
                SELECT g.id, g.name FROM user_group_members m JOIN user_groups g ON g.id = m.group_id WHERE m.user_id = $1
                """, id)
            return UserAccess(user: user, groupIds: Set(groups.map(\.id)), isAdmin: groups.contains { $0.name == Group.adminName })
        }
    }

    private struct GroupRef: Decodable { let id: String; let name: String }

    /// The first-admin claim: only while no user has a password, creates the user (or updates the one with this email),
    /// sets the password hash and adds the user to `Admin` — one transaction, so of concurrent claims exactly one wins.
    /// Returns nil when bootstrap is closed.
    public func claimBootstrap(email: String, name: String?, passwordHash: String) async throws -> User? {
        let email = User.normalize(email: email)
        guard Self.looksLikeEmail(email) else { throw StateError.invalid("'\(email)' is not an email address") }
        let newId = Identifier.make()
        do {
            return try await claim(id: newId, email: email, name: name, passwordHash: passwordHash)
        } catch let error as DuckDBError {
            // A claim that lost to another one can fail in ways `write` does not retry (on a starved machine a clean-clone
            // run saw one 500 among six claims): once another claim has committed, this one's answer is "closed".
            if try await anyUserHasPassword() { return nil }
            throw error
        }
    }

    private func claim(id newId: String, email: String, name: String?, passwordHash: String) async throws -> User? {
        try await store.write { connection in
            guard try connection.scalar(Bool.self, "SELECT count(*) = 0 FROM users WHERE password_hash IS NOT NULL") == true else { return nil }
            // Concurrent claims insert different users, which DuckDB would not see as conflicting (a no-op update of
            // a shared row did not make them conflict either: six claims at once made four admins). All of them
            // write the one claim row: DuckDB lets only the first commit it, the others fail on its key at commit,
            // are retried by `write`, and then find the bootstrap closed.
            try connection.execute("""
                INSERT INTO bootstrap_claim (id, user_id, claimed_at) VALUES (1, $1, now())
                ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, claimed_at = excluded.claimed_at
                """, newId)
            let existing = try connection.fetchOne(User.self, "SELECT \(Self.columns) FROM users WHERE email = $1", email)
            let id = existing?.id ?? newId
            if existing == nil {
                try connection.execute("""
                    INSERT INTO users (id, email, name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, now(), now())
                    """, id, email, name, passwordHash)
            } else {
                try connection.execute("""
                    UPDATE users SET password_hash = $2, name = coalesce($3, name), active = TRUE, deactivated_at = NULL,
                    deactivated_by = NULL, updated_at = now() WHERE id = $1
                    """, id, passwordHash, name)
            }
            try connection.execute("""
                INSERT INTO user_group_members (user_id, group_id, source, added_at, added_by)
                SELECT $1, id, 'system_seed', now(), 'system:bootstrap' FROM user_groups WHERE name IN ($2, $3)
                ON CONFLICT DO NOTHING
                """, id, Group.adminName, Group.everyoneName)
            return try Self.fetch(connection, id: id)
        }
    }

    /// True when some user has a password (the bootstrap endpoint closes then).
    public func anyUserHasPassword() async throws -> Bool {
        try await store.read { try $0.scalar(Bool.self, "SELECT count(*) > 0 FROM users WHERE password_hash IS NOT NULL") ?? false }
    }

    /// How many users there are, and how many of them are active.
    public func counts() async throws -> (total: Int, active: Int) {
        try await store.read { connection in
            let row = try connection.fetchOne(UserCounts.self, "SELECT count(*) AS total, count(*) FILTER (WHERE active) AS active FROM users")!
            return (row.total, row.active)
        }
    }

    private struct UserCounts: Decodable { let total: Int; let active: Int }

    /// All users ordered by email; inactive ones only when asked.
    public func list(includeInactive: Bool = true) async throws -> [User] {
        try await store.read { connection in
            try connection.fetchAll(User.self, "SELECT \(Self.columns) FROM users WHERE active OR $1 ORDER BY email", includeInactive)
        }
    }

    /// Changes the name and/or email of a user (nil leaves a field as it is).
    public func update(id: String, name: String?? = nil, email: String? = nil) async throws -> User {
        let email = email.map(User.normalize(email:))
        if let email, !Self.looksLikeEmail(email) { throw StateError.invalid("'\(email)' is not an email address") }
        return try await store.write { connection in
            guard var user = try Self.fetch(connection, id: id) else { throw StateError.notFound(what: "user", id: id) }
            if let name { user.name = name }
            if let email, email != user.email {
                try mapUniqueViolation("a user with email \(email) already exists") {
                    try connection.execute("UPDATE users SET email = $2, updated_at = now() WHERE id = $1", id, email)
                }
            }
            try connection.execute("UPDATE users SET name = $2, updated_at = now() WHERE id = $1", id, user.name)
            return try Self.fetch(connection, id: id)!
        }
    }

    /// Replaces a password hash by an equivalent one (an argon2id hash upgraded to bcrypt at sign-in): sessions stay.
    public func setPasswordHash(id: String, _ hash: String?) async throws {
        try await changeOne(id: id, "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", hash)
    }

    /// How a new password came to be, which decides what it ends.
    public enum PasswordChange: Sendable {
        /// Set by the user (a setup link) or by an administrator: every session issued before it ends.
        case change
        /// Set through a reset link (the old credentials may be compromised): sessions end and every personal access
        /// token of the user is revoked too.
        case reset
    }

    /// Stores a new password and ends what `kind` says, in one transaction. Returns the user as stored now (with the
    /// new session epoch, for the session issued next) and how many personal access tokens were revoked.
    public func changePassword(id: String, hash: String, kind: PasswordChange, at date: Date = Date()) async throws -> (user: User, revokedTokens: Int) {
        try await store.write { connection in
            guard try connection.execute("""
                UPDATE users SET password_hash = $2, session_epoch = coalesce(session_epoch, 0) + 1, updated_at = now() WHERE id = $1
                """, id, hash) == 1 else { throw StateError.notFound(what: "user", id: id) }
            let revoked = kind == .reset ? try Self.revokeTokens(connection, userId: id, at: date) : 0
            return (try Self.fetch(connection, id: id)!, revoked)
        }
    }

    /// Deactivates a user: they can no longer sign in, their sessions end and their personal access tokens are revoked
    /// (so a later reactivation revives none of them); their data stays. Returns how many tokens were revoked.
    @discardableResult
    public func deactivate(id: String, by actor: String?, at date: Date = Date()) async throws -> Int {
        try await store.write { connection in
            guard try connection.execute("""
                UPDATE users SET active = FALSE, deactivated_at = now(), deactivated_by = $2, session_epoch = coalesce(session_epoch, 0) + 1,
                    updated_at = now() WHERE id = $1
                """, id, actor) == 1 else { throw StateError.notFound(what: "user", id: id) }
            return try Self.revokeTokens(connection, userId: id, at: date)
        }
    }

    /// Reactivates a deactivated user (with no session or token of before: they sign in anew).
    public func reactivate(id: String) async throws {
        try await changeOne(id: id, "UPDATE users SET active = TRUE, deactivated_at = NULL, deactivated_by = NULL, updated_at = now() WHERE id = $1")
    }

    static func revokeTokens(_ connection: any StateConnection, userId: String, at date: Date) throws -> Int {
        try connection.execute("UPDATE personal_access_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL", userId, date)
    }

    /// Records a successful sign-in.
    public func recordLogin(id: String, at date: Date = Date()) async throws {
        try await changeOne(id: id, "UPDATE users SET last_login_at = $2 WHERE id = $1", date)
    }

    /// Deletes a user with their memberships and tokens, in one transaction.
    public func delete(id: String) async throws {
        try await store.write { connection in
            try connection.execute("DELETE FROM user_group_members WHERE user_id = $1", id)
            try connection.execute("DELETE FROM personal_access_tokens WHERE user_id = $1", id)
            try connection.execute("DELETE FROM one_time_tokens WHERE user_id = $1", id)
            try connection.execute("DELETE FROM stack_subscriptions WHERE user_id = $1", id)
            guard try connection.execute("DELETE FROM users WHERE id = $1", id) == 1 else {
                throw StateError.notFound(what: "user", id: id)
            }
        }
    }

    /// Runs an UPDATE of one user (`$1` is the id, `values` follow); `.notFound` when no row matched.
    private func changeOne(id: String, _ sql: String, _ values: (any DuckDBValueConvertible)?...) async throws {
        let parameters: [(any DuckDBValueConvertible)?] = [id] + values
        try await store.write { connection in
            guard try connection.execute(sql, parameters: parameters) == 1 else { throw StateError.notFound(what: "user", id: id) }
        }
    }

    static func fetch(_ connection: any StateConnection, id: String) throws -> User? {
        try connection.fetchOne(User.self, "SELECT \(columns) FROM users WHERE id = $1", id)
    }

    static func looksLikeEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && !email.contains(where: \.isWhitespace)
    }
}
