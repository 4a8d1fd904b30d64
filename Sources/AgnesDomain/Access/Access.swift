// What a caller may do. `Admin` members may do everything; everyone else may use a resource when one of their groups
// holds a grant on it (for a table, also a grant on its folder). The use cases call these rules; a new resource type
// is added in `ResourceType` (state layer), `ResourceTypeInfo.all`, and `Access.isGranted`.
import AgnesAPI
import AgnesState
import Foundation

extension Identity {
    /// 403 "Admin access required" unless the caller is an administrator.
    public func requireAdmin() throws {
        guard isAdmin else { throw ServiceError.adminRequired }
    }
}

/// Resource-level checks.
public struct Access: Sendable {
    let domain: Domain

    /// 403 "not permitted" unless the caller may use the resource (never an empty answer instead).
    public func requireResource(_ type: ResourceType, _ id: String, for identity: Identity) async throws {
        guard try await isGranted(type, id, to: identity) else {
            throw ServiceError(.forbidden, "Access to \(type.rawValue) '\(id)' is not permitted")
        }
    }

    public func isGranted(_ type: ResourceType, _ id: String, to identity: Identity) async throws -> Bool {
        if identity.isAdmin { return true }
        if type == .table {
            // A table is granted directly or through its folder, which the registry knows.
            let folder = try await RegistryRepository(store: domain.state).get(id: id)?.folder
            return try await canRead(tableId: id, folder: folder, identity: identity)
        }
        return try await domain.grants(ofUser: identity.user.id).grants.contains { $0.resourceType == type && $0.resourceId == id }
    }

    /// A test of "may the caller read this table (id, folder)?" over one read of the caller's grants, for lists.
    public func tableReader(for identity: Identity) async throws -> @Sendable (String, String?) -> Bool {
        if identity.isAdmin { return { _, _ in true } }
        let grants = try await domain.grants(ofUser: identity.user.id).grants
        let tables = Set(grants.filter { $0.resourceType == .table }.map(\.resourceId))
        let folders = Set(grants.filter { $0.resourceType == .tableFolder }.map(\.resourceId))
        return { id, folder in tables.contains(id) || folder.map(folders.contains) == true }
    }

    /// The registered tables the caller may read, by id.
    public func readableTables(for identity: Identity) async throws -> [RegisteredTable] {
        let mayRead = try await tableReader(for: identity)
        return try await domain.catalogSnapshot().tables.filter { mayRead($0.id, $0.folder) }
    }

    /// Whether the caller may read a table whose folder is known already (lists such as the manifest check many
    /// tables against one cached set of grants, without a registry read per table).
    public func canRead(tableId: String, folder: String?, identity: Identity) async throws -> Bool {
        if identity.isAdmin { return true }
        return try await domain.grants(ofUser: identity.user.id).grants.contains { grant in
            grant.resourceType == .table && grant.resourceId == tableId
                || grant.resourceType == .tableFolder && folder != nil && grant.resourceId == folder
        }
    }
}
