// Syncing and the manifest: `POST /api/sync/trigger` (admin or scheduler; one run at a time → 409),
// `GET /api/sync/status`, `GET /api/sync/history`, and `GET /api/sync/manifest` — the tables the caller may see, keyed
// by registry id, with the hashes `agnes pull` verifies, and an ETag over the body (`If-None-Match` → 304).
import AgnesData
import AgnesState
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

struct SyncRoutes {
    let services: ServerServices

    /// The manifest's format version.
    static let manifestVersion = 2

    struct ManifestTable: Encodable {
        var hash: String
        var updated: Date?
        var sizeBytes: Int64
        var rows: Int64
        var queryMode: String
        var sourceType: String
        var sha256: String?
        var schemaHash: String?
        var extractedAt: Date?
        var files: [ExtractFile]

        enum CodingKeys: String, CodingKey {
            case hash, updated, rows, sha256, files
            case sizeBytes = "size_bytes"
            case queryMode = "query_mode"
            case sourceType = "source_type"
            case schemaHash = "schema_hash"
            case extractedAt = "extracted_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(hash, forKey: .hash)
            try container.encode(updated, forKey: .updated)
            try container.encode(sizeBytes, forKey: .sizeBytes)
            try container.encode(rows, forKey: .rows)
            try container.encode(queryMode, forKey: .queryMode)
            try container.encode(sourceType, forKey: .sourceType)
            try container.encode(sha256, forKey: .sha256)
            try container.encode(schemaHash, forKey: .schemaHash)
            try container.encode(extractedAt, forKey: .extractedAt)
            try container.encode(files, forKey: .files)
        }
    }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.post("/api/sync/trigger") { request, context in try await trigger(request, context) }
        router.get("/api/sync/history") { request, context -> [SyncHistoryEntry] in
            try context.requireIdentity().requireAdmin()
            let table = request.uri.queryParameters.get("table")
            let limit = min(max(Int(request.uri.queryParameters.get("limit") ?? "") ?? 100, 1), 1000)
            return try await SyncStateRepository(store: services.state).history(tableId: table, limit: limit)
        }
        router.get("/api/sync/manifest") { request, context in try await manifest(request, context) }
    }

    /// `GET /api/sync/status` needs no authentication, as upstream.
    static func registerStatus(on router: Router<AgnesRequestContext>, services: ServerServices) {
        router.get("/api/sync/status") { _, context -> Response in
            context.audit.skip()
            struct Status: Encodable { let locked: Bool; let running: [String] }
            let running = services.dataPlane.runningTables
            return try JSONCoding.encoder.encode(Status(locked: running != nil, running: running ?? [])).response(status: .ok)
        }
    }

    func trigger(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        try context.requireIdentity().requireAdmin()
        context.audit.record("sync.trigger")
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let parsed: Any? = body.readableBytes == 0 ? NSNull() : try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed])
        let ids: [String]?
        switch parsed {
        case is NSNull: ids = nil
        case let list as [String]: ids = list
        case let object as [String: Any] where object["tables"] is [String]: ids = object["tables"] as? [String]
        case let object as [String: Any] where object["tables"] == nil || object["tables"] is NSNull: ids = nil
        default: throw APIError(.unprocessableContent, "Body must be null, a list of table ids, or {\"tables\": [ids]}")
        }
        context.audit.record("sync.trigger", params: ["tables": ids?.joined(separator: ",") ?? "all"])
        do {
            let started = try await services.dataPlane.triggerSync(ids, trigger: context.identity?.kind == .scheduler ? "scheduler" : "api")
            struct Answer: Encodable { let status: String; let tables: [String]; let message: String }
            return try JSONCoding.encoder.encode(Answer(status: "triggered", tables: started,
                                                        message: "Data sync started in background. Check /api/sync/status for progress."))
                .response(status: .ok)
        } catch is DataPlane.SyncInProgress {
            throw APIError.conflict("sync_already_in_progress")
        } catch let error as DataPlane.UnknownTables {
            throw APIError.notFound("Unknown table ids: \(error.ids.joined(separator: ", "))")
        }
    }

    /// Every registered table's manifest entry, encoded once per state generation (registry and sync state change only
    /// through writes), so a request only filters by grants and joins bytes.
    struct ManifestEntries: Sendable {
        struct Entry: Sendable {
            let id: String
            let folder: String?
            /// `"id":{…}` as JSON.
            let json: Data
        }
        let entries: [Entry]
    }

    func manifestEntries() async throws -> ManifestEntries {
        try await services.manifestEntries.value(for: "all") {
            let registry = try await RegistryRepository(store: services.state).list()
            let states = Dictionary(uniqueKeysWithValues: try await SyncStateRepository(store: services.state).states().map { ($0.tableId, $0) })
            var entries: [ManifestEntries.Entry] = []
            for table in registry.sorted(by: { $0.id < $1.id }) {
                // Synced tables, and remote ones (served live: no file, hash "", as upstream — clients skip them).
                let state = states[table.id]
                guard state?.lastSync != nil || table.queryMode == .remote else { continue }
                let files = (try? JSONDecoder().decode([ExtractFile].self, from: Data((state?.files ?? "[]").utf8))) ?? []
                let entry = ManifestTable(hash: state?.md5 ?? "", updated: state?.lastSync, sizeBytes: state?.fileSizeBytes ?? 0,
                                          rows: state?.rows ?? 0, queryMode: table.queryMode.rawValue, sourceType: table.sourceType ?? "",
                                          sha256: state?.sha256, schemaHash: state?.schemaHash, extractedAt: state?.lastSync, files: files)
                var json = try JSONCoding.encoder.encode([table.id: entry])
                json = json.dropFirst().dropLast()  // `"id":{…}` without the surrounding braces
                entries.append(.init(id: table.id, folder: table.folder, json: Data(json)))
            }
            return ManifestEntries(entries: entries)
        }
    }

    /// One caller's manifest body (without `server_time`) and its ETag.
    struct ManifestBody: Sendable {
        let body: Data
        let etag: String
    }

    func manifest(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let manifest = try await services.manifestBodies.value(for: identity.user.id) {
            let mayRead = try await Authorization(services: services).tableReader(for: identity)
            var body = Data(#"{"assets":{},"tables":{"#.utf8)
            var first = true
            for entry in try await manifestEntries().entries where mayRead(entry.id, entry.folder) {
                if !first { body.append(UInt8(ascii: ",")) }
                body.append(entry.json)
                first = false
            }
            body.append(contentsOf: Data(#"},"version":\#(Self.manifestVersion)}"#.utf8))
            return ManifestBody(body: body, etag: EntityTag.of(body))
        }
        let (body, etag) = (manifest.body, manifest.etag)
        if request.isCurrent(etag) {
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        // server_time is added after hashing (spliced in before the closing brace), so the ETag changes only when the
        // tables do.
        var withTime = body.dropLast()
        withTime.append(contentsOf: Data(#","server_time":"\#(ISO8601DateFormatter().string(from: Date()))"}"#.utf8))
        var response = Data(withTime).response(status: .ok)
        response.headers[.eTag] = etag
        return response
    }
}
