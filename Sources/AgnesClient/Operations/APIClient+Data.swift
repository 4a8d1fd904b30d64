// The data operations: server-side queries, the manifest, syncs, and table downloads.
import AgnesAPI
import Foundation
import NIOCore
import NIOHTTP1

extension APIClient {
    /// `POST /api/query` (a long query may take up to five minutes). Remote tables over the server's scan cap throw
    /// `RemoteScanTooLarge` (with the tables to snapshot instead); other refusals a `ClientError`.
    public func query(_ request: QueryRequest) async throws -> QueryResult {
        let reply = try await call(.POST, "/api/query", body: try Self.json(request), accepting: [400], timeout: .seconds(300))
        guard reply.status == 400 else { return try reply.decode() }
        struct Refusal: Decodable { let detail: RemoteScanTooLarge }
        if let refusal = try? JSONCoding.decoder.decode(Refusal.self, from: reply.body), refusal.detail.reason == RemoteScanTooLarge.reasonCode {
            throw refusal.detail
        }
        throw ClientError.http(status: reply.status, detail: reply.detail, path: "/api/query")
    }

    /// A manifest with its ETag, or `notModified` when `etag` is still current.
    public enum ManifestAnswer: Sendable {
        case manifest(Manifest, etag: String?)
        case notModified
    }

    /// `GET /api/sync/manifest`, conditional on the ETag of the copy the caller has.
    public func manifest(ifNoneMatch etag: String?) async throws -> ManifestAnswer {
        let reply = try await call(.GET, "/api/sync/manifest", headers: etag.map { [("If-None-Match", $0)] } ?? [], accepting: [304])
        if reply.status == 304 { return .notModified }
        return .manifest(try reply.decode(), etag: reply.headers.first(name: "ETag"))
    }

    /// `POST /api/sync/trigger` (admins).
    public func triggerSync(tables: [String]?) async throws -> SyncTriggerResponse {
        try await send(.POST, "/api/sync/trigger", json: SyncTriggerRequest(tables: tables))
    }

    /// `GET /api/sync/status`.
    public func syncStatus() async throws -> SyncRunStatus {
        try await get("/api/sync/status")
    }

    /// `GET /api/sync/history` (admins).
    public func syncHistory(table: String?, limit: Int?) async throws -> [SyncHistoryEntry] {
        try await get("/api/sync/history" + Self.query([("table", table), ("limit", limit.map(String.init))]))
    }

    /// The path of a table's file (`part` nil) or of one part of a partitioned table.
    public static func downloadPath(table: String, part: String?) -> String {
        if let part { return "/api/data/\(segment(table))/parts/\(segment(part))" }
        return "/api/data/\(segment(table))/download"
    }

    /// Streams a download (`downloadPath`) into `sink`, after telling `onStatus` the status (200 or 206) and headers.
    public func download(_ path: String, headers: [(String, String)], onStatus: (Int, HTTPHeaders) throws -> Void,
                         into sink: (ByteBuffer) async throws -> Void) async throws {
        try await stream(path, headers: headers, onStatus: onStatus, into: sink)
    }

    /// `POST /api/sync/pull-confirm`: what a finished pull did.
    public func confirmPull(_ request: PullConfirmRequest) async throws {
        _ = try await call(.POST, "/api/sync/pull-confirm", body: try Self.json(request), timeout: .seconds(5))
    }
}
