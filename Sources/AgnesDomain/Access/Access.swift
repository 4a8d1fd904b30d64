// What a caller may do. `Admin` members may do everything; everyone else may use a resource when one of their groups
// holds a grant on it (for a table: on the table, its folder, or a data package in their stack — `UserStack`). The use
// cases call these rules; a new resource type is added in `ResourceType` (state layer), `ResourceTypeInfo.all`, and
// `Access.isGranted`.
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
        switch type {
        case .table:
            // A table is granted directly, through its folder (which the registry knows), or through a package.
            let folder = try await RegistryRepository(store: domain.state).get(id: id)?.folder
            return try await canRead(tableId: id, folder: folder, identity: identity)
        case .dataPackage:
            return try await stack(for: identity).packages[id]?.inStack == true
        case .memoryDomain:
            return try await stack(for: identity).domains[id]?.inStack == true
        case .tableFolder, .metricCategory, .knowledgeCategory:
            return try await domain.grants(ofUser: identity.user.id).grants.contains { $0.resourceType == type && $0.resourceId == id }
        }
    }

    /// The caller's stack: the packages and domains they hold, which are in their stack and which are downloaded.
    public func stack(for identity: Identity) async throws -> UserStack {
        UserStack(grants: try await domain.grants(ofUser: identity.user.id), catalog: try await domain.packageCatalog(),
                  mode: domain.settings.stackMode, isAdmin: identity.isAdmin)
    }

    /// How the caller reaches tables, over one read of their grants and stack, for lists.
    public func tableReach(for identity: Identity) async throws -> TableReach {
        if identity.isAdmin { return TableReach(everything: true, tables: [], folders: [], packaged: [:]) }
        let grants = try await domain.grants(ofUser: identity.user.id).grants
        return TableReach(everything: false, tables: Set(grants.filter { $0.resourceType == .table }.map(\.resourceId)),
                          folders: Set(grants.filter { $0.resourceType == .tableFolder }.map(\.resourceId)),
                          packaged: try await stack(for: identity).packagedTables)
    }

    /// A test of "may the caller read this table (id, folder)?" over one read of the caller's grants, for lists.
    public func tableReader(for identity: Identity) async throws -> @Sendable (String, String?) -> Bool {
        let reach = try await tableReach(for: identity)
        return { id, folder in reach.reads(id, folder: folder) }
    }

    /// The registered tables the caller may read, by id.
    public func readableTables(for identity: Identity) async throws -> [RegisteredTable] {
        let mayRead = try await tableReader(for: identity)
        return try await domain.catalogSnapshot().tables.filter { mayRead($0.id, $0.folder) }
    }

    /// Whether the caller may read a table whose folder is known already (lists such as the manifest check many
    /// tables against one cached set of grants, without a registry read per table).
    public func canRead(tableId: String, folder: String?, identity: Identity) async throws -> Bool {
        try await tableReach(for: identity).reads(tableId, folder: folder)
    }
}

/// How one caller reaches tables: everything (an administrator), directly (a table or folder grant), or through
/// the data packages of their stack.
public struct TableReach: Sendable {
    let everything: Bool
    let tables: Set<String>
    let folders: Set<String>
    /// Tables of packages in the stack → whether one of those packages is downloaded.
    let packaged: [String: Bool]

    /// Granted directly (or an administrator): always downloaded.
    public func isDirect(_ id: String, folder: String?) -> Bool {
        everything || tables.contains(id) || folder.map(folders.contains) == true
    }

    public func reads(_ id: String, folder: String?) -> Bool {
        isDirect(id, folder: folder) || packaged[id] != nil
    }

    /// Whether `agnes pull` downloads it: granted directly, or in a package of the stack that is downloaded.
    public func downloads(_ id: String, folder: String?) -> Bool {
        isDirect(id, folder: folder) || packaged[id] == true
    }
}
