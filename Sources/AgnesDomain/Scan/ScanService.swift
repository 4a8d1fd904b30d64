// Snapshot scans (`POST /api/v2/scan/estimate` from parquet row-group statistics, `POST /api/v2/scan` writing the
// projected, filtered rows as parquet) over a table the caller may read; remote tables are queried instead.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation
import NIOPosix

/// Estimates and runs scans.
public struct ScanService: Sendable {
    let domain: Domain

    /// A finished scan: an open handle on its parquet (already unlinked, so it lives as long as the handle).
    public struct Output: Sendable {
        public let file: FileHandle
        public let sizeBytes: Int
        public let rows: Int64
        /// `<table>-snapshot.parquet`.
        public let filename: String
    }

    /// The checked scan and the files it reads (local tables only; 400 for remote ones).
    private func plan(_ request: ScanRequest, table: RegisteredTable) async throws -> (ScanPlan, SyncedTable, [ScanColumn]) {
        guard table.queryMode != .remote else {
            throw ServiceError.badRequest("table '\(table.id)' is served live from its source (query_mode remote): query it with POST /api/query")
        }
        guard let synced = try await SyncedTable.load(table, domain: domain), !synced.files.isEmpty else {
            throw ServiceError.notFound("table '\(table.id)' has no data yet (it is served after its first sync)")
        }
        let paths = synced.paths
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try Self.withScratchConnection { connection in
                    let schema = try ScanRunner.schema(of: paths, on: connection)
                    return (try ScanPlan.make(request, schema: schema, using: connection), synced, schema)
                }
            }
        } catch let rejection as ScanRejection {
            throw Self.serviceError(rejection)
        }
    }

    private static func withScratchConnection<T>(_ body: (Connection) throws -> T) throws -> T {
        let database = try Database()
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        return try body(connection)
    }

    static func serviceError(_ rejection: ScanRejection) -> ServiceError {
        switch rejection {
        case let .invalid(message): return ServiceError.badRequest(message)
        case let .validator(kind, details):
            var error = ServiceError.badRequest("validator_rejected: \(kind)")
            error.structuredDetail = .object(["error": "validator_rejected", "kind": .string(kind),
                                              "details": .object(details.mapValues(JSONValue.string))])
            return error
        }
    }

    /// What the scan would read and return, from the parquet metadata alone.
    public func estimate(_ request: ScanRequest, for caller: Caller) async throws -> ScanEstimate {
        caller.audit.record("snapshot.estimate", resource: "table:\(request.tableId)")
        let table = try await domain.catalog.readableTable(request.tableId, for: caller)
        if table.queryMode == .remote {
            return ScanEstimate(tableId: table.id, estimatedScanBytes: 0, estimatedResultRows: nil, estimatedResultBytes: nil, rowGroups: 0,
                                rowGroupsMatching: 0)
        }
        let (plan, synced, schema) = try await self.plan(request, table: table)
        let paths = synced.paths
        return try await NIOThreadPool.singleton.runIfActive {
            try Self.withScratchConnection { try ScanRunner.estimate(plan, tableId: table.id, files: paths, schema: schema, on: $0) }
        }
    }

    /// Runs the scan into a scratch parquet file under the time limit and the caller's concurrency limit.
    public func scan(_ request: ScanRequest, for caller: Caller) async throws -> Output {
        caller.audit.record("snapshot.create", resource: "table:\(request.tableId)", params: ["as": request.as ?? ""].filter { !$0.value.isEmpty })
        let table = try await domain.catalog.readableTable(request.tableId, for: caller)
        let (plan, synced, _) = try await self.plan(request, table: table)
        let folder = domain.settings.dataDirectory.appendingPathComponent("tmp/scans", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let output = folder.appendingPathComponent("\(UUID().uuidString.lowercased()).parquet")
        defer { try? FileManager.default.removeItem(at: output) }
        let paths = synced.paths
        let deadline = QueryDeadline(milliseconds: domain.settings.queryLimits.timeoutSeconds * 1000)
        do {
            let rows = try await caller.untilLeaves({ deadline.cancel() }) {
                try await domain.queryConcurrency.run(for: caller.identity.user.id) {
                    try await NIOThreadPool.singleton.runIfActive { try ScanRunner.write(plan, files: paths, to: output, deadline: deadline) }
                }
            }
            // Opened, then unlinked (by the defer): the file lives exactly as long as the handle.
            let handle = try FileHandle(forReadingFrom: output)
            let size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            caller.audit.add(params: ["rows": String(rows), "bytes": String(size)])
            return Output(file: handle, sizeBytes: size, rows: rows, filename: "\(table.id)-snapshot.parquet")
        } catch {
            throw domain.query.refusal(error, caller: caller, operation: "Scan")
        }
    }
}
