// Metric definitions: everyone signed in reads them (`GET /api/metrics`, `GET /api/metrics/{category}/{name}`, as
// upstream); administrators create, replace and delete them, import and export upstream's YAML files, and validate every
// metric's SQL against the query engine (`EXPLAIN`: unknown tables and columns are reported, nothing runs).
import AgnesAPI
import AgnesData
import AgnesDomain
import AgnesState
import DuckDB
import Foundation
import Hummingbird

struct MetricRoutes {
    let services: ServerServices

    var metrics: MetricsRepository { MetricsRepository(store: services.state) }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/metrics") { request, context in
            _ = try context.requireIdentity()
            let list = try await metrics.list(category: request.uri.queryParameters.get("category"))
            struct Answer: Encodable { let metrics: [MetricDefinition]; let count: Int }
            return try encode(Answer(metrics: list, count: list.count))
        }
        router.get("/api/metrics/{category}/{name}") { _, context in try encode(try await metric(context)) }
        router.post("/api/admin/metrics") { request, context in try await save(request, context, id: nil) }
        router.put("/api/admin/metrics/{category}/{name}") { request, context in
            try await save(request, context, id: "\(try context.pathParameter("category"))/\(try context.pathParameter("name"))")
        }
        router.delete("/api/admin/metrics/{category}/{name}") { _, context in try await delete(context) }
        router.post("/api/admin/metrics/import") { request, context in try await importFiles(request, context) }
        router.get("/api/admin/metrics/export") { _, context in try await export(context) }
        router.post("/api/admin/metrics/validate") { _, context in try await validate(context) }
    }

    func metric(_ context: AgnesRequestContext) async throws -> MetricDefinition {
        _ = try context.requireIdentity()
        let id = "\(try context.pathParameter("category"))/\(try context.pathParameter("name"))"
        guard let metric = try await metrics.get(id: id) else { throw ServiceError.notFound("Metric '\(id)' not found") }
        return metric
    }

    struct MetricBody: Decodable {
        var name: String
        var category: String
        var displayName: String?
        var description: String?
        var type: String?
        var unit: String?
        var grain: String?
        var tables: [String]?
        var tableName: String?
        var expression: String?
        var timeColumn: String?
        var dimensions: [String]?
        var filters: [String]?
        var synonyms: [String]?
        var notes: [String]?
        var sql: String?
        var source: String?

        enum CodingKeys: String, CodingKey {
            case name, category, description, type, unit, grain, tables, expression, dimensions, filters, synonyms, notes, sql, source
            case displayName = "display_name"
            case tableName = "table_name"
            case timeColumn = "time_column"
        }

        var definition: MetricDefinition {
            var tables = self.tables ?? []
            if let tableName, !tables.contains(tableName) { tables.insert(tableName, at: 0) }
            return MetricDefinition(name: name, displayName: displayName, category: category, description: description, type: type, unit: unit,
                                    grain: grain, tables: tables, expression: expression, timeColumn: timeColumn, dimensions: dimensions ?? [],
                                    filters: filters ?? [], synonyms: synonyms ?? [], notes: notes ?? [], sql: sql, source: source ?? "manual")
        }
    }

    /// 422 when a list of `definition` is longer than `api.max_list_items`.
    func checkListSizes(_ definition: MetricDefinition) throws {
        let maximum = services.configuration.maximumListItems
        for (field, list) in [("tables", definition.tables), ("dimensions", definition.dimensions), ("filters", definition.filters),
                              ("synonyms", definition.synonyms), ("notes", definition.notes)] {
            try ServiceError.checkListSize(list.count, field: field, maximum: maximum)
        }
    }

    /// `POST /api/admin/metrics` (create or replace by `<category>/<name>`, 201) and `PUT /api/admin/metrics/{id}` (200).
    func save(_ request: Request, _ context: AgnesRequestContext, id: String?) async throws -> Response {
        try context.requireIdentity().requireAdmin()
        let definition = try await request.decodeJSON(MetricBody.self, context: context).definition
        context.audit.record("metric.save", resource: "metric:\(definition.id)")
        try checkListSizes(definition)
        guard MetricYAML.isSafePathPart(definition.name), MetricYAML.isSafePathPart(definition.category) else {
            throw ServiceError.badRequest("name and category may hold only letters, digits, '_' and '-'")
        }
        if let id, id != definition.id { throw ServiceError.badRequest("The body describes '\(definition.id)', not '\(id)'") }
        if let id, try await metrics.get(id: id) == nil { throw ServiceError.notFound("Metric '\(id)' not found") }
        let saved = try await metrics.upsert(definition)
        return try JSONCoding.encoder.encode(saved).response(status: id == nil ? .created : .ok)
    }

    func delete(_ context: AgnesRequestContext) async throws -> Response {
        try context.requireIdentity().requireAdmin()
        let id = "\(try context.pathParameter("category"))/\(try context.pathParameter("name"))"
        context.audit.record("metric.delete", resource: "metric:\(id)")
        do { try await metrics.delete(id: id) } catch StateError.notFound { throw ServiceError.notFound("Metric '\(id)' not found") }
        struct Answer: Encodable { let status = "deleted"; let id: String }
        return try encode(Answer(id: id))
    }

    /// `POST /api/admin/metrics/import`: `{"files": [{"path": "revenue/mrr.yml", "content": "…"}]}` (the folder's name is
    /// the default category), or upstream's multipart `file`. All files are checked before any metric is saved.
    func importFiles(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        try context.requireIdentity().requireAdmin()
        var files: [(path: String, content: String)] = []
        if request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true {
            let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-metrics-\(UUID().uuidString).yml")
            defer { try? FileManager.default.removeItem(at: temporary) }
            let receiver = try MultipartFileReceiver(contentType: request.headers[.contentType], field: "file", destination: temporary,
                                                     limit: 1 << 20, acceptsFilename: { _ in true })
            do {
                let file = try await receiver.receive(request.body)
                files = [(file.filename, try String(contentsOf: temporary, encoding: .utf8))]
            } catch let failure as MultipartFileReceiver.Failure {
                receiver.discard()
                throw ServiceError.badRequest("Invalid upload: \(failure)")
            }
        } else {
            struct File: Decodable { let path: String; let content: String }
            struct Body: Decodable { let files: [File] }
            files = try await request.decodeJSON(Body.self, context: context).files.map { ($0.path, $0.content) }
        }
        guard !files.isEmpty else { throw ServiceError.badRequest("No metric files given") }
        var definitions: [MetricDefinition] = []
        for file in files {
            let folder = file.path.split(separator: "/").dropLast().last.map(String.init)
            do { definitions += try MetricYAML.decode(file.content, defaultCategory: folder) } catch let problem as MetricYAML.Problem {
                throw ServiceError.badRequest("\(file.path): \(problem.description)")
            }
        }
        let duplicates = Dictionary(grouping: definitions, by: \.id).filter { $0.value.count > 1 }.keys.sorted()
        guard duplicates.isEmpty else { throw ServiceError.badRequest("Defined more than once: \(duplicates.joined(separator: ", "))") }
        for definition in definitions { try checkListSizes(definition) }
        for definition in definitions { try await metrics.upsert(definition) }
        context.audit.record("metric.import", params: ["count": String(definitions.count)])
        struct Answer: Encodable { let status = "imported"; let count: Int; let ids: [String] }
        return try encode(Answer(count: definitions.count, ids: definitions.map(\.id).sorted()))
    }

    /// `GET /api/admin/metrics/export` → `{"files": [{"path", "content"}]}` in the canonical YAML form.
    func export(_ context: AgnesRequestContext) async throws -> Response {
        try context.requireIdentity().requireAdmin()
        struct File: Encodable { let path: String; let content: String }
        struct Answer: Encodable { let files: [File]; let count: Int }
        let files = try await metrics.list().map { File(path: MetricYAML.path(of: $0), content: try MetricYAML.encode($0)) }
        return try encode(Answer(files: files, count: files.count))
    }

    /// `POST /api/admin/metrics/validate`: each metric's SQL must be one SELECT over registered tables that `EXPLAIN`
    /// accepts on the query engine; the answer lists every metric with `ok` and the problem.
    func validate(_ context: AgnesRequestContext) async throws -> Response {
        try context.requireIdentity().requireAdmin()
        context.audit.record("metric.validate")
        guard let engine = services.dataPlane.orchestrator.engine else { throw ServiceError(.serviceUnavailable, "The query engine is not ready") }
        struct Result: Encodable { let id: String; let ok: Bool; let error: String?; let tables: [String] }
        var results: [Result] = []
        for metric in try await metrics.list() {
            guard let sql = metric.sql?.trimmingCharacters(in: .whitespacesAndNewlines), !sql.isEmpty else {
                results.append(Result(id: metric.id, ok: false, error: "no sql", tables: []))
                continue
            }
            let outcome: Result = try await engine.withConnection { connection in
                do {
                    let tables = try QueryGuard.tables(in: sql, using: connection).sorted()
                    if let unknown = tables.first(where: { engine.tables[$0] == nil }) {
                        return Result(id: metric.id, ok: false, error: "unknown table '\(unknown)'", tables: tables)
                    }
                    _ = try connection.query("EXPLAIN " + sql)
                    return Result(id: metric.id, ok: true, error: nil, tables: tables)
                } catch let rejection as QueryRejection {
                    return Result(id: metric.id, ok: false, error: rejection.description, tables: [])
                } catch let error as DuckDBError {
                    return Result(id: metric.id, ok: false, error: error.message, tables: [])
                }
            }
            results.append(outcome)
        }
        struct Answer: Encodable { let results: [Result]; let ok: Int; let failed: Int }
        return try encode(Answer(results: results, ok: results.filter(\.ok).count, failed: results.filter { !$0.ok }.count))
    }

    func encode(_ value: some Encodable) throws -> Response {
        try JSONCoding.encoder.encode(value).response(status: .ok)
    }
}
