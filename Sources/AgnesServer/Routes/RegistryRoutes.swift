// The table registry (admin): list, register, update, unregister — as upstream, keyed by the registry id. Every
// change rebuilds the query engine, so an unregistered table stops being served at once and stays gone.
import AgnesAPI
import AgnesData
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct RegistryRoutes {
    let services: ServerServices

    /// The fields of a registration; all optional for an update.
    struct TableFields: Decodable {
        var name: String?
        var sourceName: String?
        var sourceType: String?
        var bucket: String?
        var sourceTable: String?
        var sourceQuery: String?
        var queryMode: QueryMode?
        var syncStrategy: SyncStrategy?
        var syncSchedule: String?
        var primaryKey: [String]?
        var incrementalColumn: String?
        var partitionBy: String?
        var folder: String?
        var description: String?

        enum CodingKeys: String, CodingKey {
            case name, bucket, folder, description
            case sourceName = "source_name"
            case sourceType = "source_type"
            case sourceTable = "source_table"
            case sourceQuery = "source_query"
            case queryMode = "query_mode"
            case syncStrategy = "sync_strategy"
            case syncSchedule = "sync_schedule"
            case primaryKey = "primary_key"
            case incrementalColumn = "incremental_column"
            case partitionBy = "partition_by"
        }

        /// The names of the fields given, for the update answer.
        var given: [String] {
            let all: [(String, Any?)] = [("name", name), ("source_name", sourceName), ("source_type", sourceType), ("bucket", bucket),
                                         ("source_table", sourceTable), ("source_query", sourceQuery), ("query_mode", queryMode),
                                         ("sync_strategy", syncStrategy), ("sync_schedule", syncSchedule), ("primary_key", primaryKey),
                                         ("incremental_column", incrementalColumn), ("partition_by", partitionBy), ("folder", folder),
                                         ("description", description)]
            return all.compactMap { $0.1 == nil ? nil : $0.0 }
        }

        func apply(to table: inout RegisteredTable) {
            if let name { table.name = name }
            if let sourceName { table.sourceName = sourceName }
            if let sourceType { table.sourceType = sourceType }
            if let bucket { table.bucket = bucket }
            if let sourceTable { table.sourceTable = sourceTable }
            if let sourceQuery { table.sourceQuery = sourceQuery }
            if let queryMode { table.queryMode = queryMode }
            if let syncStrategy { table.syncStrategy = syncStrategy }
            if let syncSchedule { table.syncSchedule = syncSchedule }
            if let primaryKey { table.primaryKey = primaryKey }
            if let incrementalColumn { table.incrementalColumn = incrementalColumn }
            if let partitionBy { table.partitionBy = partitionBy }
            if let folder { table.folder = folder }
            if let description { table.description = description }
        }
    }

    struct RegistryList: ResponseEncodable {
        struct Row: Encodable {
            var table: RegisteredTable
            var lastSyncError: String?
            enum CodingKeys: String, CodingKey { case lastSyncError = "last_sync_error" }
            func encode(to encoder: any Encoder) throws {
                try table.encode(to: encoder)
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(lastSyncError, forKey: .lastSyncError)
            }
        }

        var tables: [Row]
        var count: Int
    }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/registry") { _, context in try await list(context) }
        router.post("/api/admin/register-table") { request, context in try await create(request, context) }
        router.put("/api/admin/registry/{id}") { request, context in try await update(request, context) }
        router.delete("/api/admin/registry/{id}") { _, context in try await delete(context) }
    }

    func list(_ context: AgnesRequestContext) async throws -> RegistryList {
        try context.requireIdentity().requireAdmin()
        let states = Dictionary(uniqueKeysWithValues: try await SyncStateRepository(store: services.state).states().map { ($0.tableId, $0) })
        let rows = try await RegistryRepository(store: services.state).list().sorted { $0.name < $1.name }
            .map { RegistryList.Row(table: $0, lastSyncError: states[$0.id]?.status == .error ? states[$0.id]?.error : nil) }
        return RegistryList(tables: rows, count: rows.count)
    }

    func create(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        try identity.requireAdmin()
        let body = try await request.decodeJSON(TableFields.self, context: context)
        let name = (body.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ServiceError(.unprocessableContent, "Table name cannot be empty") }
        let id = name.lowercased().replacingOccurrences(of: " ", with: "_")
        context.audit.record("register_table", resource: "table:\(id)", params: ["name": name])
        guard RegisteredTable.isValidId(id) else {
            throw ServiceError(.unprocessableContent, "Table id '\(id)' must start with a letter and contain only a-z, 0-9 and _ (at most 63)")
        }
        try await validateSource(body.sourceName)
        let registry = RegistryRepository(store: services.state)
        if try await registry.get(id: id) != nil { throw ServiceError.conflict("Table '\(id)' already registered") }
        var table = RegisteredTable(id: id, name: name, registeredBy: identity.user.email)
        body.apply(to: &table)
        table.name = name
        try await save(table)
        return try JSONCoding.encoder.encode(["id": id, "name": name, "status": "registered"]).response(status: .created)
    }

    func update(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        try context.requireIdentity().requireAdmin()
        let id = try context.pathParameter("id")
        context.audit.record("update_table", resource: "table:\(id)")
        let registry = RegistryRepository(store: services.state)
        guard var table = try await registry.get(id: id) else { throw ServiceError.notFound("Table not found") }
        let body = try await request.decodeJSON(TableFields.self, context: context)
        try await validateSource(body.sourceName)
        body.apply(to: &table)
        try await save(table)
        struct Updated: Encodable { let id: String; let updated: [String] }
        return try JSONCoding.encoder.encode(Updated(id: id, updated: body.given)).response(status: .ok)
    }

    func delete(_ context: AgnesRequestContext) async throws -> HTTPResponse.Status {
        try context.requireIdentity().requireAdmin()
        let id = try context.pathParameter("id")
        context.audit.record("unregister_table", resource: "table:\(id)")
        do {
            try await RegistryRepository(store: services.state).unregister(id: id)
        } catch StateError.notFound {
            throw ServiceError.notFound("Table not found")
        }
        try await services.dataPlane.rebuild()
        return .noContent
    }

    /// Validates and stores a registration, then rebuilds the engine so the change is served at once.
    private func save(_ table: RegisteredTable) async throws {
        try Self.validateSchedule(table.syncSchedule)
        if let problem = TableSyncer.strategyProblem(table) { throw ServiceError(.unprocessableContent, problem) }
        do {
            try await RegistryRepository(store: services.state).upsert(table)
        } catch let StateError.conflict(message) {
            throw ServiceError.conflict(message)
        }
        try await services.dataPlane.rebuild()
    }

    static func validateSchedule(_ text: String?) throws {
        do { _ = try SyncSchedule(text) } catch let error as ScheduleError {
            throw ServiceError(.unprocessableContent, error.description)
        }
    }

    private func validateSource(_ name: String?) async throws {
        guard let name else { return }
        guard try await DataSourcesRepository(store: services.state).get(name: name) != nil else {
            throw ServiceError(.unprocessableContent, "Unknown data source '\(name)'")
        }
    }
}
