// The workspace operations: who the caller is and what they may see, the workspace's CLAUDE.md, the memory bundle
// that becomes rules, and what `agnes push` uploads.
import AgnesAPI
import Foundation

extension APIClient {
    /// `GET /api/me/effective-access`.
    public func myEffectiveAccess() async throws -> EffectiveAccess {
        try await get("/api/me/effective-access")
    }

    /// `GET /api/welcome?server_url=`: the workspace's CLAUDE.md rendered for the caller.
    public func welcome(serverURL: String) async throws -> TextContent {
        try await get("/api/welcome" + Self.query([("server_url", serverURL)]))
    }

    /// A memory bundle with its ETag, `notModified` when `etag` is current, or `unavailable` when the server has none (404).
    public enum BundleAnswer: Sendable {
        case bundle(MemoryBundle, etag: String?)
        case notModified
        case unavailable
    }

    /// `GET /api/memory/bundle` (`?domain=<slug>`: one memory domain of the stack), conditional on the ETag of the
    /// last bundle.
    public func memoryBundle(ifNoneMatch etag: String?, domain: String? = nil) async throws -> BundleAnswer {
        let reply = try await call(.GET, "/api/memory/bundle" + Self.query([("domain", domain)]), headers: etag.map { [("If-None-Match", $0)] } ?? [],
                                   accepting: [304, 404])
        switch reply.status {
        case 304: return .notModified
        case 404: return .unavailable
        default: return .bundle(try reply.decode(), etag: reply.headers.first(name: "ETag"))
        }
    }

    /// `POST /api/upload/sessions`: one session transcript.
    public func uploadSession(filename: String, data: Data) async throws -> SessionUploaded {
        try await call(.POST, "/api/upload/sessions", body: .multipartFile(field: "file", filename: filename, data: data), timeout: .minutes(5)).decode()
    }

    /// `POST /api/upload/local-md`: the workspace's CLAUDE.local.md.
    public func uploadNotes(_ content: String) async throws -> NotesUploaded {
        try await send(.POST, "/api/upload/local-md", json: TextContent(content: content))
    }
}
