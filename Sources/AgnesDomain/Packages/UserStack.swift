// The stack rule, in one place: from a user's grants and subscriptions, which data packages and memory domains are in
// their stack, which of them `agnes pull` downloads, and which tables the packages make readable.
//
// Auto mode (the default, as upstream): every granted package is in the stack; what is downloaded is what is required
// or subscribed. Classic mode: the stack is what is required or subscribed, and all of it is downloaded. Deleted
// packages and domains give nothing. An administrator holds every package and domain (as `available` unless a group
// of theirs is granted it as `required`), so they can browse and subscribe to anything.
import AgnesAPI
import AgnesState
import Foundation

public struct UserStack: Sendable {
    /// One package or domain from the user's side.
    public struct Membership: Sendable, Equatable {
        public var requirement: GrantRequirement
        public var subscribed: Bool
        public var inStack: Bool
        public var materialized: Bool
    }

    public let mode: StackMode
    /// Granted, live packages by id.
    public private(set) var packages: [String: Membership] = [:]
    /// Granted (directly or through a package in the stack), live domains by id.
    public private(set) var domains: [String: Membership] = [:]
    /// The tables of the packages in the stack, each with whether one of those packages is downloaded.
    public private(set) var packagedTables: [String: Bool] = [:]

    public init(grants: UserGrants, catalog: PackageCatalog, mode: StackMode, isAdmin: Bool) {
        self.mode = mode
        let subscribed = Set(grants.subscriptions)
        func membership(_ requirement: GrantRequirement, _ type: StackItemType, _ id: String) -> Membership {
            let isSubscribed = subscribed.contains(StackSubscription(resourceType: type, resourceId: id))
            let chosen = requirement == .required || isSubscribed
            return Membership(requirement: requirement, subscribed: isSubscribed, inStack: mode == .auto || chosen,
                              materialized: chosen)
        }
        func requirements(_ type: ResourceType, live: [String]) -> [String: GrantRequirement] {
            var held: [String: GrantRequirement] = isAdmin ? Dictionary(uniqueKeysWithValues: live.map { ($0, .available) }) : [:]
            let known = Set(live)
            for grant in grants.grants where grant.resourceType == type && known.contains(grant.resourceId) {
                held[grant.resourceId] = max(held[grant.resourceId] ?? .available, grant.requirement)
            }
            return held
        }
        let livePackages = catalog.packages.filter { !$0.isDeleted }
        let liveDomains = Set(catalog.domains.filter { !$0.isDeleted }.map(\.id))
        for (id, requirement) in requirements(.dataPackage, live: livePackages.map(\.id)) {
            packages[id] = membership(requirement, .dataPackage, id)
        }
        for (id, requirement) in requirements(.memoryDomain, live: Array(liveDomains)) {
            domains[id] = membership(requirement, .memoryDomain, id)
        }
        for package in livePackages {
            guard let held = packages[package.id], held.inStack else { continue }
            for table in package.tables { packagedTables[table] = (packagedTables[table] ?? false) || held.materialized }
            // A package's domains come with it: in the stack with it, downloaded when it is.
            for domain in package.memoryDomains where liveDomains.contains(domain) {
                var reached = domains[domain] ?? Membership(requirement: held.requirement, subscribed: false, inStack: true, materialized: false)
                reached.requirement = max(reached.requirement, held.requirement)
                reached.inStack = true
                reached.materialized = reached.materialized || held.materialized
                domains[domain] = reached
            }
        }
    }

    /// The membership of one item, if the user holds it.
    public func membership(_ type: StackItemType, _ id: String) -> Membership? {
        type == .dataPackage ? packages[id] : domains[id]
    }
}
