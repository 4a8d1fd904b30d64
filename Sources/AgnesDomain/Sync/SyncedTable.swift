// A registered table's synced files on disk: its extract layout, its sync state and the files that state lists.
import AgnesAPI
import AgnesData
import AgnesState
import Foundation

public struct SyncedTable: Sendable {
    public let table: RegisteredTable
    public let layout: ExtractLayout
    public let state: SyncState
    /// The parquet files (one, or a partitioned table's parts), relative to the extract's folder, with their hashes.
    public let files: [ExtractFile]

    /// The files as absolute paths.
    public var paths: [String] { files.map { layout.directory.appendingPathComponent($0.path).path } }

    /// The synced files of `table`, or nil when it has none (never synced, remote, or without a source), from the sync
    /// states as cached until the next write.
    public static func load(_ table: RegisteredTable, domain: Domain) async throws -> SyncedTable? {
        guard let sourceName = table.sourceName, let state = try await domain.catalogSnapshot().states[table.id],
              state.lastSync != nil else { return nil }
        let files = (try? JSONDecoder().decode([ExtractFile].self, from: Data((state.files ?? "[]").utf8))) ?? []
        return SyncedTable(table: table, layout: try ExtractLayout(extractsDirectory: domain.dataPlane.extractsDirectory, source: sourceName),
                           state: state, files: files)
    }
}
