// Syncing and the manifest over `SyncService` and `ManifestService`: `POST /api/sync/trigger`, `GET /api/sync/status`
// (no authentication, as upstream), `GET /api/sync/history`, and `GET /api/sync/manifest` with its ETag
// (`If-None-Match` → 304).
import AgnesAPI
import AgnesCore
import AgnesDomain
import Foundation
import Hummingbird

struct SyncRoutes {
    let services: ServerServices

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.post("/api/sync/trigger") { request, context in
            try await services.domain.sync.trigger(try await triggerRequest(request, context), for: try context.caller())
        }
        router.get("/api/sync/history") { request, context in
            try await services.domain.sync.history(table: request.uri.queryParameters.get("table"),
                                                   limit: request.uri.queryParameters.get("limit").flatMap { Int($0) }, for: try context.caller())
        }
        router.get("/api/admin/usage") { _, context in try await services.domain.usage.report(for: try context.caller()) }
        router.post("/api/sync/pull-confirm") { request, context in
            services.domain.sync.confirmPull(try await request.decodeJSON(PullConfirmRequest.self, context: context), for: try context.caller())
        }
        router.get("/api/sync/manifest") { request, context in
            let manifest = try await services.domain.manifest.manifest(for: try context.caller())
            if request.isCurrent(manifest.etag) { return Response(status: .notModified, headers: [.eTag: manifest.etag, .vary: "Accept-Encoding"]) }
            // The shared bytes are sent as they are kept (never copied per request), then this response's `server_time`.
            var headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .eTag: manifest.etag, .vary: "Accept-Encoding"]
            let head: ByteBuffer, tail: ByteBuffer
            if GzipPrefix.accepted(by: request.headers[.acceptEncoding]) {
                let gzipped = try await services.domain.manifest.gzipped(manifest)
                headers[.contentEncoding] = "gzip"
                head = gzipped.head
                tail = gzipped.tail()
            } else {
                head = manifest.head
                tail = ManifestService.Body.tail()
            }
            return Response(status: .ok, headers: headers, body: ResponseBody(contentLength: head.readableBytes + tail.readableBytes) { writer in
                try await writer.write(head)
                try await writer.write(tail)
                try await writer.finish(nil)
            })
        }
    }

    /// `GET /api/sync/status` needs no authentication, as upstream.
    static func registerStatus(on router: Router<AgnesRequestContext>, services: ServerServices) {
        router.get("/api/sync/status") { _, context -> SyncRunStatus in
            context.audit.skip()
            return try await services.domain.sync.status()
        }
    }

    /// The trigger's body: empty or null (every table), a list of ids, or `{"tables": [ids]}`; anything else is 422.
    private func triggerRequest(_ request: Request, _ context: AgnesRequestContext) async throws -> SyncTriggerRequest {
        try context.requireIdentity().requireAdmin()
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        guard body.readableBytes > 0 else { return SyncTriggerRequest(tables: nil) }
        do { return try JSONCoding.decoder.decode(SyncTriggerRequest.self, from: Data(buffer: body)) } catch {
            throw ServiceError(.unprocessableContent, "Body must be null, a list of table ids, or {\"tables\": [ids]}")
        }
    }
}
