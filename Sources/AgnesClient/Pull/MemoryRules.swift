// The corporate-memory bundle as Claude Code rules: `agnes pull` fetches `GET /api/memory/bundle` (conditional on the
// last ETag) and writes `.claude/rules/km_<id>.md` for each mandatory item and one `km_approved.md` with the approved
// ones, removing rules files of items that left the bundle. A server without the endpoint (404) is skipped quietly.
import AgnesAPI
import Foundation

public struct MemoryRules: Sendable {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    /// Item ids become file names: `^[a-zA-Z0-9_-]{1,128}$`, as upstream.
    static func isSafeId(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count) && id.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") }
    }

    /// Fetches the bundle and writes the rules; returns how many rules files there are, or nil when the server has no
    /// bundle. `etag` is the last bundle's ETag and is updated.
    public func refresh(api: APIClient, etag: inout String?) async throws -> Int? {
        switch try await api.memoryBundle(ifNoneMatch: etag) {
        case .notModified: return existingRules().count
        case .unavailable: return nil
        case let .bundle(bundle, newETag):
            let count = try write(bundle: bundle)
            etag = newETag
            return count
        }
    }

    func existingRules() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: workspace.rulesDirectory.path)) ?? []).filter { $0.hasPrefix("km_") && $0.hasSuffix(".md") }
    }

    /// Writes the bundle's mandatory items one file each and the approved ones together; returns the number of files.
    func write(bundle: MemoryBundle) throws -> Int {
        try FileManager.default.createDirectory(at: workspace.rulesDirectory, withIntermediateDirectories: true)
        var wanted: [String: String] = [:]
        for listing in bundle.mandatory where Self.isSafeId(listing.item.id) {
            wanted["km_\(listing.item.id).md"] = Self.render(listing.item, heading: "#")
        }
        let approved = bundle.approved.map { Self.render($0.item, heading: "##") }
        if !approved.isEmpty {
            wanted["km_approved.md"] = "# Approved team knowledge\n\nShared by the team through Agnes; prefer it over guesses.\n\n"
                + approved.joined(separator: "\n")
        }
        for name in existingRules() where wanted[name] == nil {
            try? FileManager.default.removeItem(at: workspace.rulesDirectory.appendingPathComponent(name))
        }
        for (name, text) in wanted {
            try ClientSettings.writeAtomically(Data(text.utf8), to: workspace.rulesDirectory.appendingPathComponent(name), permissions: 0o644)
        }
        return wanted.count
    }

    /// `# title`, `_Domain: …_`, `_Category: …_`, then the content.
    static func render(_ item: KnowledgeItem, heading: String) -> String {
        var text = "\(heading) \((item.title.isEmpty ? "Untitled" : item.title).replacingOccurrences(of: "\n", with: " "))\n\n"
        if let domain = item.domain, !domain.isEmpty { text += "_Domain: \(domain)_\n" }
        if let category = item.category, !category.isEmpty { text += "_Category: \(category)_\n" }
        if let content = item.content, !content.isEmpty { text += "\n\(content.trimmingCharacters(in: .whitespacesAndNewlines))\n" }
        return text
    }
}
