// The stack rule (`UserStack`) on its own: which packages and domains are in a user's stack and downloaded, in both
// modes, and which tables packages make readable.
import AgnesAPI
@testable import AgnesDomain
import AgnesState
import Foundation
import Testing

@Suite("stack rule")
struct UserStackTests {
    static let now = Date()

    static func package(_ id: String, tables: [String], domains: [String] = [], deleted: Bool = false) -> DataPackage {
        DataPackage(id: id, slug: id, name: id, tables: tables, memoryDomains: domains, createdAt: now, updatedAt: now, deletedAt: deleted ? now : nil)
    }

    static func grant(_ type: ResourceType, _ id: String, _ requirement: GrantRequirement = .available) -> ResourceGrant {
        ResourceGrant(id: UUID().uuidString, groupId: "g", resourceType: type, resourceId: id, requirement: requirement, assignedAt: now, assignedBy: nil)
    }

    static let catalog = PackageCatalog(
        packages: [package("sales", tables: ["orders", "customers"], domains: ["notes"]), package("catalog", tables: ["orders", "products"]),
                   package("hr", tables: ["salaries"]), package("old", tables: ["legacy"], deleted: true)],
        domains: [MemoryDomain(id: "notes", slug: "notes", name: "Notes", createdAt: now, updatedAt: now),
                  MemoryDomain(id: "faq", slug: "faq", name: "FAQ", createdAt: now, updatedAt: now)])

    static func stack(_ grants: [ResourceGrant], subscribed: [String] = [], mode: StackMode, admin: Bool = false) -> UserStack {
        UserStack(grants: UserGrants(memberships: [], grants: grants,
                                     subscriptions: subscribed.map { StackSubscription(resourceType: .dataPackage, resourceId: $0) }),
                  catalog: catalog, mode: mode, isAdmin: admin)
    }

    @Test("auto: every grant is in the stack, what is required or subscribed is downloaded; a table in two packages is downloaded if either is")
    func auto() {
        let stack = Self.stack([Self.grant(.dataPackage, "sales"), Self.grant(.dataPackage, "catalog", .required), Self.grant(.dataPackage, "old")],
                               subscribed: ["sales"], mode: .auto)
        #expect(Set(stack.packages.keys) == ["sales", "catalog"])
        #expect(stack.packages.values.allSatisfy(\.inStack) && stack.packages.values.allSatisfy(\.materialized))
        #expect(stack.packagedTables == ["orders": true, "customers": true, "products": true])
        let unsubscribed = Self.stack([Self.grant(.dataPackage, "sales"), Self.grant(.dataPackage, "catalog", .required)], mode: .auto)
        #expect(unsubscribed.packages["sales"] == .init(requirement: .available, subscribed: false, inStack: true, materialized: false))
        #expect(unsubscribed.packagedTables == ["orders": true, "customers": false, "products": true])
        // The package's domain comes with it, downloaded when the package is.
        #expect(unsubscribed.domains["notes"] == .init(requirement: .available, subscribed: false, inStack: true, materialized: false))
        #expect(stack.domains["notes"]?.materialized == true)
    }

    @Test("classic: only what is required or subscribed is in the stack, and all of it is downloaded; other grants give no table")
    func classic() {
        let stack = Self.stack([Self.grant(.dataPackage, "sales"), Self.grant(.dataPackage, "hr"), Self.grant(.dataPackage, "catalog", .required)],
                               subscribed: ["sales"], mode: .classic)
        #expect(stack.packages["hr"] == .init(requirement: .available, subscribed: false, inStack: false, materialized: false))
        #expect(stack.packages["sales"]?.inStack == true && stack.packages["catalog"]?.materialized == true)
        #expect(stack.packagedTables == ["orders": true, "customers": true, "products": true])
        #expect(stack.packagedTables["salaries"] == nil)
    }

    @Test("required wins over available across groups; deleted and unknown packages give nothing; nothing without a grant")
    func strongest() {
        let stack = Self.stack([Self.grant(.dataPackage, "sales"), Self.grant(.dataPackage, "sales", .required), Self.grant(.dataPackage, "nope"),
                                Self.grant(.memoryDomain, "faq")], mode: .auto)
        #expect(stack.packages["sales"]?.requirement == .required && stack.packages["nope"] == nil)
        #expect(stack.domains["faq"]?.inStack == true && stack.domains["faq"]?.materialized == false)
        let none = Self.stack([Self.grant(.table, "orders")], mode: .auto)
        #expect(none.packages.isEmpty && none.domains.isEmpty && none.packagedTables.isEmpty)
    }

    @Test("an administrator holds every live package as available unless a group of theirs requires it")
    func administrator() {
        let stack = Self.stack([Self.grant(.dataPackage, "hr", .required)], mode: .auto, admin: true)
        #expect(Set(stack.packages.keys) == ["sales", "catalog", "hr"])
        #expect(stack.packages["hr"]?.requirement == .required && stack.packages["sales"]?.requirement == .available)
        #expect(Set(stack.domains.keys) == ["notes", "faq"])
    }
}
