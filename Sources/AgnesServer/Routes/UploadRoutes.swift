// What `agnes push` sends back, over `UploadService`: `POST /api/upload/sessions` (multipart field `file`, at most
// 50 MiB, streamed to disk under a temporary name), `POST /api/upload/local-md` (`{"content": …}`) and
// `GET /api/upload/mine`.
import AgnesAPI
import AgnesDomain
import Foundation
import Hummingbird

struct UploadRoutes {
    let services: ServerServices
    var uploads: UploadService { services.domain.uploads }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.post("/api/upload/sessions") { request, context in try await uploadSession(request, context) }
        router.post("/api/upload/local-md") { request, context in
            try await uploads.storeNotes(try await request.decodeJSON(TextContent.self, context: context), for: try context.caller())
        }
        router.get("/api/upload/mine") { request, context in
            try await uploads.mine(limit: Int(request.uri.queryParameters.get("limit") ?? "") ?? 100, for: try context.caller())
        }
    }

    /// Streams the multipart `file` into a temporary file in the caller's folder, then hands it to the use case.
    func uploadSession(_ request: Request, _ context: AgnesRequestContext) async throws -> SessionUploaded {
        let caller = try context.caller()
        let temporary = try uploads.sessionReceivingFile(for: caller)
        let file: MultipartFileReceiver.File
        do {
            let receiver = try MultipartFileReceiver(contentType: request.headers[.contentType], field: "file", destination: temporary,
                                                     limit: UploadService.maximumSessionBytes, acceptsFilename: UploadService.isValidFilename)
            do { file = try await receiver.receive(request.body) } catch {
                receiver.discard()
                throw error
            }
        } catch let failure as MultipartFileReceiver.Failure {
            context.audit.record("session.upload", params: ["error": "\(failure)"])
            switch failure {
            case .notMultipart: throw ServiceError(.unsupportedMediaType, "Expected multipart/form-data with a 'file' field")
            case .malformed: throw ServiceError.badRequest("Malformed multipart body")
            case .missingField: throw ServiceError.unprocessable([FieldError(type: "missing", loc: ["body", "file"], msg: "Field required")])
            case .badFilename: throw ServiceError.badRequest("Invalid filename: use 1-200 letters, digits, '.', '_' or '-'")
            case .tooLarge: throw ServiceError(.contentTooLarge, "File too large (max 50MB)")
            }
        }
        return try await uploads.storeSession(temporary, filename: file.filename, bytes: file.bytes, sha256: file.sha256, for: caller)
    }
}
