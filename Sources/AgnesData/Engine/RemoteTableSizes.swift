// How much a remote table holds, as its source's statistics tell it (`RemoteConnector.size`): the figure the remote
// scan cap of `POST /api/query` and the estimate of a remote snapshot read. Asked through the source's attachment in the
// grant scope of that one table, and kept for a few minutes per engine, so a burst of queries costs the source one
// catalog lookup.
import AgnesAPI
import AgnesState
import DuckDB
import Foundation
import Synchronization

/// Remote table sizes already asked, with when they were asked.
final class RemoteTableSizes: Sendable {
    /// How long an answer is reused.
    static let lifetime: TimeInterval = 300
    private let known = Mutex<[String: (asked: Date, size: RemoteTableSize?)]>([:])

    func cached(_ id: String, now: Date = Date()) -> RemoteTableSize?? {
        known.withLock { known in
            guard let entry = known[id], now.timeIntervalSince(entry.asked) < Self.lifetime else { return nil }
            return .some(entry.size)
        }
    }

    func remember(_ size: RemoteTableSize?, for id: String, now: Date = Date()) {
        known.withLock { $0[id] = (now, size) }
    }
}

extension QueryEngine {
    /// What the source of remote table `table` says it holds; nil when the table is not served remotely here or the
    /// source cannot tell (a view, a `source_query`). A failure to ask is thrown (the caller decides what it means).
    public func remoteSize(of table: RegisteredTable) async throws -> RemoteTableSize? {
        guard case let .remote(source, alias, _)? = tables[table.id]?.rows else { return nil }
        if let cached = remoteSizes.cached(table.id) { return cached }
        guard let connector = try Connectors.make(source) as? any RemoteConnector else { return nil }
        let size = try await withScope(readable: [table.id], policies: .bypass) { try connector.size(of: table, alias: alias, on: $0) }
        remoteSizes.remember(size, for: table.id)
        return size
    }
}
