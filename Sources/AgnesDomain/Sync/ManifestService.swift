// The manifest (`GET /api/sync/manifest`): the tables the caller may see, keyed by registry id, with the hashes
// `agnes pull` verifies, and an ETag over the body. Every table's entry is encoded once per state generation (the
// registry and sync state change only through writes); a caller's body is their readable entries joined, kept per
// caller until the next write.
import AgnesAPI
import AgnesCore
import AgnesData
import AgnesState
import Crypto
import Foundation

/// Builds manifests.
public struct ManifestService: Sendable {
    let domain: Domain

    /// Every registered table's entry, encoded.
    struct Entries: Sendable {
        struct Entry: Sendable {
            let id: String
            let folder: String?
            let table: ManifestTable
            /// Whether the table has an access policy (its entry then depends on the caller).
            let policied: Bool
            /// `"id":{…}` as JSON.
            let json: Data
        }
        let entries: [Entry]
    }

    /// One caller's manifest body (without `server_time`) and its ETag.
    public struct Body: Sendable {
        /// The encoded `Manifest` without `server_time`.
        public let json: Data
        public let etag: String

        /// The body with `server_time` spliced in before the closing brace (after hashing, so the ETag changes only
        /// when the tables do).
        public func withServerTime(_ date: Date = Date()) -> Data {
            var withTime = json.dropLast()
            withTime.append(contentsOf: Data(#","server_time":"\#(ISO8601DateFormatter().string(from: date))"}"#.utf8))
            return Data(withTime)
        }
    }

    func entries() async throws -> Entries {
        try await domain.manifestEntries.value(for: "all") {
            let snapshot = try await domain.catalogSnapshot()
            domain.slices.retain(tables: Set(snapshot.tables.filter(\.hasPolicy).map(\.id)))
            // A table registered without a source type has the type of the source that serves it.
            let sourceTypes = Dictionary(try await DataSourcesRepository(store: domain.state).list().map { ($0.name, $0.type) }) { first, _ in first }
            let servedBy = domain.dataPlane.orchestrator.engine?.tables.mapValues(\.source) ?? [:]
            var entries: [Entries.Entry] = []
            for table in snapshot.tables {
                // Synced tables, and remote ones (served live: no file, hash "", as upstream — clients skip them).
                let state = snapshot.states[table.id]
                guard state?.lastSync != nil || table.queryMode == .remote else { continue }
                let files = (try? JSONDecoder().decode([ExtractFile].self, from: Data((state?.files ?? "[]").utf8))) ?? []
                var entry = ManifestTable(hash: state?.md5 ?? "", updated: state?.lastSync, sizeBytes: state?.fileSizeBytes ?? 0,
                                          rows: state?.rows ?? 0, queryMode: table.queryMode.rawValue,
                                          sourceType: table.sourceType ?? (table.sourceName ?? servedBy[table.id]).flatMap { sourceTypes[$0] } ?? "",
                                          sha256: state?.sha256, schemaHash: state?.schemaHash, extractedAt: state?.lastSync, files: files,
                                          serverOnly: table.serverOnly)
                if let parts = entry.parts { entry.hash = Self.partitionedHash(parts) }
                entries.append(.init(id: table.id, folder: table.folder, table: entry, policied: table.hasPolicy, json: try Self.encode(table.id, entry)))
            }
            return Entries(entries: entries)
        }
    }

    /// Upstream's hash of a partitioned table: the MD5 of its parts' `path:hash` lines.
    public static func partitionedHash(_ parts: [ManifestPart]) -> String {
        Hex.encode(Insecure.MD5.hash(data: Data(ManifestPart.hashInput(parts).utf8)))
    }

    /// `"id":{…}` without the surrounding braces.
    static func encode(_ id: String, _ entry: ManifestTable) throws -> Data {
        Data(try JSONCoding.encoder.encode([id: entry]).dropFirst().dropLast())
    }

    /// The entry of a policied table for a caller who reads it through the policy: their slice (one file, or one per
    /// part of a partitioned table), or — when there is none (a remote or server-only table, a policy that cannot be
    /// applied) — served on the server only. Never anything of the raw files.
    static func policied(_ entry: ManifestTable, fingerprint: String?, slices: PolicySliceSet?) -> ManifestTable {
        let whole = slices?.whole
        let parts = whole == nil ? (slices?.files ?? []) : []
        var policied = ManifestTable(
            hash: whole?.md5 ?? "", updated: entry.updated, sizeBytes: slices?.files.reduce(0) { $0 + $1.slice.sizeBytes } ?? 0,
            rows: slices?.files.reduce(0) { $0 + $1.slice.rows } ?? 0, queryMode: entry.queryMode, sourceType: entry.sourceType,
            sha256: whole?.sha256, schemaHash: nil, extractedAt: entry.extractedAt,
            files: parts.map { ExtractFile(path: "slices/\($0.part ?? "")", sizeBytes: $0.slice.sizeBytes, sha256: $0.slice.sha256, md5: $0.slice.md5,
                                           part: $0.part) },
            serverOnly: slices == nil || entry.serverOnly)
        policied.accessPolicy = true
        policied.accessPolicyFingerprint = fingerprint
        if let parts = policied.parts { policied.hash = partitionedHash(parts) }
        return policied
    }

    /// The caller's slices of a policied table for the manifest; nil (server only) when they cannot be made.
    func slices(of id: String, serverOnly: Bool, for caller: PolicyCaller) async -> PolicySliceSet? {
        guard !serverOnly, let table = try? await domain.catalogSnapshot().tables.first(where: { $0.id == id }) else { return nil }
        do {
            return try await domain.policies.slices(of: table, for: caller)
        } catch {
            domain.logger.warning("no policy slice", metadata: ["table": .string(id), "error": .string(String(describing: error))])
            return nil
        }
    }

    /// The caller's manifest: the entries of the tables they may read, as the JSON of a `Manifest`.
    public func manifest(for caller: Caller) async throws -> Body {
        try await domain.manifestBodies.value(for: "\(caller.identity.user.id) \(caller.identity.surface.rawValue)") {
            let mayRead = try await domain.access.tableReader(for: caller.identity)
            let policies = try await domain.policies.enforcement(for: caller.identity)
            let engine = domain.dataPlane.orchestrator.engine
            var body = Data(#"{"assets":{},"tables":{"#.utf8)
            var first = true
            for entry in try await entries().entries where mayRead(entry.id, entry.folder) {
                if !first { body.append(UInt8(ascii: ",")) }
                if entry.policied, case let .enforce(policyCaller) = policies {
                    let fingerprint: String? = if case let .applied(policy)? = engine?.policy(of: entry.id) { policy.fingerprint(for: policyCaller) } else { nil }
                    let slices = await slices(of: entry.id, serverOnly: entry.table.serverOnly, for: policyCaller)
                    body.append(try Self.encode(entry.id, Self.policied(entry.table, fingerprint: fingerprint, slices: slices)))
                } else {
                    body.append(entry.json)
                }
                first = false
            }
            body.append(contentsOf: Data(#"},"version":\#(Manifest.currentVersion)}"#.utf8))
            return Body(json: body, etag: EntityTag.of(body))
        }
    }
}
