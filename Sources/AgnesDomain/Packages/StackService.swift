// An analyst's stack (`/api/stack`, `agnes stack`, the web UI's package cards): what their groups are granted, what
// is in their stack, and subscribing to what is available. The rule itself is `UserStack`.
import AgnesAPI
import AgnesState
import Foundation

public struct StackService: Sendable {
    let domain: Domain

    /// Everything the caller holds (`browse: true`), or only what is in their stack; optionally of one type.
    public func listing(type: String?, browse: Bool, for caller: Caller) async throws -> StackListing {
        let only = try type.map(Self.itemType)
        let stack = try await domain.access.stack(for: caller.identity)
        let catalog = try await domain.packageCatalog()
        let sizes = try await domain.catalogSnapshot().states.mapValues { $0.fileSizeBytes ?? 0 }
        var items: [StackItem] = []
        if only != .memoryDomain {
            for package in catalog.packages {
                guard let held = stack.packages[package.id], browse || held.inStack else { continue }
                items.append(StackItem(type: .dataPackage, id: package.id, slug: package.slug, name: package.name, description: package.description,
                                       icon: package.icon, color: package.color, category: package.category, tags: package.tags, status: package.status,
                                       requirement: held.requirement, subscribed: held.subscribed, inStack: held.inStack, materialized: held.materialized,
                                       tables: package.tables, itemsCount: package.tables.count,
                                       sizeBytes: package.tables.reduce(0) { $0 + (sizes[$1] ?? 0) }))
            }
        }
        if only != .dataPackage {
            for memoryDomain in catalog.domains {
                guard let held = stack.domains[memoryDomain.id], browse || held.inStack else { continue }
                items.append(StackItem(type: .memoryDomain, id: memoryDomain.id, slug: memoryDomain.slug, name: memoryDomain.name,
                                       description: memoryDomain.description, icon: memoryDomain.icon, color: memoryDomain.color,
                                       category: memoryDomain.category, tags: memoryDomain.tags, status: nil, requirement: held.requirement,
                                       subscribed: held.subscribed, inStack: held.inStack, materialized: held.materialized, tables: [],
                                       itemsCount: memoryDomain.items.count, sizeBytes: 0))
            }
        }
        return StackListing(mode: stack.mode, items: items)
    }

    /// Takes an available package or domain into the caller's stack (and `agnes pull`'s downloads). 403 `no_grant`
    /// when none of their groups holds it (an unknown id answers the same), 400 `already_required`.
    /// The resource's id is its id or its slug (as `agnes stack` and the MCP tool take it).
    public func subscribe(_ request: StackSubscribeRequest, for caller: Caller) async throws -> StackSubscribed {
        let type = try Self.itemType(request.resourceType)
        let id = try await self.id(of: request.resourceId, type)
        caller.audit.record("stack.subscribed", resource: "\(type.rawValue):\(id)")
        guard let held = try await domain.access.stack(for: caller.identity).membership(type, id) else {
            throw ServiceError(.forbidden, "no_grant")
        }
        guard held.requirement != .required else { throw ServiceError.badRequest("already_required") }
        _ = try await StackRepository(store: domain.state).subscribe(userId: caller.identity.user.id, StackSubscription(resourceType: type, resourceId: id))
        return StackSubscribed(subscribed: true)
    }

    /// Leaves a subscription (204 also when there was none). 400 `cannot_remove_required` for what a group requires.
    public func unsubscribe(type text: String, id reference: String, for caller: Caller) async throws {
        let type = try Self.itemType(text)
        let id = try await self.id(of: reference, type)
        caller.audit.record("stack.unsubscribed", resource: "\(type.rawValue):\(id)")
        if try await domain.access.stack(for: caller.identity).membership(type, id)?.requirement == .required {
            throw ServiceError.badRequest("cannot_remove_required")
        }
        _ = try await StackRepository(store: domain.state).unsubscribe(userId: caller.identity.user.id, StackSubscription(resourceType: type, resourceId: id))
    }

    /// The id of the package or domain named by id or slug (the reference itself when none is: the grant check then
    /// refuses it like any other).
    func id(of reference: String, _ type: StackItemType) async throws -> String {
        let catalog = try await domain.packageCatalog()
        let found: String? = switch type {
        case .dataPackage: catalog.packages.first { $0.id == reference || $0.slug == reference }?.id
        case .memoryDomain: catalog.domains.first { $0.id == reference || $0.slug == reference }?.id
        }
        return found ?? reference
    }

    static func itemType(_ text: String) throws -> StackItemType {
        guard let type = StackItemType(rawValue: text) else {
            throw ServiceError.badRequest("Unknown type '\(text)'. Known types: \(StackItemType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return type
    }
}
