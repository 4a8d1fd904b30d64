// What `agnes push` sends back (any signed-in user, for themselves): session transcripts into
// `DATA_DIR/uploads/sessions/<user_id>/<filename>` and the workspace notes into `DATA_DIR/uploads/local_md/<user_id>.md`.
// Each write lands under a temporary name and is renamed into place, and is recorded in `uploads`. What one user keeps
// is capped (`uploads.max_bytes_per_user`): an upload that would take them past it is refused with 413 and leaves
// nothing behind.
import AgnesAPI
import AgnesData
import AgnesState
import Crypto
import Foundation

/// The use cases of uploads.
public struct UploadService: Sendable {
    let domain: Domain

    public static let maximumSessionBytes: Int64 = 50 << 20
    public static let maximumNotesBytes = 1 << 20

    var uploadsDirectory: URL { domain.settings.dataDirectory.appendingPathComponent("uploads", isDirectory: true) }

    /// `^[A-Za-z0-9._\-]{1,200}$`, and not `.` or `..`.
    public static func isValidFilename(_ name: String) -> Bool {
        guard (1...200).contains(name.utf8.count), name != ".", name != ".." else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || ".-_".unicodeScalars.contains(scalar)
        }
    }

    /// A new temporary file in the caller's session folder to receive a transcript into (then `storeSession`).
    public func sessionReceivingFile(for caller: Caller) throws -> URL {
        let directory = sessionsDirectory(caller.identity.user.id)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent(".tmp-\(UUID().uuidString)")
    }

    /// Keeps a received transcript (`temporary`, from `sessionReceivingFile`) as `filename`; removes it when refused.
    public func storeSession(_ temporary: URL, filename: String, bytes: Int64, sha256: String, for caller: Caller) async throws -> SessionUploaded {
        let userId = caller.identity.user.id
        let target = sessionsDirectory(userId).appendingPathComponent(filename)
        do {
            guard Self.isValidFilename(filename) else { throw ServiceError.badRequest("Invalid filename: use 1-200 letters, digits, '.', '_' or '-'") }
            try refuseOverQuota(userId: userId, adding: bytes, replacing: target)
            try Self.replace(target, with: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        caller.audit.record("session.upload", resource: "upload:session/\(filename)", params: ["bytes": String(bytes)])
        try await UploadsRepository(store: domain.state).record(userId: userId, kind: .session, name: filename, bytes: bytes, sha256: sha256)
        return SessionUploaded(filename: filename, size: bytes, sha256: sha256)
    }

    /// Keeps the caller's CLAUDE.local.md (at most 1 MiB).
    public func storeNotes(_ request: TextContent, for caller: Caller) async throws -> NotesUploaded {
        let identity = caller.identity
        let data = Data(request.content.utf8)
        guard data.count <= Self.maximumNotesBytes else { throw ServiceError(.contentTooLarge, "CLAUDE.local.md too large (max 1MB)") }
        let directory = uploadsDirectory.appendingPathComponent("local_md", isDirectory: true)
        let target = directory.appendingPathComponent("\(identity.user.id).md")
        try refuseOverQuota(userId: identity.user.id, adding: Int64(data.count), replacing: target)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".tmp-\(UUID().uuidString)")
        do {
            try data.write(to: temporary)
            try Self.replace(target, with: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        let digest = FileDigest.hex(SHA256.hash(data: data))
        caller.audit.record("local_md.upload", resource: "upload:local_md", params: ["bytes": String(data.count)])
        try await UploadsRepository(store: domain.state).record(userId: identity.user.id, kind: .localMarkdown, name: "CLAUDE.local.md",
                                                                bytes: Int64(data.count), sha256: digest)
        return NotesUploaded(user: identity.user.email, size: request.content.count)
    }

    /// The caller's uploads, newest first.
    public func mine(limit: Int, for caller: Caller) async throws -> UploadList {
        UploadList(uploads: try await UploadsRepository(store: domain.state).list(userId: caller.identity.user.id, limit: limit))
    }

    func sessionsDirectory(_ userId: String) -> URL {
        uploadsDirectory.appendingPathComponent("sessions", isDirectory: true).appendingPathComponent(userId, isDirectory: true)
    }

    /// 413 when the user's uploads on disk, with `adding` bytes in place of `replacing`, would pass the quota.
    func refuseOverQuota(userId: String, adding: Int64, replacing: URL) throws {
        let quota = domain.settings.uploadQuotaBytes
        let kept = usedBytes(userId: userId) - Self.size(of: replacing)
        guard kept + adding > quota else { return }
        throw ServiceError(.contentTooLarge, "Upload quota exceeded: you keep \(kept) bytes of uploads and this adds \(adding); "
                                             + "the limit is \(quota) bytes per user (uploads.max_bytes_per_user)")
    }

    /// Bytes the user's uploads take on disk: their session transcripts and their notes (files being received left out).
    func usedBytes(userId: String) -> Int64 {
        let sessions = sessionsDirectory(userId)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sessions.path)) ?? []
        return names.filter { !$0.hasPrefix(".tmp-") }.reduce(0) { $0 + Self.size(of: sessions.appendingPathComponent($1)) }
            + Self.size(of: uploadsDirectory.appendingPathComponent("local_md/\(userId).md"))
    }

    static func size(of file: URL) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Renames `source` over `target` (atomic on one file system).
    static func replace(_ target: URL, with source: URL) throws {
        guard rename(source.path, target.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path, NSUnderlyingErrorKey: POSIXError(.init(rawValue: errno) ?? .EIO)])
        }
    }
}
