// Snapshot scans (`POST /api/v2/scan/estimate` from parquet row-group statistics, `POST /api/v2/scan` writing the
// projected, filtered rows as parquet) over a table the caller may read; remote tables are queried instead.
import AgnesAPI
import AgnesCore
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

    /// A remote table's rows as the engine reads them (its source attached in the scan's own DuckDB); refused when an
    /// access policy applies to the caller (no slice of a live table can be made here).
    private func remoteSource(of table: RegisteredTable, for caller: Caller) async throws -> ScanSource {
        if table.hasPolicy, try await domain.policies.enforcement(for: caller.identity) != .bypass {
            throw ServiceError(.forbidden, "Table '\(table.id)' is served live and has an access policy: query it with POST /api/query")
        }
        guard let engine = domain.dataPlane.orchestrator.engine else { throw ServiceError(.serviceUnavailable, "The query engine is not ready") }
        guard case let .remote(source, alias, select)? = engine.tables[table.id]?.rows else {
            throw ServiceError(.serviceUnavailable, "the source of '\(table.id)' is not reachable now; try again later")
        }
        return .remote(source, alias: alias, select: select)
    }

    /// The checked scan and what it reads (a synced table's files, or a remote table's source, read live).
    private func plan(_ request: ScanRequest, table: RegisteredTable, for caller: Caller)
        async throws -> (ScanPlan, SyncedTable?, [ScanColumn], ScanSource, fingerprint: String?) {
        let synced: SyncedTable?, source: ScanSource, fingerprint: String?
        if table.queryMode == .remote {
            (synced, source, fingerprint) = (nil, try await remoteSource(of: table, for: caller), nil)
        } else {
            guard let loaded = try await SyncedTable.load(table, domain: domain), !loaded.files.isEmpty else {
                throw ServiceError.notFound("table '\(table.id)' has no data yet (it is served after its first sync)")
            }
            synced = loaded
            (source, fingerprint) = try await self.source(of: table, loaded, for: caller)
        }
        do {
            return try await NIOThreadPool.singleton.runIfActive {
                try Database.withScratchConnection { connection in
                    try source.prepare(connection)
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

    /// Upstream's `--from-query` snapshot: the rows of one guarded query (grants and access policies as `/api/query`);
    /// `table_id` names the snapshot. Exclusive with the slice fields.
    private func scan(fromQuery query: String, _ request: ScanRequest, format: ScanFormat, for caller: Caller) async throws -> Output {
        guard request.select == nil, request.where == nil, request.orderBy == nil, request.limit == nil else {
            throw ServiceError.badRequest("from_query cannot be combined with select, where, order_by or limit")
        }
        caller.audit.add(params: ["from_query": String(query.prefix(200))])
        let folder = ScratchSpace.directory(in: domain.settings.dataDirectory).appendingPathComponent("scans", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let output = folder.appendingPathComponent("\(UUID().uuidString.lowercased()).\(format.fileExtension)")
        defer { try? FileManager.default.removeItem(at: output) }
        let rows = try await domain.query.export(query, to: output, format: format, for: caller)
        let handle = try FileHandle(forReadingFrom: output)
        let size = Int(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        let name = request.as ?? request.tableId
        return Output(format: format, file: handle, sizeBytes: size, rows: rows, filename: "\(name)-snapshot.\(format.fileExtension)",
                      policyFingerprint: nil, tableId: request.tableId)
    }

    /// What the scan would read and return, from the parquet metadata alone.
    public func estimate(_ request: ScanRequest, for caller: Caller) async throws -> ScanEstimate {
        caller.audit.record("snapshot.estimate", resource: "table:\(request.tableId)")
        caller.audit.markRead()
        let table = try await domain.catalog.readableTable(request.tableId, for: caller)
        let (plan, synced, schema, source, _) = try await self.plan(request, table: table, for: caller)
        guard source.caller == nil else {
            // For a policied table the statistics would tell what the caller may not see.
            return ScanEstimate(tableId: table.id, estimatedScanBytes: 0, estimatedResultRows: nil, estimatedResultBytes: nil, rowGroups: 0,
                                rowGroupsMatching: 0)
        }
        guard let synced else {
            // A remote table: what its source says it holds (what reading it takes there), when the source can tell.
            let size = try? await domain.dataPlane.orchestrator.engine?.remoteSize(of: table)
            return ScanEstimate(tableId: table.id, estimatedScanBytes: size?.bytes ?? 0, estimatedResultRows: nil, estimatedResultBytes: nil,
                                rowGroups: 0, rowGroupsMatching: 0)
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
        if let query = request.fromQuery { return try await scan(fromQuery: query, request, format: format, for: caller) }
        let table = try await domain.catalog.readableTable(request.tableId, for: caller)
        let (plan, _, _, source, fingerprint) = try await self.plan(request, table: table, for: caller)
        let folder = ScratchSpace.directory(in: domain.settings.dataDirectory).appendingPathComponent("scans", isDirectory: true)
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
