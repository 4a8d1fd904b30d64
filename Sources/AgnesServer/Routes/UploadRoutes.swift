// What `agnes push` sends back (any signed-in user, for themselves): session transcripts
// (`POST /api/upload/sessions`, multipart field `file`, at most 50 MiB, streamed to disk) into
// `DATA_DIR/uploads/sessions/<user_id>/<filename>`, and the workspace notes (`POST /api/upload/local-md`,
// `{"content": …}`) into `DATA_DIR/uploads/local_md/<user_id>.md`. Each write lands under a temporary name and is
// renamed into place, and is recorded in `uploads`. What one user keeps is capped (`uploads.max_bytes_per_user`): an
// upload that would take them past it is refused with 413 and leaves nothing behind.
import AgnesAPI
import AgnesData
import AgnesDomain
import AgnesState
import Crypto
import Foundation
import Hummingbird

struct UploadRoutes {
    let services: ServerServices

    static let maximumSessionBytes: Int64 = 50 << 20
    static let maximumNotesBytes = 1 << 20

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.post("/api/upload/sessions") { request, context in try await uploadSession(request, context) }
        router.post("/api/upload/local-md") { request, context in try await uploadNotes(request, context) }
        router.get("/api/upload/mine") { request, context in try await listOwn(request, context) }
    }

    var uploadsDirectory: URL { services.configuration.dataDirectory.appendingPathComponent("uploads", isDirectory: true) }

    /// `^[A-Za-z0-9._\-]{1,200}$`, and not `.` or `..`.
    static func isValidFilename(_ name: String) -> Bool {
        guard (1...200).contains(name.utf8.count), name != ".", name != ".." else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || ".-_".unicodeScalars.contains(scalar)
        }
    }

    func uploadSession(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let directory = uploadsDirectory.appendingPathComponent("sessions", isDirectory: true).appendingPathComponent(identity.user.id, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".tmp-\(UUID().uuidString)")
        let file: MultipartFileReceiver.File
        do {
            let receiver = try MultipartFileReceiver(contentType: request.headers[.contentType], field: "file", destination: temporary,
                                                     limit: Self.maximumSessionBytes, acceptsFilename: Self.isValidFilename)
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
        let target = directory.appendingPathComponent(file.filename)
        try refuseOverQuota(userId: identity.user.id, adding: file.bytes, replacing: target, temporary: temporary)
        do { try Self.replace(target, with: temporary) } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        context.audit.record("session.upload", resource: "upload:session/\(file.filename)", params: ["bytes": String(file.bytes)])
        try await UploadsRepository(store: services.state).record(userId: identity.user.id, kind: .session, name: file.filename,
                                                                  bytes: file.bytes, sha256: file.sha256)
        struct Answer: Encodable { let status = "ok"; let filename: String; let size: Int64; let sha256: String }
        return try JSONCoding.encoder.encode(Answer(filename: file.filename, size: file.bytes, sha256: file.sha256)).response(status: .ok)
    }

    func uploadNotes(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        struct Body: Decodable { let content: String }
        let body = try await request.decodeJSON(Body.self, context: context)
        let data = Data(body.content.utf8)
        guard data.count <= Self.maximumNotesBytes else { throw ServiceError(.contentTooLarge, "CLAUDE.local.md too large (max 1MB)") }
        let directory = uploadsDirectory.appendingPathComponent("local_md", isDirectory: true)
        try refuseOverQuota(userId: identity.user.id, adding: Int64(data.count), replacing: directory.appendingPathComponent("\(identity.user.id).md"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".tmp-\(UUID().uuidString)")
        do {
            try data.write(to: temporary)
            try Self.replace(directory.appendingPathComponent("\(identity.user.id).md"), with: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        let digest = FileDigest.hex(SHA256.hash(data: data))
        context.audit.record("local_md.upload", resource: "upload:local_md", params: ["bytes": String(data.count)])
        try await UploadsRepository(store: services.state).record(userId: identity.user.id, kind: .localMarkdown, name: "CLAUDE.local.md",
                                                                  bytes: Int64(data.count), sha256: digest)
        struct Answer: Encodable { let status = "ok"; let user: String; let size: Int }
        return try JSONCoding.encoder.encode(Answer(user: identity.user.email, size: body.content.count)).response(status: .ok)
    }

    /// 413 (and `temporary` removed) when the user's uploads on disk, with `adding` bytes in place of `replacing`, would
    /// pass the quota.
    func refuseOverQuota(userId: String, adding: Int64, replacing: URL, temporary: URL? = nil) throws {
        let quota = services.configuration.uploadQuotaBytes
        let kept = usedBytes(userId: userId) - Self.size(of: replacing)
        guard kept + adding > quota else { return }
        if let temporary { try? FileManager.default.removeItem(at: temporary) }
        throw ServiceError(.contentTooLarge, "Upload quota exceeded: you keep \(kept) bytes of uploads and this adds \(adding); "
                                         + "the limit is \(quota) bytes per user (uploads.max_bytes_per_user)")
    }

    /// Bytes the user's uploads take on disk: their session transcripts and their notes (files being received left out).
    func usedBytes(userId: String) -> Int64 {
        let sessions = uploadsDirectory.appendingPathComponent("sessions", isDirectory: true).appendingPathComponent(userId, isDirectory: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sessions.path)) ?? []
        return names.filter { !$0.hasPrefix(".tmp-") }.reduce(0) { $0 + Self.size(of: sessions.appendingPathComponent($1)) }
            + Self.size(of: uploadsDirectory.appendingPathComponent("local_md/\(userId).md"))
    }

    static func size(of file: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// `GET /api/upload/mine?limit=`: the caller's uploads, newest first.
    func listOwn(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let limit = Int(request.uri.queryParameters.get("limit") ?? "") ?? 100
        let uploads = try await UploadsRepository(store: services.state).list(userId: identity.user.id, limit: limit)
        struct Answer: Encodable { let uploads: [Upload] }
        return try JSONCoding.encoder.encode(Answer(uploads: uploads)).response(status: .ok)
    }

    /// Renames `source` over `target` (atomic on one file system).
    static func replace(_ target: URL, with source: URL) throws {
        guard rename(source.path, target.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path, NSUnderlyingErrorKey: POSIXError(.init(rawValue: errno) ?? .EIO)])
        }
    }
}
