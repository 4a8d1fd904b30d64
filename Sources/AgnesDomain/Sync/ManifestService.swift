// The manifest (`GET /api/sync/manifest`): the tables the caller may see, keyed by registry id, with the hashes
// `agnes pull` verifies, the typed sections (the data packages and memory domains of their stack, the tables they
// read directly), and an ETag over the body. Every table's entry is encoded once per state generation (the registry
// and sync state change only through writes); a caller's body is their readable entries joined, kept per caller until
// the next write.
import AgnesAPI
import AgnesCore
import AgnesData
import AgnesState
import Crypto
import Foundation
import NIOCore

/// Builds manifests.
public struct ManifestService: Sendable {
    let domain: Domain

    /// Every registered table's entry, encoded.
    struct Entries: Sendable {
        struct Entry: Sendable {
            let id: String
            let name: String
            let folder: String?
            let table: ManifestTable
            /// Whether the table has an access policy (its entry then depends on the caller).
            let policied: Bool
            /// The entry as a JSON object, `{…}`.
            let object: Data
            /// `"id":{…}` as JSON.
            let json: Data
        }
        let entries: [Entry]
        /// What the manifest says of each memory domain's bundle, by domain id.
        let domainDigests: [String: DomainDigest]
    }

    /// One caller's manifest body and its ETag, kept as the bytes a response sends: every request shares them (a
    /// megabyte for a thousand tables is never copied per request) and appends its own `server_time`.
    public struct Body: Sendable {
        /// The encoded `Manifest` without `server_time` and without its closing brace.
        public let head: ByteBuffer
        /// Over the body without `server_time`, so it changes only when the tables do.
        public let etag: String

        init(json: Data) {
            etag = EntityTag.of(json)
            head = ByteBuffer(bytes: json.dropLast())
        }

        /// What follows `head`: `,"server_time":"…"}`.
        public static func tail(at date: Date = Date()) -> ByteBuffer {
            ByteBuffer(string: #","server_time":"\#(date.formatted(.iso8601))"}"#)
        }

        /// The whole body as one value, `head` then `tail` (a copy: for tools and tests, not for serving).
        public func json(at date: Date = Date()) -> Data {
            Data(head.readableBytesView) + Self.tail(at: date).readableBytesView
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
                let object = try JSONCoding.encoder.encode(entry)
                entries.append(.init(id: table.id, name: table.name, folder: table.folder, table: entry, policied: table.hasPolicy,
                                     object: object, json: Self.member(table.id, object)))
            }
            let digests = try await DataPackagesRepository(store: domain.state).domainDigests()
            return Entries(entries: entries, domainDigests: Dictionary(digests.map { ($0.domainId, $0) }) { first, _ in first })
        }
    }

    /// Upstream's hash of a partitioned table: the MD5 of its parts' `path:hash` lines.
    public static func partitionedHash(_ parts: [ManifestPart]) -> String {
        Hex.encode(Insecure.MD5.hash(data: Data(ManifestPart.hashInput(parts).utf8)))
    }

    /// `"id":{…}` without the surrounding braces.
    static func member(_ id: String, _ object: Data) -> Data {
        var member = JSONText.string(id)
        member.append(UInt8(ascii: ":"))
        member.append(object)
        return member
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

    /// The caller's manifest: the entries of the tables they may read and the typed sections, as the JSON of a
    /// `Manifest`. A table reached only through packages of the stack that are not downloaded is `server_only` there.
    public func manifest(for caller: Caller) async throws -> Body {
        // The pull is stamped in a later batch, never by a write here.
        if domain.pullStamps.note(caller.identity.user.id) { Task { try? await domain.pullStamps.flush(to: domain.state) } }
        return try await domain.manifestBodies.value(for: "\(caller.identity.user.id) \(caller.identity.surface.rawValue)") {
            let reach = try await domain.access.tableReach(for: caller.identity)
            let policies = try await domain.policies.enforcement(for: caller.identity)
            let engine = domain.dataPlane.orchestrator.engine
            let all = try await entries()
            var body = Data(#"{"assets":{},"tables":{"#.utf8)
            var served: [String: ServedTable] = [:]
            for entry in all.entries where reach.reads(entry.id, folder: entry.folder) {
                if !served.isEmpty { body.append(UInt8(ascii: ",")) }
                var table = entry.table
                var changed = false
                if entry.policied, case let .enforce(policyCaller) = policies {
                    let fingerprint: String? = if case let .applied(policy)? = engine?.policy(of: entry.id) { policy.fingerprint(for: policyCaller) } else { nil }
                    let slices = await slices(of: entry.id, serverOnly: entry.table.serverOnly, for: policyCaller)
                    table = Self.policied(entry.table, fingerprint: fingerprint, slices: slices)
                    changed = true
                }
                if !table.serverOnly, !reach.downloads(entry.id, folder: entry.folder) {
                    table.serverOnly = true
                    changed = true
                }
                let object = changed ? try JSONCoding.encoder.encode(table) : entry.object
                body.append(changed ? Self.member(entry.id, object) : entry.json)
                served[entry.id] = ServedTable(name: entry.name, table: table, object: object)
            }
            body.append(UInt8(ascii: "}"))
            let sections = try await self.sections(served: served, digests: all.domainDigests, for: caller.identity)
            for (key, value) in sections {
                body.append(contentsOf: Data(",\"\(key)\":".utf8))
                body.append(value)
            }
            body.append(contentsOf: Data(#","version":\#(Manifest.currentVersion)}"#.utf8))
            return Body(json: body)
        }
    }

    /// `body` compressed for a client that accepts gzip: its head compressed once (the first request that asks pays
    /// for it; those that ask meanwhile wait for the same work), each response's tail appended by `GzipPrefix.suffix`.
    public func gzipped(_ body: Body) async throws -> GzippedBody {
        try await domain.manifestGzipBodies.value(for: body.etag) {
            let (bytes, ending) = try body.head.readableBytesView.withUnsafeBytes { try GzipPrefix.compress($0) }
            return GzippedBody(head: ByteBuffer(bytes: bytes), ending: ending)
        }
    }

    /// A manifest body compressed with gzip, but for each response's `server_time`.
    public struct GzippedBody: Sendable {
        /// The gzip header and the compressed body without `server_time` and its closing brace.
        public let head: ByteBuffer
        let ending: GzipPrefix

        /// What follows `head`: `Body.tail` as the last block, and the gzip trailer.
        public func tail(at date: Date = Date()) -> ByteBuffer {
            ByteBuffer(bytes: ending.suffix(Array(Body.tail(at: date).readableBytesView)))
        }
    }

    /// A readable table's entry as this caller's manifest gives it, with its encoded object.
    struct ServedTable {
        let name: String
        let table: ManifestTable
        let object: Data
    }

    /// `data_packages`, `memory_domains`, `direct_tables` and `knowledge_artifacts`, encoded, in that order. A table of
    /// a section is its flat entry's object with `id`, `name` and `md5` put first (`ManifestSectionTable`), spliced
    /// from the bytes encoded once rather than encoded again.
    func sections(served: [String: ServedTable], digests: [String: DomainDigest],
                  for identity: Identity) async throws -> [(String, Data)] {
        let stack = try await domain.access.stack(for: identity)
        let catalog = try await domain.packageCatalog()
        let domainsById = Dictionary(catalog.domains.map { ($0.id, $0) }) { first, _ in first }
        let packaged = catalog.packages.filter { stack.packages[$0.id]?.inStack == true }
        let metricIds = Set(packaged.flatMap(\.metrics))
        let readableMetrics = metricIds.isEmpty ? [] : Set(try await domain.metrics.readable(
            try await MetricsRepository(store: domain.state).list().filter { metricIds.contains($0.id) }, for: identity).map(\.id))
        let encoder = JSONCoding.encoder
        var packages = Data("[".utf8)
        for package in packaged {
            let held = stack.packages[package.id]!
            let tables = package.tables.filter { served[$0] != nil }
            let header = ManifestPackage(id: package.id, slug: package.slug, name: package.name, description: package.description, icon: package.icon,
                                         color: package.color, requirement: held.requirement, subscribed: held.subscribed, materialized: held.materialized,
                                         totalSizeBytes: tables.reduce(0) { $0 + served[$1]!.table.sizeBytes },
                                         metrics: package.metrics.filter(readableMetrics.contains),
                                         memoryDomains: package.memoryDomains.compactMap { domainsById[$0].flatMap { $0.isDeleted ? nil : $0.slug } },
                                         tables: [])
            if packages.count > 1 { packages.append(UInt8(ascii: ",")) }
            packages.append(try Self.replacing(Data(#""tables":[]"#.utf8), in: try encoder.encode(header),
                                               with: Data(#""tables":"#.utf8) + Self.sectionTables(tables, served)))
        }
        packages.append(UInt8(ascii: "]"))
        let domains = stack.domains.filter(\.value.inStack).compactMap { id, held -> ManifestMemoryDomain? in
            guard let found = domainsById[id] else { return nil }
            let digest = digests[id]
            return ManifestMemoryDomain(id: id, slug: found.slug, name: found.name, requirement: held.requirement, subscribed: held.subscribed,
                                        materialized: held.materialized, bundleUrl: "/api/memory/bundle?domain=\(found.slug)",
                                        md5: digest?.md5 ?? Self.emptyDigest, itemsCount: digest?.itemsCount ?? 0, requiredCount: digest?.requiredCount ?? 0)
        }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        let inPackages = Set(packaged.flatMap(\.tables))
        let direct = served.keys.filter { !inPackages.contains($0) }.sorted()
        return [("data_packages", packages), ("memory_domains", try encoder.encode(domains)),
                ("direct_tables", Self.sectionTables(direct, served)), ("knowledge_artifacts", Data("[]".utf8))]
    }

    /// `[{"id":…,"name":…,"md5":…,<the entry's fields>}, …]` for the tables `ids` (all served).
    static func sectionTables(_ ids: [String], _ served: [String: ServedTable]) -> Data {
        var out = Data("[".utf8)
        for id in ids {
            let entry = served[id]!
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: Array(#"{"id":"#.utf8))
            out.append(JSONText.string(id))
            out.append(contentsOf: Array(#","name":"#.utf8))
            out.append(JSONText.string(entry.name))
            out.append(contentsOf: Array(#","md5":"#.utf8))
            out.append(JSONText.string(entry.table.hash))
            out.append(UInt8(ascii: ","))
            out.append(entry.object.dropFirst())
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// `data` with the one occurrence of `placeholder` replaced (a key and value JSON never holds inside a string, where
    /// quotes are escaped).
    static func replacing(_ placeholder: Data, in data: Data, with replacement: Data) throws -> Data {
        guard let range = data.range(of: placeholder) else { throw ServiceError(.internalServerError, "the manifest could not be assembled") }
        var out = data
        out.replaceSubrange(range, with: replacement)
        return out
    }

    /// The MD5 of a domain with no approved or mandatory item (of the empty string).
    static let emptyDigest = "d41d8cd98f00b204e9800998ecf8427e"
}
