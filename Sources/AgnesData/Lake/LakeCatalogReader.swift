// The query engine's view of the lake's catalog: which data files hold a table at a version. A version never changes,
// so its files are remembered; only tables whose recorded version moved are asked of the catalog, on one database
// with the lake attached that lives as long as the reader (reattached after a failure).
import DuckDB
import Foundation
import Synchronization

final class LakeCatalogReader: Sendable {
    let lake: DataLake
    private struct State {
        var database: Database?
        var files: [String: (version: Int64, paths: [String])] = [:]
    }
    private let state = Mutex(State())

    init(lake: DataLake) { self.lake = lake }

    deinit { state.withLock { $0.database?.close() } }

    /// The data files of each table at its version in `versions`; a table whose version has no files is left out.
    func files(_ versions: [String: Int64]) throws -> [String: [String]] {
        try state.withLock { state in
            // Forget tables no longer asked for, and versions that moved.
            state.files = state.files.filter { versions[$0.key] == $0.value.version }
            let missing = versions.filter { state.files[$0.key] == nil }
            if !missing.isEmpty {
                do {
                    let database = try state.database ?? lake.open(readOnly: true)
                    state.database = database
                    let connection = try database.connect()
                    defer { connection.close() }
                    for (table, version) in missing.sorted(by: { $0.key < $1.key }) {
                        state.files[table] = (version, try lake.files(of: table, at: version, on: connection))
                    }
                } catch {
                    state.database?.close()
                    state.database = nil
                    throw error
                }
            }
            return state.files.compactMapValues { $0.paths.isEmpty ? nil : $0.paths }
        }
    }
}
