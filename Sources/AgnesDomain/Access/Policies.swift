// Access policies in the domain: who reads through them (everyone but an administrator with full credentials), the
// values a caller binds, and the checks a policy passes before it is stored. The engine applies them (`GrantScope`);
// every surface asks `enforcement(for:)` and hands the answer to the engine, so the rule lives here once.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation

/// The use cases of access policies.
public struct Policies: Sendable {
    let domain: Domain

    /// How the tables' policies apply to `identity`: the raw tables for an administrator with full credentials,
    /// otherwise the policies, with the caller's email, id and group names.
    public func enforcement(for identity: Identity) async throws -> PolicyEnforcement {
        if identity.bypassesPolicies { return .bypass }
        let groups = try await domain.grants(ofUser: identity.user.id).memberships.map(\.groupName)
        return .enforce(PolicyCaller(email: identity.user.email, userId: identity.user.id, groups: groups))
    }

    /// Whether `identity` reads `table` through a policy.
    public func isPolicied(_ table: RegisteredTable, for identity: Identity) -> Bool {
        table.hasPolicy && !identity.bypassesPolicies
    }

    /// Checks the registration's policy and distribution settings before it is stored (422 with upstream's reasons).
    func check(_ table: RegisteredTable) async throws {
        if table.serverOnly, table.queryMode == .remote {
            throw ServiceError(.unprocessableContent,
                               "server_only_remote_conflict: a remote table is never distributed already; server_only applies to synced tables")
        }
        guard let sql = table.accessPolicySQL else { return }
        guard let note = table.accessPolicyNote, !note.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ServiceError(.unprocessableContent, "policy_note_required: say in access_policy_note why the policy is what it is")
        }
        let registered = Set(try await domain.catalogSnapshot().tables.map(\.id))
        if let unknown = table.policyMapping.first(where: { !registered.contains($0.lowercased()) }) {
            throw ServiceError(.unprocessableContent, "policy_unlisted_table_reference: policy_mapping names '\(unknown)', which is not registered")
        }
        let engine = domain.dataPlane.orchestrator.engine
        let served = engine.map { engine in ([table.id] + table.policyMapping).allSatisfy { engine.tables[$0.lowercased()] != nil } } ?? false
        do {
            let check: @Sendable (Connection) throws -> Void = { connection in
                let policy = try PolicySQL.prepare(sql, tableId: table.id, mapping: table.policyMapping, using: connection)
                // Bound against the tables themselves when they are served: unknown columns and duplicate output names.
                if served { try PolicySQL.checkOutput(of: policy, using: connection) }
            }
            if let engine { try await engine.withConnection(check) } else { try await Self.withScratchConnection(check) }
        } catch let rejection as PolicyRejection {
            throw ServiceError(.unprocessableContent, rejection.description)
        }
    }

    static func withScratchConnection(_ body: @escaping @Sendable (Connection) throws -> Void) async throws {
        let database = try Database()
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        try body(connection)
    }
}
