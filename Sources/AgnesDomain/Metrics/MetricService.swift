// Metric definitions: everyone signed in reads them; administrators create, replace and delete them, import and
// export upstream's YAML files, and validate every metric's SQL against the query engine (`EXPLAIN`: unknown tables
// and columns are reported, nothing runs).
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation

/// The use cases of metric definitions.
public struct MetricService: Sendable {
    let domain: Domain

    var metrics: MetricsRepository { MetricsRepository(store: domain.state) }

    /// Every metric the caller may read, or those of one category.
    public func list(category: String?, for caller: Caller) async throws -> MetricList {
        MetricList(metrics: try await readable(try await metrics.list(category: category), for: caller.identity))
    }

    /// One metric by `<category>/<name>` (404 when unknown, 403 when it uses a table the caller may not read).
    public func metric(_ id: String, for caller: Caller) async throws -> MetricDefinition {
        guard let metric = try await metrics.get(id: id) else { throw ServiceError.notFound("Metric '\(id)' not found") }
        guard try await !readable([metric], for: caller.identity).isEmpty else {
            throw ServiceError(.forbidden, "Metric '\(id)' uses tables you may not read")
        }
        return metric
    }

    /// The metrics `identity` may read: those whose every table is a registered table they may read (as upstream: a
    /// definition tells what a table holds). Administrators read all.
    func readable(_ definitions: [MetricDefinition], for identity: Identity) async throws -> [MetricDefinition] {
        if identity.isAdmin { return definitions }
        let mayRead = try await domain.access.tableReader(for: identity)
        let registered = Dictionary(try await domain.catalogSnapshot().tables.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return definitions.filter { metric in
            metric.tables.allSatisfy { name in registered[name.lowercased()].map { mayRead($0.id, $0.folder) } ?? false }
        }
    }

    /// Creates or replaces (`id` nil) a metric, or replaces metric `id` (404 when unknown, 400 when the body names another).
    public func save(_ request: MetricRequest, replacing id: String?, for caller: Caller) async throws -> MetricDefinition {
        try caller.requireAdmin()
        let definition = request.definition
        caller.audit.record("metric.save", resource: "metric:\(definition.id)")
        try checkListSizes(definition)
        guard MetricYAML.isSafePathPart(definition.name), MetricYAML.isSafePathPart(definition.category) else {
            throw ServiceError.badRequest("name and category may hold only letters, digits, '_' and '-'")
        }
        if let id, id != definition.id { throw ServiceError.badRequest("The body describes '\(definition.id)', not '\(id)'") }
        if let id, try await metrics.get(id: id) == nil { throw ServiceError.notFound("Metric '\(id)' not found") }
        return try await metrics.upsert(definition)
    }

    /// Deletes metric `id`.
    public func delete(_ id: String, for caller: Caller) async throws -> MetricDeleted {
        try caller.requireAdmin()
        caller.audit.record("metric.delete", resource: "metric:\(id)")
        do { try await metrics.delete(id: id) } catch StateError.notFound { throw ServiceError.notFound("Metric '\(id)' not found") }
        return MetricDeleted(id: id)
    }

    /// Imports YAML files (the folder's name is the default category). All files are checked before any metric is saved.
    public func importFiles(_ files: [MetricFile], for caller: Caller) async throws -> MetricsImported {
        try caller.requireAdmin()
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
        caller.audit.record("metric.import", params: ["count": String(definitions.count)])
        return MetricsImported(ids: definitions.map(\.id).sorted())
    }

    /// Every metric as a YAML file in the canonical form.
    public func export(for caller: Caller) async throws -> MetricFiles {
        try caller.requireAdmin()
        let files = try await metrics.list().map { MetricFile(path: MetricYAML.path(of: $0), content: try MetricYAML.encode($0)) }
        return MetricFiles(files: files, count: files.count)
    }

    /// Each metric's SQL must be one SELECT over registered tables that `EXPLAIN` accepts on the query engine.
    public func validate(for caller: Caller) async throws -> MetricValidation {
        try caller.requireAdmin()
        caller.audit.record("metric.validate")
        guard let engine = domain.dataPlane.orchestrator.engine else { throw ServiceError(.serviceUnavailable, "The query engine is not ready") }
        var results: [MetricValidation.Result] = []
        for metric in try await metrics.list() {
            guard let sql = metric.sql?.trimmingCharacters(in: .whitespacesAndNewlines), !sql.isEmpty else {
                results.append(.init(id: metric.id, ok: false, error: "no sql", tables: []))
                continue
            }
            results.append(try await engine.withConnection { connection in
                do {
                    let tables = try QueryGuard.tables(in: sql, using: connection).sorted()
                    if let unknown = tables.first(where: { engine.tables[$0] == nil }) {
                        return .init(id: metric.id, ok: false, error: "unknown table '\(unknown)'", tables: tables)
                    }
                    _ = try connection.query("EXPLAIN " + sql)
                    return .init(id: metric.id, ok: true, error: nil, tables: tables)
                } catch let rejection as QueryRejection {
                    return .init(id: metric.id, ok: false, error: rejection.description, tables: [])
                } catch let error as DuckDBError {
                    return .init(id: metric.id, ok: false, error: error.message, tables: [])
                }
            })
        }
        return MetricValidation(results: results)
    }

    /// 422 when a list of `definition` is longer than `api.max_list_items`.
    func checkListSizes(_ definition: MetricDefinition) throws {
        let maximum = domain.settings.maximumListItems
        for (field, list) in [("tables", definition.tables), ("dimensions", definition.dimensions), ("filters", definition.filters),
                              ("synonyms", definition.synonyms), ("notes", definition.notes)] {
            try ServiceError.checkListSize(list.count, field: field, maximum: maximum)
        }
    }
}
