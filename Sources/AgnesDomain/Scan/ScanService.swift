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

    /// A finished scan: an open handle on its file (already unlinked, so it lives as long as the handle).
    public struct Output: Sendable {
        public let format: ScanFormat
        public let file: FileHandle
        public let sizeBytes: Int
        public let rows: Int64
        /// `<table>-snapshot.parquet` (or `.arrows`).
        public let filename: String
        /// For a scan read through an access policy: the policy's fingerprint for this caller.
        public let policyFingerprint: String?
        public let tableId: String
    }

    /// What the caller's scan of `table` reads: the raw files, or the table's policy over them.
    private func source(of table: RegisteredTable, _ synced: SyncedTable, for caller: Caller) async throws -> (ScanSource, fingerprint: String?) {
        guard case let .enforce(policyCaller) = try await domain.policies.enforcement(for: caller.identity), table.hasPolicy else {
            return (.files(synced.paths), nil)
        }
        guard let engine = domain.dataPlane.orchestrator.engine else { throw ServiceError(.serviceUnavailable, "The query engine is not ready") }
        do {
            guard let source = try engine.policiedScanSource(of: table.id, files: synced.paths, for: policyCaller),
                  case let .applied(policy) = engine.policy(of: table.id) else {
                // Registered with a policy the engine does not hold yet (a rebuild is under way): nothing, not the raw rows.
                throw ServiceError(.serviceUnavailable, "policy_error: the access policy of '\(table.id)' is being applied; try again in a moment")
            }
            return (source, policy.fingerprint(for: policyCaller))
        } catch let rejection as PolicyRejection {
            throw ServiceError(.internalServerError, rejection.description)
        }
    }

    /// The checked scan and what it reads (local tables only; 400 for remote ones).
    private func plan(_ request: ScanRequest, table: RegisteredTable, for caller: Caller)
        async throws -> (ScanPlan, SyncedTable, [ScanColumn], ScanSource, fingerprint: String?) {
        guard table.queryMode != .remote else {
            throw ServiceError.badRequest("table '\(table.id)' is served live from its source (query_mode remote): query it with POST /api/query")
        }
        guard let synced = try await SyncedTable.load(table, domain: domain), !synced.files.isEmpty else {
            throw ServiceError.notFound("table '\(table.id)' has no data yet (it is served after its first sync)")
        }
        let (source, fingerprint) = try await source(of: table, synced, for: caller)
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try Database.withScratchConnection { connection in
                    // A policied source's columns are the policy's: a hidden column is unknown to the plan.
                    if let caller = source.caller { try PolicyBinding.bind(caller, on: connection) }
                    let schema = try ScanRunner.schema(of: source, on: connection)
                    return (try ScanPlan.make(request, schema: schema, using: connection), synced, schema, source, fingerprint)
                }
            }
        } catch let rejection as ScanRejection {
            throw Self.serviceError(rejection)
        }
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
        caller.audit.markRead()
        let table = try await domain.catalog.readableTable(request.tableId, for: caller)
        if table.queryMode == .remote {
            return ScanEstimate(tableId: table.id, estimatedScanBytes: 0, estimatedResultRows: nil, estimatedResultBytes: nil, rowGroups: 0,
                                rowGroupsMatching: 0)
        }
        let (plan, synced, schema, source, _) = try await self.plan(request, table: table, for: caller)
        if source.caller != nil {
            // Row-group statistics describe the raw rows: for a policied table they would tell what the caller may not see.
            return ScanEstimate(tableId: table.id, estimatedScanBytes: 0, estimatedResultRows: nil, estimatedResultBytes: nil, rowGroups: 0,
                                rowGroupsMatching: 0)
        }
        let paths = synced.paths
        return try await NIOThreadPool.singleton.runIfActive {
            try Database.withScratchConnection { try ScanRunner.estimate(plan, tableId: table.id, files: paths, schema: schema, on: $0) }
        }
    }

    /// Runs the scan into a scratch file (parquet, or an Arrow IPC stream) under the time limit and the caller's
    /// concurrency limit.
    public func scan(_ request: ScanRequest, format: ScanFormat = .parquet, for caller: Caller) async throws -> Output {
        caller.audit.record("snapshot.create", resource: "table:\(request.tableId)", params: ["as": request.as ?? ""].filter { !$0.value.isEmpty })
        caller.audit.markRead()
        let table = try await domain.catalog.readableTable(request.tableId, for: caller)
        let (plan, _, _, source, fingerprint) = try await self.plan(request, table: table, for: caller)
        let folder = domain.settings.dataDirectory.appendingPathComponent("tmp/scans", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let output = folder.appendingPathComponent("\(UUID().uuidString.lowercased()).\(format.fileExtension)")
        defer { try? FileManager.default.removeItem(at: output) }
        let deadline = QueryDeadline(milliseconds: domain.settings.queryLimits.timeoutSeconds * 1000)
        do {
            let rows = try await caller.untilLeaves({ deadline.cancel() }) {
                try await domain.queryConcurrency.run(for: caller.identity.user.id) {
                    try await NIOThreadPool.singleton.runIfActive {
                        try ScanRunner.write(plan, source: source, to: output, format: format, deadline: deadline)
                    }
                }
            }
            // Opened, then unlinked (by the defer): the file lives exactly as long as the handle.
            let handle = try FileHandle(forReadingFrom: output)
            let size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            caller.audit.add(params: ["rows": String(rows), "bytes": String(size)].merging(fingerprint == nil ? [:] : ["policied": "true"]) { $1 })
            return Output(format: format, file: handle, sizeBytes: size, rows: rows, filename: "\(table.id)-snapshot.\(format.fileExtension)",
                          policyFingerprint: fingerprint, tableId: table.id)
        } catch {
            throw domain.query.refusal(error, caller: caller, operation: "Scan")
        }
    }
}
