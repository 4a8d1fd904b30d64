// Users, groups, members and grants, as SPEC 5.3 and the RBAC rules require.
@testable import AgnesState
import DuckDB
import Foundation
import Testing

@Suite("users, groups and grants")
struct AccessRepositoriesTests {
    @Test("users are created, found by email ignoring case, updated and deleted", arguments: StateBackendUnderTest.all)
    func usersCRUD(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let users = UsersRepository(store: store)
            let ada = try await users.create(email: "  Ada@Example.COM ", name: "Ada")
            #expect(ada.email == "ada@example.com")
            #expect(ada.active)
            #expect(try await users.find(email: "ADA@example.com")?.id == ada.id)
            #expect(try await users.get(id: ada.id) == ada)

            let conflict = await #expect(throws: StateError.self) { try await users.create(email: "ada@EXAMPLE.com") }
            #expect(conflict == .conflict("a user with email ada@example.com already exists"))
            await #expect(throws: StateError.invalid("'not-an-email' is not an email address")) { try await users.create(email: "not-an-email") }

            let renamed = try await users.update(id: ada.id, name: "Ada Lovelace", email: "Lovelace@example.com")
            #expect(renamed.name == "Ada Lovelace" && renamed.email == "lovelace@example.com")
            #expect(try await users.find(email: "ada@example.com") == nil)

            try await users.setPasswordHash(id: ada.id, "$2b$12$hash")
            try await users.recordLogin(id: ada.id)
            let reloaded = try #require(try await users.get(id: ada.id))
            #expect(reloaded.passwordHash == "$2b$12$hash")
            #expect(reloaded.lastLoginAt != nil)

            try await users.delete(id: ada.id)
            #expect(try await users.get(id: ada.id) == nil)
            await #expect(throws: StateError.notFound(what: "user", id: ada.id)) { try await users.delete(id: ada.id) }
        }
    }

    @Test("a deactivated user is kept but listed only on request, and can be reactivated", arguments: StateBackendUnderTest.all)
    func deactivation(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let users = UsersRepository(store: store)
            let bob = try await users.create(email: "bob@example.com")
            try await users.deactivate(id: bob.id, by: "admin-1")
            let inactive = try #require(try await users.get(id: bob.id))
            #expect(!inactive.active && inactive.deactivatedBy == "admin-1" && inactive.deactivatedAt != nil)
            #expect(try await users.list(includeInactive: false).isEmpty)
            #expect(try await users.list().map(\.id) == [bob.id])
            try await users.reactivate(id: bob.id)
            let active = try #require(try await users.get(id: bob.id))
            #expect(active.active && active.deactivatedAt == nil && active.deactivatedBy == nil)
        }
    }

    @Test("Admin and Everyone are seeded once, and every user is a member of Everyone", arguments: StateBackendUnderTest.all)
    func systemGroups(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let groups = GroupsRepository(store: store)
            let seeded = try await groups.list()
            #expect(seeded.map(\.name) == ["Admin", "Everyone"])
            #expect(seeded.allSatisfy { $0.isSystem })
            // Seeding again (as every start does) changes nothing.
            try await store.read { try GroupsRepository.seedSystemGroups($0) }
            #expect(try await groups.list() == seeded)

            let user = try await UsersRepository(store: store).create(email: "carol@example.com")
            #expect(try await groups.groups(ofUser: user.id).map(\.name) == ["Everyone"])
            let everyone = try #require(seeded.first { $0.name == "Everyone" })
            await #expect(throws: StateError.self) { try await groups.removeMember(userId: user.id, groupId: everyone.id, source: .systemSeed) }
        }
    }

    @Test("a system group cannot be deleted or renamed", arguments: StateBackendUnderTest.all)
    func systemGroupProtected(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let groups = GroupsRepository(store: store)
            let admin = try #require(try await groups.find(name: "Admin"))
            await #expect(throws: StateError.forbidden("the system group Admin cannot be deleted")) { try await groups.delete(id: admin.id) }
            await #expect(throws: StateError.forbidden("the system group Admin cannot be renamed")) { try await groups.update(id: admin.id, name: "Root") }
            let described = try await groups.update(id: admin.id, description: "The operators")
            #expect(described.description == "The operators" && described.name == "Admin")
        }
    }

    @Test("deleting a group removes its memberships and grants in one transaction", arguments: StateBackendUnderTest.all)
    func groupDeletionCascades(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let groups = GroupsRepository(store: store), grants = GrantsRepository(store: store)
            let user = try await UsersRepository(store: store).create(email: "dan@example.com")
            let analysts = try await groups.create(name: "Analysts", createdBy: "admin")
            try await groups.addMember(userId: user.id, groupId: analysts.id, source: .admin, addedBy: "admin")
            _ = try await grants.grant(groupId: analysts.id, type: .table, resourceId: "orders", assignedBy: "admin")
            #expect(try await grants.grants(forUser: user.id).map(\.resourceId) == ["orders"])

            try await groups.delete(id: analysts.id)
            #expect(try await groups.get(id: analysts.id) == nil)
            #expect(try await grants.grants(forUser: user.id).isEmpty)
            let leftovers = try await store.read { connection in
                (try connection.scalar(Int64.self, "SELECT count(*) FROM user_group_members WHERE group_id = $1", analysts.id) ?? -1)
                    + (try connection.scalar(Int64.self, "SELECT count(*) FROM resource_grants WHERE group_id = $1", analysts.id) ?? -1)
            }
            #expect(leftovers == 0)
        }
    }

    @Test("memberships are removed only by the source that wrote them", arguments: StateBackendUnderTest.all)
    func membershipSources(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let groups = GroupsRepository(store: store)
            let user = try await UsersRepository(store: store).create(email: "eve@example.com")
            let synced = try await groups.create(name: "Finance", createdBy: "system:sso")
            try await groups.addMember(userId: user.id, groupId: synced.id, source: .googleSync, addedBy: "sso")
            #expect(try await groups.removeMember(userId: user.id, groupId: synced.id, source: .admin) == false)
            #expect(try await groups.members(groupId: synced.id).map(\.source) == [.googleSync])
            #expect(try await groups.removeMember(userId: user.id, groupId: synced.id, source: .googleSync) == true)
            #expect(try await groups.members(groupId: synced.id).isEmpty)
        }
    }

    @Test("adding a member twice keeps the first membership; unknown users and groups are named", arguments: StateBackendUnderTest.all)
    func addMemberRules(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let groups = GroupsRepository(store: store)
            let user = try await UsersRepository(store: store).create(email: "gil@example.com")
            let group = try await groups.create(name: "Ops", createdBy: nil)
            try await groups.addMember(userId: user.id, groupId: group.id, source: .admin, addedBy: "admin")
            try await groups.addMember(userId: user.id, groupId: group.id, source: .googleSync, addedBy: "sso")
            let members = try await groups.members(groupId: group.id)
            #expect(members.count == 1 && members.first?.source == .admin && members.first?.addedBy == "admin")
            // Added without an `added_by`: stored as NULL.
            let other = try await UsersRepository(store: store).create(email: "hal@example.com")
            try await groups.addMember(userId: other.id, groupId: group.id, source: .admin, addedBy: nil)
            #expect(try await groups.members(groupId: group.id).first { $0.userId == other.id }.map { $0.addedBy == nil } == true)
            await #expect(throws: StateError.notFound(what: "user", id: "nobody")) {
                try await groups.addMember(userId: "nobody", groupId: group.id, source: .admin, addedBy: nil)
            }
            await #expect(throws: StateError.notFound(what: "group", id: "nogroup")) {
                try await groups.addMember(userId: user.id, groupId: "nogroup", source: .admin, addedBy: nil)
            }
        }
    }

    @Test("concurrent adds of the same membership all succeed and leave one row", arguments: StateBackendUnderTest.all)
    func concurrentAddMember(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let groups = GroupsRepository(store: store)
            let user = try await UsersRepository(store: store).create(email: "hana@example.com")
            let group = try await groups.create(name: "Ops", createdBy: nil)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for _ in 0..<16 {
                    tasks.addTask { try await groups.addMember(userId: user.id, groupId: group.id, source: .admin, addedBy: "admin") }
                }
                try await tasks.waitForAll()
            }
            #expect(try await groups.members(groupId: group.id).map(\.userId) == [user.id])
        }
    }

    // DuckDB's own behaviour (PostgreSQL makes the second insert wait for the first transaction instead).
    @Test("a key two open transactions both insert fails the second COMMIT with an error the store retries")
    func duplicateAtCommit() async throws {
        try await withStore { store in
            let first = try store.embeddedDatabase!.connect(), second = try store.embeddedDatabase!.connect()
            defer { first.close(); second.close() }
            for connection in [first, second] {
                try connection.execute("BEGIN TRANSACTION")
                try connection.execute("INSERT INTO knowledge_votes (item_id, user_id, vote, voted_at) VALUES ('item', 'u1', 1, now())")
            }
            try first.execute("COMMIT")
            let error = #expect(throws: DuckDBError.self) { try second.execute("COMMIT") }
            #expect(error?.isDuplicateAtCommit == true, "\(String(describing: error))")
            #expect(error?.isUniqueViolation == false)
        }
    }

    @Test("a grant is unique per group, resource type and resource id", arguments: StateBackendUnderTest.all)
    func grantUniqueness(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let groups = GroupsRepository(store: store), grants = GrantsRepository(store: store)
            let group = try await groups.create(name: "Sales", createdBy: nil)
            let first = try await grants.grant(groupId: group.id, type: .table, resourceId: "orders", assignedBy: "admin")
            #expect(first.resourceType == .table)
            await #expect(throws: StateError.conflict("the group already has a table grant on orders")) {
                try await grants.grant(groupId: group.id, type: .table, resourceId: "orders", assignedBy: "admin")
            }
            // The same id under another resource type is a different grant.
            _ = try await grants.grant(groupId: group.id, type: .tableFolder, resourceId: "orders", assignedBy: "admin")
            #expect(try await grants.list(groupId: group.id).count == 2)
            await #expect(throws: StateError.notFound(what: "group", id: "missing")) {
                try await grants.grant(groupId: "missing", type: .table, resourceId: "x", assignedBy: nil)
            }
            try await grants.revoke(id: first.id)
            #expect(try await grants.list(groupId: group.id).map(\.resourceType) == [.tableFolder])
        }
    }

    @Test("32 concurrent read-modify-write transactions on the same row lose no update")
    func concurrentReadModifyWrite() async throws {
        try await withDataDirectory { directory in
            let store = try StateStore.open(dataDirectory: directory)
            _ = try await store.write { try $0.execute("INSERT INTO instance_templates (key, content) VALUES ('counter', '0')") }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        try await store.write { connection in
                            let value = Int(try connection.scalar(String.self, "SELECT content FROM instance_templates WHERE key = 'counter'") ?? "0")!
                            try connection.execute("UPDATE instance_templates SET content = $1 WHERE key = 'counter'", String(value + 1))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try await store.read { try $0.scalar(String.self, "SELECT content FROM instance_templates WHERE key = 'counter'") }
            #expect(final == "32")
            try await store.close()
        }
    }

    @Test("group summaries count members and grants written after an earlier read (no stale cached plan)")
    func summariesAfterWrites() async throws {
        let store = try StateStore.inMemory(poolSize: 1)
        let groups = GroupsRepository(store: store)
        let group = try await groups.create(name: "Finance", createdBy: nil)
        let user = try await UsersRepository(store: store).create(email: "sam@example.com")
        #expect(try await groups.summaries().first { $0.id == group.id }?.grantCount == 0)
        _ = try await GrantsRepository(store: store).grant(groupId: group.id, type: .table, resourceId: "orders", assignedBy: nil)
        try await groups.addMember(userId: user.id, groupId: group.id, source: .admin, addedBy: nil)
        let summary = try #require(try await groups.summaries().first { $0.id == group.id })
        #expect(summary.grantCount == 1 && summary.memberCount == 1)
        try await store.close()
    }
}
