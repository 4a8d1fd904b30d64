// The catalog, as upstream (§1.6): `GET /api/catalog/tables`, `GET /api/catalog/profile/{id}`, `GET /api/v2/catalog`
// (sizes and freshness from sync state), `GET /api/v2/schema/{id}`, `GET /api/v2/sample/{id}?n=`, and snapshot scans:
// `POST /api/v2/scan/estimate` (from parquet row-group statistics) and `POST /api/v2/scan` (parquet of the projected,
// filtered rows). Every answer is filtered by the caller's grants; a table they may not read is 403, not absent.
import AgnesData
import AgnesState
import DuckDB
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

struct CatalogRoutes {
    let services: ServerServices

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/catalog/tables") { _, context in try await tables(context) }
        router.get("/api/catalog/profile/{id}") { _, context in try await profile(context) }
        router.get("/api/v2/catalog") { _, context in try await catalog(context) }
        router.get("/api/v2/schema/{id}") { _, context in try await schema(context) }
        router.get("/api/v2/sample/{id}") { request, context in try await sample(request, context) }
        router.post("/api/v2/scan/estimate") { request, context in try await estimate(request, context) }
        router.post("/api/v2/scan") { request, context in try await scan(request, context) }
    }

    private func readableTables(_ identity: Identity) async throws -> [RegisteredTable] {
        try await Authorization(services: services).readableTables(for: identity)
    }

    /// The table `id` when the caller may read it: 404 `table '<id>' not found`, 403 `not authorized for this table`.
    private func readableTable(_ id: String, _ context: AgnesRequestContext) async throws -> RegisteredTable {
        let identity = try context.requireIdentity()
        guard RegisteredTable.isValidId(id), let table = try await RegistryRepository(store: services.state).get(id: id) else {
            throw APIError.notFound("table '\(id)' not found")
        }
        guard try await Authorization(services: services).canRead(tableId: id, folder: table.folder, identity: identity) else {
            throw APIError(.forbidden, "not authorized for this table")
        }
        return table
    }

    // MARK: - Listing

    func tables(_ context: AgnesRequestContext) async throws -> Response {
        struct Row: Encodable {
            let id: String, name: String, description: String, source_type: String, sync_strategy: String, query_mode: String
        }
        struct Answer: Encodable { let tables: [Row]; let count: Int }
        let rows = try await readableTables(try context.requireIdentity()).map {
            Row(id: $0.id, name: $0.name, description: $0.description ?? "", source_type: $0.sourceType ?? "",
                sync_strategy: $0.syncStrategy.rawValue, query_mode: $0.queryMode.rawValue)
        }
        return try JSONCoding.encoder.encode(Answer(tables: rows, count: rows.count)).response(status: .ok)
    }

    func profile(_ context: AgnesRequestContext) async throws -> Response {
        let table = try await readableTable(try context.pathParameter("id"), context)
        guard let stored = try await ProfilesRepository(store: services.state).profile(tableId: table.id) else {
            throw APIError.notFound("No profile for table '\(table.id)' yet (it is made after the table syncs)")
        }
        return Data(stored.profile.utf8).response(status: .ok)
    }

    struct CatalogEntry: Encodable {
        let id: String, name: String, description: String, source_type: String, query_mode: String, sync_strategy: String
        let sql_flavor = "duckdb"
        let where_examples: [String]
        let fetch_via: String
        let rough_size_hint: String?
        let rows: Int64?
        let size_bytes: Int64?
        let partition_by: String?
        let clustered_by: [String] = []
        let entity_type: String?
        let metadata_freshness: String
        let updated: Date?

        func encode(to encoder: any Encoder) throws {
            enum Key: String, CodingKey {
                case id, name, description, source_type, query_mode, sync_strategy, sql_flavor, where_examples, fetch_via, rough_size_hint, rows,
                     size_bytes, partition_by, clustered_by, entity_type, metadata_freshness, updated
            }
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(description, forKey: .description)
            try container.encode(source_type, forKey: .source_type)
            try container.encode(query_mode, forKey: .query_mode)
            try container.encode(sync_strategy, forKey: .sync_strategy)
            try container.encode(sql_flavor, forKey: .sql_flavor)
            try container.encode(where_examples, forKey: .where_examples)
            try container.encode(fetch_via, forKey: .fetch_via)
            try container.encode(rough_size_hint, forKey: .rough_size_hint)
            try container.encode(rows, forKey: .rows)
            try container.encode(size_bytes, forKey: .size_bytes)
            try container.encode(partition_by, forKey: .partition_by)
            try container.encode(clustered_by, forKey: .clustered_by)
            try container.encode(entity_type, forKey: .entity_type)
            try container.encode(metadata_freshness, forKey: .metadata_freshness)
            try container.encode(updated, forKey: .updated)
        }
    }

    /// Upstream's size buckets: ≤ 100 MiB small, ≤ 1 GiB medium, ≤ 10 GiB large, beyond very_large.
    static func sizeHint(_ bytes: Int64?) -> String? {
        guard let bytes else { return nil }
        switch bytes {
        case ...(100 << 20): return "small"
        case ...(1 << 30): return "medium"
        case ...(10 << 30): return "large"
        default: return "very_large"
        }
    }

    func catalog(_ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        context.audit.record("catalog.list")
        let states = try await services.catalogSnapshot().states
        let entries = try await readableTables(identity).map { table -> CatalogEntry in
            let state = states[table.id]
            let remote = table.queryMode == .remote
            let freshness: String
            switch (remote, state?.status) {
            case (true, _): freshness = "not_applicable"
            case (false, .ok?): freshness = "fresh"
            case (false, .error?): freshness = state?.lastSync == nil ? "error" : "stale"
            default: freshness = "never_fetched"
            }
            return CatalogEntry(
                id: table.id, name: table.name, description: table.description ?? "", source_type: table.sourceType ?? "",
                query_mode: table.queryMode.rawValue, sync_strategy: table.syncStrategy.rawValue, where_examples: [],
                fetch_via: remote ? "agnes snapshot create \(table.id) --select <cols> --where '<predicate>' --limit <N>"
                    : "already local — query directly via `agnes query`",
                rough_size_hint: remote ? nil : Self.sizeHint(state?.fileSizeBytes), rows: state?.rows, size_bytes: state?.fileSizeBytes,
                partition_by: table.partitionBy, entity_type: remote ? "VIEW" : "BASE TABLE", metadata_freshness: freshness,
                updated: state?.lastSync)
        }
        struct Answer: Encodable { let tables: [CatalogEntry]; let server_time: Date }
        return try JSONCoding.encoder.encode(Answer(tables: entries, server_time: Date())).response(status: .ok)
    }

    // MARK: - Schema and sample

    private func engine(serving table: RegisteredTable) throws -> QueryEngine {
        guard let engine = services.dataPlane.orchestrator.engine, engine.tables[table.id] != nil else {
            throw APIError.notFound("table '\(table.id)' has no data yet (it is served after its first sync)")
        }
        return engine
    }

    func schema(_ context: AgnesRequestContext) async throws -> Response {
        let table = try await readableTable(try context.pathParameter("id"), context)
        context.audit.record("catalog.schema", resource: "table:\(table.id)")
        struct Described: Decodable { let column_name: String; let column_type: String; let null: String? }
        let described = try await engine(serving: table).withConnection { connection in
            try connection.query("DESCRIBE SELECT * FROM main.\(SQL.identifier(table.id))").decode(Described.self)
        }
        let notes = Dictionary(try await ProfilesRepository(store: services.state).columnNotes(tableId: table.id).map { ($0.columnName, $0.description ?? "") },
                               uniquingKeysWith: { first, _ in first })
        struct Column: Encodable { let name: String; let type: String; let nullable: Bool; let description: String }
        struct Answer: Encodable {
            let table_id: String, source_type: String, sql_flavor: String, columns: [Column], partition_by: String?, clustered_by: [String]
            let where_dialect_hints: [String: String]
            func encode(to encoder: any Encoder) throws {
                enum Key: String, CodingKey { case table_id, source_type, sql_flavor, columns, partition_by, clustered_by, where_dialect_hints }
                var container = encoder.container(keyedBy: Key.self)
                try container.encode(table_id, forKey: .table_id)
                try container.encode(source_type, forKey: .source_type)
                try container.encode(sql_flavor, forKey: .sql_flavor)
                try container.encode(columns, forKey: .columns)
                try container.encode(partition_by, forKey: .partition_by)
                try container.encode(clustered_by, forKey: .clustered_by)
                try container.encode(where_dialect_hints, forKey: .where_dialect_hints)
            }
        }
        let columns = described.map { Column(name: $0.column_name, type: $0.column_type, nullable: $0.null != "NO", description: notes[$0.column_name] ?? "") }
        return try JSONCoding.encoder.encode(Answer(table_id: table.id, source_type: table.sourceType ?? "", sql_flavor: "duckdb", columns: columns,
                                                    partition_by: table.partitionBy, clustered_by: [], where_dialect_hints: [:]))
            .response(status: .ok)
    }

    func sample(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let table = try await readableTable(try context.pathParameter("id"), context)
        let text = request.uri.queryParameters.get("n") ?? "5"
        guard let n = Int(text), (1...100).contains(n) else {
            throw APIError.unprocessable([FieldError(type: "less_than_equal", loc: ["query", "n"], msg: "n must be an integer between 1 and 100")])
        }
        let result = try await QueryRunner.run("SELECT * FROM main.\(SQL.identifier(table.id))", limit: n,
                                               timeoutMilliseconds: services.configuration.queryLimits.timeoutSeconds * 1000,
                                               on: try engine(serving: table))
        struct SampleRow: Encodable {
            let columns: [String], cells: [ResultCell]
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: AnyKey.self)
                for (column, cell) in zip(columns, cells) { try container.encode(cell, forKey: AnyKey(column)) }
            }
        }
        struct Answer: Encodable { let table_id: String; let rows: [SampleRow]; let source: String }
        return try JSONCoding.encoder.encode(Answer(table_id: table.id, rows: result.rows.map { SampleRow(columns: result.columns, cells: $0) },
                                                    source: table.sourceType ?? ""))
            .response(status: .ok)
    }

    // MARK: - Scans

    /// The checked scan and the files it reads (local tables only; 400 for remote ones).
    private func plan(_ request: ScanRequest, _ context: AgnesRequestContext) async throws -> (ScanPlan, SyncedTable, [ScanColumn]) {
        let table = try await readableTable(request.tableId, context)
        guard table.queryMode != .remote else {
            throw APIError.badRequest("table '\(table.id)' is served live from its source (query_mode remote): query it with POST /api/query")
        }
        guard let synced = try await SyncedTable.load(table, services: services), !synced.files.isEmpty else {
            throw APIError.notFound("table '\(table.id)' has no data yet (it is served after its first sync)")
        }
        let paths = synced.paths
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                let database = try Database()
                defer { database.close() }
                let connection = try database.connect()
                defer { connection.close() }
                let schema = try ScanRunner.schema(of: paths, on: connection)
                return (try ScanPlan.make(request, schema: schema, using: connection), synced, schema)
            }
        } catch let rejection as ScanRejection {
            throw Self.apiError(rejection)
        }
    }

    static func apiError(_ rejection: ScanRejection) -> APIError {
        switch rejection {
        case let .invalid(message): return APIError.badRequest(message)
        case let .validator(kind, details):
            var error = APIError.badRequest("validator_rejected: \(kind)")
            error.structuredDetail = .object(["error": "validator_rejected", "kind": .string(kind),
                                              "details": .object(details.mapValues(JSONValue.string))])
            return error
        }
    }

    func estimate(_ request: Request, _ context: AgnesRequestContext) async throws -> ScanEstimateResponse {
        let body = try await request.decodeJSON(ScanRequest.self, context: context)
        context.audit.record("snapshot.estimate", resource: "table:\(body.tableId)")
        let table = try await readableTable(body.tableId, context)
        if table.queryMode == .remote {
            return ScanEstimateResponse(estimate: ScanEstimate(tableId: table.id, estimatedScanBytes: 0, estimatedResultRows: nil,
                                                               estimatedResultBytes: nil, rowGroups: 0, rowGroupsMatching: 0))
        }
        let (plan, synced, schema) = try await self.plan(body, context)
        let paths = synced.paths
        return ScanEstimateResponse(estimate: try await NIOThreadPool.singleton.runIfActive {
            let database = try Database()
            defer { database.close() }
            let connection = try database.connect()
            defer { connection.close() }
            return try ScanRunner.estimate(plan, tableId: table.id, files: paths, schema: schema, on: connection)
        })
    }

    struct ScanEstimateResponse: ResponseEncodable {
        let estimate: ScanEstimate
        func encode(to encoder: any Encoder) throws { try estimate.encode(to: encoder) }
    }

    func scan(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(ScanRequest.self, context: context)
        context.audit.record("snapshot.create", resource: "table:\(body.tableId)", params: ["as": body.as ?? ""].filter { !$0.value.isEmpty })
        let (plan, synced, _) = try await self.plan(body, context)
        let folder = services.configuration.dataDirectory.appendingPathComponent("tmp/scans", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let output = folder.appendingPathComponent("\(UUID().uuidString.lowercased()).parquet")
        let paths = synced.paths
        let identity = try context.requireIdentity()
        let deadline = QueryDeadline(milliseconds: services.configuration.queryLimits.timeoutSeconds * 1000)
        let handle: FileHandle
        let rows: Int64
        let size: Int
        do {
            rows = try await context.untilClientLeaves({ deadline.cancel() }) {
                try await services.queryConcurrency.run(for: identity.user.id) {
                    try await NIOThreadPool.singleton.runIfActive {
                        try ScanRunner.write(plan, files: paths, to: output, deadline: deadline)
                    }
                }
            }
            // Opened, then unlinked: the file lives exactly as long as the response streams it.
            handle = try FileHandle(forReadingFrom: output)
            size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            try? FileManager.default.removeItem(at: output)
        } catch {
            try? FileManager.default.removeItem(at: output)
            switch error {
            case let error as QueryTimedOut: throw APIError.badRequest("Scan error: \(error.description)")
            case let error as QueryCancelled: throw APIError.badRequest("Scan error: \(error.description)")
            case let error as DuckDBError:
                services.logger.info("scan failed", metadata: ["request_id": .string(context.requestId), "error": .string(error.message)])
                throw APIError.badRequest("Scan error: \(PublicErrorMessage.of(error))")
            default: throw error
            }
        }
        context.audit.record("snapshot.create", params: ["rows": String(rows), "bytes": String(size)])
        let stream = ResponseBody(contentLength: size) { writer in
            defer { try? handle.close() }
            while true {
                let chunk = try await NIOThreadPool.singleton.runIfActive { try handle.read(upToCount: 1 << 20) ?? Data() }
                if chunk.isEmpty { break }
                try await writer.write(ByteBuffer(data: chunk))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/vnd.apache.parquet", .contentLength: String(size),
                                               .contentDisposition: "attachment; filename=\"\(synced.table.id)-snapshot.parquet\"",
                                               HTTPField.Name("X-Agnes-Rows")!: String(rows)],
                        body: stream)
    }
}

/// A coding key made at run time (column names).
struct AnyKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
