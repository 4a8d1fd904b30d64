// Metric definitions over `MetricService`: `/api/metrics` (everyone signed in) and `/api/admin/metrics` (admins);
// the import takes the JSON form or upstream's multipart `file`.
import AgnesAPI
import AgnesDomain
import Foundation
import Hummingbird

struct MetricRoutes {
    let services: ServerServices
    var metrics: MetricService { services.domain.metrics }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/metrics") { request, context in
            try await metrics.list(category: request.uri.queryParameters.get("category"), for: try context.caller())
        }
        router.get("/api/metrics/{category}/{name}") { _, context in try await metrics.metric(try Self.id(context), for: try context.caller()) }
        router.post("/api/admin/metrics") { request, context in
            try await metrics.save(try await request.decodeJSON(MetricRequest.self, context: context), replacing: nil, for: try context.caller())
                .jsonResponse(status: .created)
        }
        router.put("/api/admin/metrics/{category}/{name}") { request, context in
            let id = try Self.id(context)
            return try await metrics.save(try await request.decodeJSON(MetricRequest.self, context: context), replacing: id, for: try context.caller())
        }
        router.delete("/api/admin/metrics/{category}/{name}") { _, context in try await metrics.delete(try Self.id(context), for: try context.caller()) }
        router.post("/api/admin/metrics/import") { request, context in
            try context.requireIdentity().requireAdmin()
            return try await metrics.importFiles(try await files(request, context), for: try context.caller())
        }
        router.get("/api/admin/metrics/export") { _, context in try await metrics.export(for: try context.caller()) }
        router.post("/api/admin/metrics/validate") { _, context in try await metrics.validate(for: try context.caller()) }
    }

    static func id(_ context: AgnesRequestContext) throws -> String {
        "\(try context.pathParameter("category"))/\(try context.pathParameter("name"))"
    }

    /// `{"files": [{"path", "content"}]}`, or upstream's multipart `file` (at most 1 MiB).
    private func files(_ request: Request, _ context: AgnesRequestContext) async throws -> [MetricFile] {
        guard request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true else {
            return try await request.decodeJSON(MetricFiles.self, context: context).files
        }
        let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-metrics-\(UUID().uuidString).yml")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let receiver = try MultipartFileReceiver(contentType: request.headers[.contentType], field: "file", destination: temporary,
                                                 limit: 1 << 20, acceptsFilename: { _ in true })
        do {
            let file = try await receiver.receive(request.body)
            return [MetricFile(path: file.filename, content: try String(contentsOf: temporary, encoding: .utf8))]
        } catch let failure as MultipartFileReceiver.Failure {
            receiver.discard()
            throw ServiceError.badRequest("Invalid upload: \(failure)")
        }
    }
}
