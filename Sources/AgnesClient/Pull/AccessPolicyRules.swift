// `.claude/rules/access_policies.md`: which of the workspace's tables an access policy limits, so an agent says that
// its counts and sums cover the caller's slice, not the whole table (as upstream's pull writes it). Removed when no
// table is policied any more.
import AgnesAPI
import Foundation

public struct AccessPolicyRules: Sendable {
    public let workspace: Workspace

    public init(workspace: Workspace) { self.workspace = workspace }

    static let fileName = "access_policies.md"

    /// Writes (or removes) the rules file for `manifest`; returns whether one was written.
    @discardableResult
    public func write(for manifest: Manifest) throws -> Bool {
        let file = workspace.rulesDirectory.appendingPathComponent(Self.fileName)
        let policied = manifest.tables.filter(\.value.accessPolicy).sorted { $0.key < $1.key }
        guard !policied.isEmpty else {
            try? FileManager.default.removeItem(at: file)
            return false
        }
        var text = """
            # Tables limited by access policies

            Agnes applies access policies to these tables: your local copies and your server queries hold only the rows \
            and columns you may see. Counts, sums and averages over them describe your slice, not the whole table — say \
            so when you report figures, and do not try to reach the rest.


            """
        for (id, table) in policied {
            let fingerprint = table.accessPolicyFingerprint.map { " (policy \($0.prefix(12)))" } ?? ""
            text += table.serverOnly ? "- `\(id)`\(fingerprint): on the server only — `agnes query --remote`, or a snapshot\n" : "- `\(id)`\(fingerprint)\n"
        }
        try FileManager.default.createDirectory(at: workspace.rulesDirectory, withIntermediateDirectories: true)
        try ClientSettings.writeAtomically(Data(text.utf8), to: file, permissions: 0o644)
        return true
    }
}
