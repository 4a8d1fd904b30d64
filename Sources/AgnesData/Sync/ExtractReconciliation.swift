// After a crash between a sync's commit (its tables' new state recorded) and the publish of their source's extract,
// the published extract (`extract.duckdb`, what the query engine serves) lists older files than the state (what the
// manifest and downloads serve). At start, each source whose extract disagrees with the state is published again from
// the state, which also drops the files nothing lists any more (a crash before the commit leaves new files behind).
import AgnesAPI
import AgnesState
import Foundation
import NIOPosix

/// Publishes extracts again from the recorded state where they disagree.
public enum ExtractReconciliation {
    /// Republishes the tables of every source whose extract lists other files than the state records; returns the
    /// sources published again, and those that could not be (the server still starts: it serves what they hold).
    public static func run(state: StateStore, extractsDirectory: URL) async throws -> (republished: [String], failed: [String: String]) {
        let registry = try await RegistryRepository(store: state).list()
        let states = Dictionary(try await SyncStateRepository(store: state).states().map { ($0.tableId, $0) }) { first, _ in first }
        var recorded: [String: [ExtractedTable]] = [:]
        for table in registry {
            guard let source = table.sourceName, let synced = states[table.id], let lastSync = synced.lastSync,
                  let files = try? JSONDecoder().decode([ExtractFile].self, from: Data((synced.files ?? "[]").utf8)), !files.isEmpty else { continue }
            recorded[source, default: []].append(ExtractedTable(tableId: table.id, description: table.description, rows: synced.rows ?? 0,
                                                                sizeBytes: synced.fileSizeBytes ?? 0, extractedAt: lastSync,
                                                                queryMode: table.queryMode.rawValue, files: files))
        }
        var republished: [String] = [], failed: [String: String] = [:]
        for (source, tables) in recorded.sorted(by: { $0.key < $1.key }) {
            do {
                if try await republish(tables, of: source, extractsDirectory: extractsDirectory) { republished.append(source) }
            } catch {
                failed[source] = String(describing: error)
            }
        }
        return (republished, failed)
    }

    /// Publishes again the `tables` of `source` whose published files differ from the recorded ones; whether any did.
    static func republish(_ tables: [ExtractedTable], of source: String, extractsDirectory: URL) async throws -> Bool {
        let layout = try ExtractLayout(extractsDirectory: extractsDirectory, source: source)
        let stale = try await NIOThreadPool.singleton.runIfActive { () throws -> [ExtractedTable] in
            let published = Dictionary(try ExtractWriter(layout: layout).tables().map { ($0.tableId, $0.files) }) { first, _ in first }
            // Only what can be served: a recorded file that is gone (never, unless removed by hand) is left alone.
            return tables.filter { table in
                published[table.tableId] != table.files
                    && table.files.allSatisfy { FileManager.default.fileExists(atPath: layout.directory.appendingPathComponent($0.path).path) }
            }
        }
        guard !stale.isEmpty else { return false }
        try await NIOThreadPool.singleton.runIfActive { try ExtractWriter(layout: layout).publish(stale) }
        return true
    }
}
