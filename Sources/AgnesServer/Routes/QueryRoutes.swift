// `POST /api/query` over `QueryService` (grants, guard, caps, time limit and audit live there).
import AgnesAPI
import AgnesDomain
import HTTPTypes
import Hummingbird

struct QueryRoutes {
    let services: ServerServices

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.post("/api/query") { request, context in
            let body = try await request.decodeJSON(QueryRequest.self, context: context)
            let headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
            switch try await services.domain.query.answer(body, for: try context.caller()) {
            case let .whole(json):
                context.audit.add(params: ["bytes": String(json.count)])
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
            case let .streamed(stream):
                context.audit.recordAfterBody()
                return Response(status: .ok, headers: headers, body: Self.body(of: stream, audit: context.audit))
            }
        }
    }

    /// A streamed answer's bytes as they come; a client that goes away cancels the query.
    static func body(of stream: QueryStream, audit: AuditNote) -> ResponseBody {
        ResponseBody { writer in
            var bytes = 0
            do {
                while let chunk = await stream.next() {
                    try await writer.write(ByteBuffer(bytes: chunk))
                    bytes += chunk.count
                }
                audit.add(params: ["bytes": String(bytes)])
                try await writer.finish(nil)
            } catch {
                await stream.cancel()
                audit.add(params: ["bytes": String(bytes)])
                throw error
            }
        }
    }
}
