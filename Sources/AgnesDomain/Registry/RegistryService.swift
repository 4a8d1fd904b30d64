// The table registry (admins): list, register, update, unregister — as upstream, keyed by the registry id. Every
// change rebuilds the query engine, so an unregistered table stops being served at once and stays gone.
import AgnesAPI
import AgnesData
import AgnesState
import Foundation

/// The use cases of the table registry.
public struct RegistryService: Sendable {
    let domain: Domain

    var registry: RegistryRepository { RegistryRepository(store: domain.state) }

    /// Every registered table with its last sync error, by name.
    public func list(for caller: Caller) async throws -> RegistryList {
        try caller.requireAdmin()
        let states = try await domain.catalogSnapshot().states
        return RegistryList(tables: try await registry.list().sorted { $0.name < $1.name }.map {
            RegistryEntry(table: $0, lastSyncError: states[$0.id]?.status == .error ? states[$0.id]?.error : nil)
        })
    }

    /// Registers a table; its id is the name in lower case with `_` for spaces (409 when taken).
    public func register(_ fields: TableFields, for caller: Caller) async throws -> TableRegistered {
        try caller.requireAdmin()
        let name = (fields.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ServiceError(.unprocessableContent, "Table name cannot be empty") }
        let id = name.lowercased().replacingOccurrences(of: " ", with: "_")
        caller.audit.record("register_table", resource: "table:\(id)", params: ["name": name])
        guard RegisteredTable.isValidId(id) else {
            throw ServiceError(.unprocessableContent, "Table id '\(id)' must start with a letter and contain only a-z, 0-9 and _ (at most 63)")
        }
        try await validateSource(fields.sourceName)
        if try await registry.get(id: id) != nil { throw ServiceError.conflict("Table '\(id)' already registered") }
        var table = RegisteredTable(id: id, name: name, registeredBy: caller.identity.user.email)
        fields.apply(to: &table)
        table.name = name
        table.accessPolicyUpdatedBy = caller.identity.user.email
        try await save(table)
        return TableRegistered(id: id, name: name)
    }

    /// Changes the given fields of table `id`.
    public func update(_ id: String, _ fields: TableFields, for caller: Caller) async throws -> TableUpdated {
        try caller.requireAdmin()
        caller.audit.record("update_table", resource: "table:\(id)")
        guard var table = try await registry.get(id: id) else { throw ServiceError.notFound("Table not found") }
        try await validateSource(fields.sourceName)
        fields.apply(to: &table)
        if fields.touchesPolicy {
            table.accessPolicyUpdatedBy = caller.identity.user.email
            caller.audit.add(params: ["access_policy": table.hasPolicy ? "set" : "cleared"])
        }
        try await save(table)
        return TableUpdated(id: id, updated: fields.given)
    }

    /// Unregisters table `id`; it stops being served at once.
    public func unregister(_ id: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        caller.audit.record("unregister_table", resource: "table:\(id)")
        do { try await registry.unregister(id: id) } catch StateError.notFound { throw ServiceError.notFound("Table not found") }
        try await domain.dataPlane.rebuild()
    }

    /// Validates and stores a registration, then rebuilds the engine so the change is served at once.
    private func save(_ table: RegisteredTable) async throws {
        do { _ = try SyncSchedule(table.syncSchedule) } catch let error as ScheduleError {
            throw ServiceError(.unprocessableContent, error.description)
        }
        if let problem = TableSyncer.strategyProblem(table) { throw ServiceError(.unprocessableContent, problem) }
        try await domain.policies.check(table)
        do { try await registry.upsert(table) } catch let StateError.conflict(message) { throw ServiceError.conflict(message) }
        try await domain.dataPlane.rebuild()
    }

    private func validateSource(_ name: String?) async throws {
        guard let name else { return }
        guard try await DataSourcesRepository(store: domain.state).get(name: name) != nil else {
            throw ServiceError(.unprocessableContent, "Unknown data source '\(name)'")
        }
    }
}
