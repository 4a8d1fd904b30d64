// What `agnes pull` makes of the manifest's typed sections: a folder per downloaded data package holding links to the
// shared table files (`server/packages/<slug>/<table name>.parquet` → `server/parquet/<id>.parquet`; a table in two
// packages is one file with two links), each downloaded memory domain's bundle in `.claude/memory/<slug>/bundle.md`,
// and what changed in each section since the last pull.
import AgnesAPI
import Foundation

/// What changed in one section of the manifest since the last pull.
public struct SectionChanges: Codable, Sendable, Equatable {
    public var added: [String] = []
    public var updated: [String] = []
    public var removed: [String] = []

    public init(added: [String] = [], updated: [String] = [], removed: [String] = []) {
        self.added = added
        self.updated = updated
        self.removed = removed
    }

    public var isEmpty: Bool { added.isEmpty && updated.isEmpty && removed.isEmpty }

    /// Changes between the last pull's versions and these, by key; `touched` keys count as updated too.
    static func between(_ before: [String: String], _ after: [String: String], touched: Set<String> = []) -> SectionChanges {
        SectionChanges(added: after.keys.filter { before[$0] == nil }.sorted(),
                       updated: after.keys.filter { before[$0] != nil && (before[$0] != after[$0] || touched.contains($0)) }.sorted(),
                       removed: before.keys.filter { after[$0] == nil }.sorted())
    }
}

public struct StackLayout: Sendable {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Slugs become folder names and table names file names only when they are plain: no separators, no dot first.
    static func isSafeName(_ name: String) -> Bool {
        (1...128).contains(name.utf8.count) && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "_-.".unicodeScalars.contains($0)) }
    }

    /// Each downloaded package's version for the pull state: its tables' ids and hashes, joined.
    static func versions(of packages: [ManifestPackage]) -> [String: String] {
        Dictionary(packages.filter { $0.materialized && isSafeName($0.slug) }.map { package in
            (package.slug, package.tables.map { "\($0.id)=\($0.table.hash)" }.sorted().joined(separator: ","))
        }) { first, _ in first }
    }

    /// Brings `server/packages/` in step with the downloaded packages: a link per table that is here, nothing else.
    public func link(_ packages: [ManifestPackage], localTables: Set<String>) throws {
        let fileManager = FileManager.default
        var wanted: [String: [String: URL]] = [:]
        for package in packages where package.materialized && Self.isSafeName(package.slug) {
            var links: [String: URL] = [:]
            for table in package.tables where localTables.contains(table.id) {
                let name = Self.isSafeName(table.name) ? table.name : table.id
                let partitioned = table.table.isPartitioned
                links[partitioned ? name : "\(name).parquet"] = partitioned ? workspace.partsDirectory(of: table.id) : workspace.file(of: table.id)
            }
            wanted[package.slug] = links
        }
        let root = workspace.packagesDirectory
        for slug in (try? fileManager.contentsOfDirectory(atPath: root.path)) ?? [] where wanted[slug] == nil {
            try fileManager.removeItem(at: root.appendingPathComponent(slug))
        }
        for (slug, links) in wanted {
            let folder = root.appendingPathComponent(slug, isDirectory: true)
            try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
            for name in (try? fileManager.contentsOfDirectory(atPath: folder.path)) ?? [] {
                let path = folder.appendingPathComponent(name)
                let current = try? fileManager.destinationOfSymbolicLink(atPath: path.path)
                if links[name].map({ current == Self.relativeTarget($0) }) != true { try fileManager.removeItem(at: path) }
            }
            for (name, target) in links where !fileManager.fileExists(atPath: folder.appendingPathComponent(name).path) {
                try fileManager.createSymbolicLink(atPath: folder.appendingPathComponent(name).path, withDestinationPath: Self.relativeTarget(target))
            }
        }
    }

    /// `../../parquet/<file>` from `server/packages/<slug>/`, so the workspace can move.
    static func relativeTarget(_ target: URL) -> String { "../../parquet/\(target.lastPathComponent)" }

    /// Fetches the bundle of each downloaded memory domain whose digest changed (or whose file is missing) and removes
    /// the folders of domains that left; returns each domain's digest as now written. A failure is a warning.
    public func refreshDomains(_ domains: [ManifestMemoryDomain], previous: [String: String], api: APIClient,
                               warnings: inout [String]) async -> [String: String] {
        let fileManager = FileManager.default
        var written: [String: String] = [:]
        for domain in domains where domain.materialized && Self.isSafeName(domain.slug) {
            let file = workspace.memoryDirectory.appendingPathComponent(domain.slug).appendingPathComponent("bundle.md")
            if previous[domain.slug] == domain.md5, fileManager.fileExists(atPath: file.path) {
                written[domain.slug] = domain.md5
                continue
            }
            do {
                guard case let .bundle(bundle, _) = try await api.memoryBundle(ifNoneMatch: nil, domain: domain.slug) else {
                    warnings.append("memory domain \(domain.slug): the server has no bundle for it")
                    continue
                }
                try fileManager.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try ClientSettings.writeAtomically(Data(Self.render(domain, bundle).utf8), to: file, permissions: 0o644)
                written[domain.slug] = domain.md5
            } catch {
                warnings.append("memory domain \(domain.slug): \(error)")
                if let kept = previous[domain.slug] { written[domain.slug] = kept }
            }
        }
        for slug in (try? fileManager.contentsOfDirectory(atPath: workspace.memoryDirectory.path)) ?? [] where written[slug] == nil {
            try? fileManager.removeItem(at: workspace.memoryDirectory.appendingPathComponent(slug))
        }
        return written
    }

    /// `# <domain>`, then the mandatory items, then the approved ones.
    static func render(_ domain: ManifestMemoryDomain, _ bundle: MemoryBundle) -> String {
        var text = "# \(domain.name)\n\nThe team's knowledge of this domain, shared through Agnes; mandatory items first.\n\n"
        text += bundle.mandatory.map { MemoryRules.render($0.item, heading: "##") }.joined(separator: "\n")
        if !bundle.mandatory.isEmpty, !bundle.approved.isEmpty { text += "\n" }
        text += bundle.approved.map { MemoryRules.render($0.item, heading: "##") }.joined(separator: "\n")
        return text
    }
}
