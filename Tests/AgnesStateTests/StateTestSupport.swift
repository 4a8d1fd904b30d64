// Helpers for state-layer tests: temporary data directories and stores.
@testable import AgnesState
import Foundation

/// A fresh temporary DATA_DIR, removed afterwards.
func withDataDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-state-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// A migrated in-memory store, closed after `body`.
func withStore<T>(_ body: (StateStore) async throws -> T) async throws -> T {
    let store = try StateStore.inMemory()
    do {
        let value = try await body(store)
        try await store.close()
        return value
    } catch {
        try? await store.close()
        throw error
    }
}

let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
