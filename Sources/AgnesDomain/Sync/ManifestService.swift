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
            /// `"id":{…}` as JSON.
            let json: Data
        }
        let entries: [Entry]
        /// What the manifest says of each memory domain's bundle, by domain id.
        let domainDigests: [String: DomainDigest]
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
                entries.append(.init(id: table.id, name: table.name, folder: table.folder, table: entry, policied: table.hasPolicy,
                                     json: try Self.encode(table.id, entry)))
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

    /// The caller's manifest: the entries of the tables they may read and the typed sections, as the JSON of a
    /// `Manifest`. A table reached only through packages of the stack that are not downloaded is `server_only` there.
    public func manifest(for caller: Caller) async throws -> Body {
        try await domain.manifestBodies.value(for: "\(caller.identity.user.id) \(caller.identity.surface.rawValue)") {
            let reach = try await domain.access.tableReach(for: caller.identity)
            let policies = try await domain.policies.enforcement(for: caller.identity)
            let engine = domain.dataPlane.orchestrator.engine
            let all = try await entries()
            var body = Data(#"{"assets":{},"tables":{"#.utf8)
            var served: [String: (name: String, table: ManifestTable)] = [:]
            for entry in all.entries where reach.reads(entry.id, folder: entry.folder) {
                if !served.isEmpty { body.append(UInt8(ascii: ",")) }
                var table = entry.table
                var json: Data? = entry.json
                if entry.policied, case let .enforce(policyCaller) = policies {
                    let fingerprint: String? = if case let .applied(policy)? = engine?.policy(of: entry.id) { policy.fingerprint(for: policyCaller) } else { nil }
                    let slices = await slices(of: entry.id, serverOnly: entry.table.serverOnly, for: policyCaller)
                    table = Self.policied(entry.table, fingerprint: fingerprint, slices: slices)
                    json = nil
                }
                if !table.serverOnly, !reach.downloads(entry.id, folder: entry.folder) {
                    table.serverOnly = true
                    json = nil
                }
                body.append(try json ?? Self.encode(entry.id, table))
                served[entry.id] = (entry.name, table)
            }
            body.append(UInt8(ascii: "}"))
            let sections = try await self.sections(served: served, digests: all.domainDigests, for: caller.identity)
            for (key, value) in sections {
                body.append(contentsOf: Data(",\"\(key)\":".utf8))
                body.append(value)
            }
            body.append(contentsOf: Data(#","version":\#(Manifest.currentVersion)}"#.utf8))
            return Body(json: body, etag: EntityTag.of(body))
        }
    }

    /// `data_packages`, `memory_domains`, `direct_tables` and `knowledge_artifacts`, encoded, in that order.
    func sections(served: [String: (name: String, table: ManifestTable)], digests: [String: DomainDigest],
                  for identity: Identity) async throws -> [(String, Data)] {
        let stack = try await domain.access.stack(for: identity)
        let catalog = try await domain.packageCatalog()
        let domainsById = Dictionary(catalog.domains.map { ($0.id, $0) }) { first, _ in first }
        let packaged = catalog.packages.filter { stack.packages[$0.id]?.inStack == true }
        let metricIds = Set(packaged.flatMap(\.metrics))
        let readableMetrics = metricIds.isEmpty ? [] : Set(try await domain.metrics.readable(
            try await MetricsRepository(store: domain.state).list().filter { metricIds.contains($0.id) }, for: identity).map(\.id))
        func section(_ id: String) -> ManifestSectionTable? {
            served[id].map { ManifestSectionTable(id: id, name: $0.name, table: $0.table) }
        }
        let packages = packaged.map { package in
            let held = stack.packages[package.id]!
            let tables = package.tables.compactMap(section)
            return ManifestPackage(id: package.id, slug: package.slug, name: package.name, description: package.description, icon: package.icon,
                                   color: package.color, requirement: held.requirement, subscribed: held.subscribed, materialized: held.materialized,
                                   totalSizeBytes: tables.reduce(0) { $0 + $1.table.sizeBytes }, metrics: package.metrics.filter(readableMetrics.contains),
                                   memoryDomains: package.memoryDomains.compactMap { domainsById[$0].flatMap { $0.isDeleted ? nil : $0.slug } }, tables: tables)
        }
        let domains = stack.domains.filter(\.value.inStack).compactMap { id, held -> ManifestMemoryDomain? in
            guard let found = domainsById[id] else { return nil }
            let digest = digests[id]
            return ManifestMemoryDomain(id: id, slug: found.slug, name: found.name, requirement: held.requirement, subscribed: held.subscribed,
                                        materialized: held.materialized, bundleUrl: "/api/memory/bundle?domain=\(found.slug)",
                                        md5: digest?.md5 ?? Self.emptyDigest, itemsCount: digest?.itemsCount ?? 0, requiredCount: digest?.requiredCount ?? 0)
        }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
        let inPackages = Set(packaged.flatMap(\.tables))
        let direct = served.keys.filter { !inPackages.contains($0) }.sorted().compactMap(section)
        let encoder = JSONCoding.encoder
        return [("data_packages", try encoder.encode(packages)), ("memory_domains", try encoder.encode(domains)),
                ("direct_tables", try encoder.encode(direct)), ("knowledge_artifacts", Data("[]".utf8))]
    }

    /// The MD5 of a domain with no approved or mandatory item (of the empty string).
    static let emptyDigest = "d41d8cd98f00b204e9800998ecf8427e"
}
