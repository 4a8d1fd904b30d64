// The table registry (admins): list, register, update, unregister — as upstream, keyed by the registry id. Every
// change rebuilds the query engine, so an unregistered table stops being served at once and stays gone.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation
import NIOPosix

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
        let table = try await candidate(fields, for: caller, action: "register_table")
        try await save(table)
        return TableRegistered(id: table.id, name: table.name)
    }

    /// `POST /api/admin/register-table/precheck`: everything a registration checks (409 and 422 as it answers them),
    /// then the source read as a sync would read it — nothing is stored. A source that cannot be read is a warning.
    public func precheck(_ fields: TableFields, for caller: Caller) async throws -> TablePrecheck {
        let table = try await candidate(fields, for: caller, action: "register_table.precheck")
        try check(table)
        try await domain.policies.check(table)
        guard let sourceName = table.sourceName, let source = try await DataSourcesRepository(store: domain.state).get(name: sourceName) else {
            return TablePrecheck(table: table, columns: nil, warnings: ["no data source: the table has nothing to sync from"])
        }
        do {
            let connector = try Connectors.make(source)
            if let staged = connector as? any StagedConnector {
                // Its types are known once the first export is read.
                return TablePrecheck(table: table, columns: try await staged.columns(of: table).map { .init(name: $0, type: "auto") }, warnings: [])
            }
            let columns = try await NIOThreadPool.singleton.runIfActive {
                try Database.withScratchConnection { connection in
                    try QueryDeadline(milliseconds: 15_000).run(on: connection) {
                        try connector.prepare(connection)
                        return try ScanRunner.schema(of: ScanSource(relation: "(\(try connector.query(for: table)))", files: [], caller: nil), on: connection)
                    }
                }
            }
            return TablePrecheck(table: table, columns: columns.map { .init(name: $0.name, type: $0.type) }, warnings: [])
        } catch {
            let message = (error as? DuckDBError)?.message ?? String(describing: error)
            return TablePrecheck(table: table, columns: nil, warnings: ["the source could not be read as a sync would read it: \(message)"])
        }
    }

    /// The table a registration of `fields` would store, after the checks that need no source: its name and id, the
    /// source's existence, and that the id is free.
    private func candidate(_ fields: TableFields, for caller: Caller, action: String) async throws -> RegisteredTable {
        try caller.requireAdmin()
        let name = (fields.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ServiceError(.unprocessableContent, "Table name cannot be empty") }
        let id = name.lowercased().replacingOccurrences(of: " ", with: "_")
        caller.audit.record(action, resource: "table:\(id)", params: ["name": name])
        guard RegisteredTable.isValidId(id) else {
            throw ServiceError(.unprocessableContent, "Table id '\(id)' must start with a letter and contain only a-z, 0-9 and _ (at most 63)")
        }
        try await validateSource(fields.sourceName)
        if try await registry.get(id: id) != nil { throw ServiceError.conflict("Table '\(id)' already registered") }
        var table = RegisteredTable(id: id, name: name, registeredBy: caller.identity.user.email)
        fields.apply(to: &table)
        table.name = name
        table.accessPolicyUpdatedBy = caller.identity.user.email
        return table
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
    /// Sets (or, with an empty or null description, clears) what a column of a registered table means; shown by
    /// `schema`/`describe`, the catalog and found by the knowledge search. 404 for an unknown table.
    public func describeColumn(_ tableId: String, column: String, _ request: ColumnDescriptionRequest, for caller: Caller) async throws -> ColumnDescribed {
        try caller.requireAdmin()
        guard try await registry.get(id: tableId) != nil else { throw ServiceError.notFound("Table '\(tableId)' not found") }
        guard (1...255).contains(column.utf8.count), !column.contains(where: \.isNewline) else {
            throw ServiceError.badRequest("column must be a column name of 1 to 255 characters")
        }
        let text = request.description?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (text?.utf8.count ?? 0) <= 10_000 else { throw ServiceError.badRequest("description is longer than 10,000 bytes") }
        caller.audit.record("column.described", resource: "table:\(tableId)", params: ["column": column])
        try await ProfilesRepository(store: domain.state).describe(tableId: tableId, column: column, description: text?.isEmpty == false ? text : nil,
                                                                   by: caller.identity.user.email)
        return ColumnDescribed(tableId: tableId, column: column, description: text?.isEmpty == false ? text : nil)
    }

    public func unregister(_ id: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        caller.audit.record("unregister_table", resource: "table:\(id)")
        do { try await registry.unregister(id: id) } catch StateError.notFound { throw ServiceError.notFound("Table not found") }
        try await domain.dataPlane.rebuild()
    }

    /// The schedule and the sync strategy must make sense (422 otherwise).
    private func check(_ table: RegisteredTable) throws {
        do { _ = try SyncSchedule(table.syncSchedule) } catch let error as ScheduleError {
            throw ServiceError(.unprocessableContent, error.description)
        }
        if let problem = TableSyncer.strategyProblem(table) { throw ServiceError(.unprocessableContent, problem) }
    }

    /// Validates and stores a registration, then rebuilds the engine so the change is served at once.
    private func save(_ table: RegisteredTable) async throws {
        try check(table)
        try await domain.policies.check(table)
        try await checkQueryMode(table)
        do { try await registry.upsert(table) } catch let StateError.conflict(message) { throw ServiceError.conflict(message) }
        try await domain.dataPlane.rebuild()
    }

    /// A mode the source cannot serve is refused now (422) rather than registered and never served.
    private func checkQueryMode(_ table: RegisteredTable) async throws {
        guard table.queryMode == .remote else { return }
        guard let name = table.sourceName, let source = try await DataSourcesRepository(store: domain.state).get(name: name) else {
            throw ServiceError(.unprocessableContent, "query_mode remote needs a data source that serves tables live (postgres or mysql)")
        }
        guard Connectors.remoteTypes.contains(source.type) else {
            throw ServiceError(.unprocessableContent, "data source '\(name)' (\(source.type)) cannot serve tables in remote mode; "
                               + "use query_mode local (remote needs a \(Connectors.remoteTypes.sorted().joined(separator: " or ")) source)")
        }
    }

    private func validateSource(_ name: String?) async throws {
        guard let name else { return }
        guard try await DataSourcesRepository(store: domain.state).get(name: name) != nil else {
            throw ServiceError(.unprocessableContent, "Unknown data source '\(name)'")
        }
    }
}
