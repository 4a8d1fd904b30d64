// Data packages, memory domains and the stack: the analyst's side (`/api/stack`) and the administrators'
// (`/api/admin/data-packages`, `/api/admin/memory-domains`).
import AgnesAPI
import Foundation

/// Which collection an administration call is about, with its path.
public enum PackageCollection: Sendable {
    case dataPackages, memoryDomains

    var path: String { self == .dataPackages ? "/api/admin/data-packages" : "/api/admin/memory-domains" }
}

extension APIClient {
    // MARK: - Stack

    /// `GET /api/stack` (`browse: false`) or `GET /api/stack/browse`.
    public func stack(browse: Bool, type: StackItemType? = nil) async throws -> StackListing {
        try await get((browse ? "/api/stack/browse" : "/api/stack") + Self.query([("type", type?.rawValue)]))
    }

    /// `POST /api/stack/subscribe`.
    public func subscribe(_ type: StackItemType, _ id: String) async throws -> StackSubscribed {
        try await send(.POST, "/api/stack/subscribe", json: StackSubscribeRequest(resourceType: type.rawValue, resourceId: id))
    }

    /// `DELETE /api/stack/subscription/{type}/{id}`.
    public func unsubscribe(_ type: StackItemType, _ id: String) async throws {
        _ = try await call(.DELETE, "/api/stack/subscription/\(type.rawValue)/\(Self.segment(id))")
    }

    // MARK: - Administration

    /// `GET /api/admin/data-packages`.
    public func dataPackages(includeDeleted: Bool = false) async throws -> DataPackageList {
        try await get(PackageCollection.dataPackages.path + Self.query([("include_deleted", includeDeleted ? "true" : nil)]))
    }

    /// `GET /api/admin/memory-domains`.
    public func memoryDomains(includeDeleted: Bool = false) async throws -> MemoryDomainList {
        try await get(PackageCollection.memoryDomains.path + Self.query([("include_deleted", includeDeleted ? "true" : nil)]))
    }

    /// `POST /api/admin/data-packages`.
    public func createDataPackage(_ request: PackageRequest) async throws -> DataPackage {
        try await send(.POST, PackageCollection.dataPackages.path, json: request)
    }

    /// `POST /api/admin/memory-domains`.
    public func createMemoryDomain(_ request: PackageRequest) async throws -> MemoryDomain {
        try await send(.POST, PackageCollection.memoryDomains.path, json: request)
    }

    /// `DELETE …/{id}` (soft) or `POST …/{id}/restore`.
    public func setDeleted(_ collection: PackageCollection, _ id: String, deleted: Bool) async throws {
        if deleted {
            _ = try await call(.DELETE, "\(collection.path)/\(Self.segment(id))")
        } else {
            _ = try await call(.POST, "\(collection.path)/\(Self.segment(id))/restore")
        }
    }

    /// `POST …/{id}/<segment>` with the member's field (`tables` → `table_id`, …).
    public func addMember(_ collection: PackageCollection, _ id: String, segment: String, _ member: PackageMemberRequest) async throws -> PackageMemberAdded {
        try await send(.POST, "\(collection.path)/\(Self.segment(id))/\(segment)", json: member)
    }

    /// `DELETE …/{id}/<segment>/{member}`.
    public func removeMember(_ collection: PackageCollection, _ id: String, segment: String, _ member: String) async throws {
        _ = try await call(.DELETE, "\(collection.path)/\(Self.segment(id))/\(segment)/\(Self.segment(member))")
    }
}
