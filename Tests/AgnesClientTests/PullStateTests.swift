// The pull state as a workspace keeps it: every field read back as written, and a state file of an older version (no
// sections) still read; a `last_pull` that does not read is dropped, not the file.
@testable import AgnesClient
import Foundation
import Testing

@Suite("pull state")
struct PullStateTests {
    @Test("saved and loaded, every field the same")
    func roundTrip() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pull-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = Workspace(root: root)
        var state = Workspace.PullState()
        state.manifestETag = "\"abc\""
        state.memoryETag = "\"def\""
        state.lastPull = Date(timeIntervalSince1970: 1_780_000_123)
        state.tables = ["orders": Workspace.PulledTable(rows: 3, sizeBytes: 1_024, files: ["": "0f"])]
        state.packages = ["sales": "3"]
        state.memoryDomains = ["notes": "9a"]
        state.directTables = ["orders": "0f"]
        try workspace.saveState(state)
        #expect(workspace.loadState() == state)
    }

    @Test("an older file without sections; an unreadable last_pull")
    func olderFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pull-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let workspace = Workspace(root: root)
        try FileManager.default.createDirectory(at: workspace.stateFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(#"{"manifest_etag":"\"e\"","last_pull":"2026-12-05T03:46:44Z","tables":{}}"#.utf8).write(to: workspace.stateFile)
        let state = workspace.loadState()
        #expect(state.manifestETag == "\"e\"" && state.directTables == nil)
        #expect(state.lastPull == Date(timeIntervalSince1970: 1_796_442_404))
        try Data(#"{"manifest_etag":"\"e\"","last_pull":"yesterday","tables":{}}"#.utf8).write(to: workspace.stateFile)
        #expect(workspace.loadState().manifestETag == "\"e\"" && workspace.loadState().lastPull == nil)
    }
}
