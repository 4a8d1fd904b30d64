// The catalog over `CatalogService` and `ScanService` (upstream §1.6): `GET /api/catalog/tables`,
// `GET /api/catalog/profile/{id}`, `GET /api/v2/catalog`, `GET /api/v2/schema/{id}`, `GET /api/v2/sample/{id}?n=`,
// `POST /api/v2/scan/estimate` and `POST /api/v2/scan` (the parquet streamed from the scan's open file).
import AgnesAPI
import AgnesData
import AgnesDomain
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix

struct CatalogRoutes {
    let services: ServerServices
    var catalog: CatalogService { services.domain.catalog }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/catalog/tables") { _, context in try await catalog.tables(for: try context.caller()) }
        router.get("/api/catalog/profile/{id}") { _, context in try await catalog.profile(try context.pathParameter("id"), for: try context.caller()) }
        router.get("/api/v2/catalog") { _, context in try await catalog.catalog(for: try context.caller()) }
        router.get("/api/v2/schema/{id}") { _, context in try await catalog.schema(try context.pathParameter("id"), for: try context.caller()) }
        router.get("/api/v2/sample/{id}") { request, context in
            try await catalog.sample(try context.pathParameter("id"), rows: Int(request.uri.queryParameters.get("n") ?? "5") ?? 0,
                                     for: try context.caller())
        }
        router.post("/api/v2/scan/estimate") { request, context in
            try await services.domain.scans.estimate(try await request.decodeJSON(ScanRequest.self, context: context), for: try context.caller())
        }
        router.post("/api/v2/scan") { request, context in
            // An Arrow IPC stream, as upstream answers and its clients read; parquet when asked for (our CLI asks).
            let output = try await services.domain.scans.scan(try await request.decodeJSON(ScanRequest.self, context: context),
                                                              format: ScanFormat(accept: request.headers[.accept]), for: try context.caller())
            var headers: HTTPFields = [.contentType: output.format.contentType, .contentLength: String(output.sizeBytes),
                                       .contentDisposition: "attachment; filename=\"\(output.filename)\"", HTTPField.Name("X-Agnes-Rows")!: String(output.rows)]
            if let fingerprint = output.policyFingerprint {
                // As upstream: the slice the rows come from, so a client can tell a snapshot taken under another policy.
                headers[HTTPField.Name("X-Agnes-Row-Scope")!] = "policied"
                headers[HTTPField.Name("X-Agnes-Policy-Fingerprint")!] = fingerprint
                headers[HTTPField.Name("X-Agnes-Policy-Table-Id")!] = output.tableId
            }
            return Response(status: .ok, headers: headers, body: Self.streaming(output.file, length: output.sizeBytes))
        }
    }

    /// A body that streams an open file in 1 MiB chunks and closes it at the end.
    static func streaming(_ handle: FileHandle, length: Int) -> ResponseBody {
        ResponseBody(contentLength: length) { writer in
            defer { try? handle.close() }
            while true {
                let chunk = try await NIOThreadPool.singleton.runIfActive { try handle.read(upToCount: 1 << 20) ?? Data() }
                if chunk.isEmpty { break }
                try await writer.write(ByteBuffer(data: chunk))
            }
            try await writer.finish(nil)
        }
    }
}
