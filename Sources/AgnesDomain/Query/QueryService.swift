// `POST /api/query`: one SELECT over the tables the caller may see, run in the caller's grant scope (a DuckDB holding
// only those tables) with a row cap, a byte cap, a time limit and a per-user concurrency limit, interrupted when the
// caller goes away, audited with a preview of the SQL, the tables it read, the rows returned and the duration.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation

/// Guarded queries over the caller's tables.
public struct QueryService: Sendable {
    let domain: Domain

    /// Rows when the request names no limit.
    public static let defaultRows = 1_000
    var limits: QueryLimits { domain.settings.queryLimits }

    /// Runs `request` for the caller: 400 for SQL the guard refuses or that fails, or that reads remote tables over the
    /// remote scan cap; 403 for a table the caller may not read (or a qualified name), 503 before the engine is ready.
    public func run(_ request: QueryRequest, for caller: Caller) async throws -> QueryResult {
        let (limit, (engine, readable, tables, policies, policied)) = try await prepare(request, for: caller)
        let started = ContinuousClock.now
        let deadline = QueryDeadline(milliseconds: limits.timeoutSeconds * 1000)
        let maximumBytes = limits.maximumResultBytes
        do {
            var result = try await caller.untilLeaves({ deadline.cancel() }) {
                try await domain.queryConcurrency.run(for: caller.identity.user.id) {
                    try await QueryRunner.run(request.sql, limit: limit, maximumBytes: maximumBytes, deadline: deadline,
                                              on: engine, readable: readable, policies: policies)
                }
            }
            recordRows(result.rowCount, tables: tables, policied: policied, since: started, caller: caller)
            result.rowScope = policied.isEmpty ? nil : RowScope(policiedTables: policied)
            return result
        } catch {
            throw refusal(error, caller: caller, operation: "Query")
        }
    }

    /// Writes every row `sql` returns to `output` as `format` (upstream's `from_query` snapshots): the same guard,
    /// grants, policies, time limit and per-user concurrency as `run`, without the row and byte caps of a JSON answer;
    /// returns the rows written.
    public func export(_ sql: String, to output: URL, format: ScanFormat, for caller: Caller) async throws -> Int64 {
        let checked = try await check(sql, for: caller)
        let deadline = QueryDeadline(milliseconds: limits.timeoutSeconds * 1000)
        do {
            let rows = try await caller.untilLeaves({ deadline.cancel() }) {
                try await domain.queryConcurrency.run(for: caller.identity.user.id) {
                    try await QueryRunner.export(sql, to: output, format: format, deadline: deadline, on: checked.engine,
                                                 readable: checked.readable, policies: checked.policies)
                }
            }
            caller.audit.add(params: ["rows": String(rows), "tables": checked.tables.sorted().joined(separator: ",")]
                .merging(checked.policied.isEmpty ? [:] : ["policied_tables": checked.policied.joined(separator: ",")]) { $1 })
            return rows
        } catch {
            throw refusal(error, caller: caller, operation: "Query")
        }
    }

    /// The row limit of `request` and what `check` says of it, its audit entry begun, the remote scan cap applied.
    func prepare(_ request: QueryRequest, for caller: Caller) async throws
        -> (limit: Int, checked: (engine: QueryEngine, readable: Set<String>, tables: Set<String>, policies: PolicyEnforcement, policied: [String])) {
        let limit = min(max(request.limit ?? Self.defaultRows, 1), limits.maximumRows)
        caller.audit.record("query.local", params: ["sql_preview": String(request.sql.prefix(200)), "limit": String(limit)])
        // A query only reads: its entry is batched like any read's, not written before the answer as a change's is.
        caller.audit.markRead()
        let checked = try await check(request.sql, for: caller)
        try await RemoteScanCap(domain: domain).check(checked.tables, on: checked.engine, policied: checked.policied)
        return (limit, checked)
    }

    /// The query's audit facts once its rows are known.
    func recordRows(_ rows: Int, tables: Set<String>, policied: [String], since started: ContinuousClock.Instant, caller: Caller,
                    extra: [String: String] = [:]) {
        caller.audit.record("query.local", resource: tables.sorted().joined(separator: ","),
                            params: ["rows_returned": String(rows), "engine_ms": String((ContinuousClock.now - started).milliseconds)]
                                .merging(policied.isEmpty ? [:] : ["policied_tables": policied.joined(separator: ",")]) { $1 }
                                .merging(extra) { $1 })
    }

    /// What the guard, the grants and the policies say of `sql` for the caller: 400 for SQL the guard refuses, 403 for a
    /// table the caller may not read (or a qualified name), 503 before the engine is ready.
    private func check(_ sql: String, for caller: Caller) async throws
        -> (engine: QueryEngine, readable: Set<String>, tables: Set<String>, policies: PolicyEnforcement, policied: [String]) {
        guard let engine = domain.dataPlane.orchestrator.engine else { throw ServiceError(.serviceUnavailable, "The query engine is not ready") }
        let analysis: QueryGuard.Analysis
        do {
            analysis = try await QueryParser.shared.withConnection { try QueryGuard.analyze(sql, using: $0) }
        } catch let rejection as QueryRejection {
            if case .qualifiedTable = rejection { throw ServiceError(.forbidden, rejection.description) }
            throw ServiceError.badRequest(rejection.description)
        }
        // The scope holds every table the caller may read, so callers with the same grants share one.
        let readable = Set(try await domain.access.readableTables(for: caller.identity).map(\.id))
        let tables = analysis.tables
        for table in tables.sorted() {
            guard engine.tables[table] != nil else {
                throw ServiceError.badRequest("Query error: table '\(table)' does not exist. List the tables you can query with `agnes catalog`; "
                                              + "remote tables need `agnes snapshot create` or `--remote`.")
            }
            guard readable.contains(table) else { throw ServiceError(.forbidden, "Access denied to table '\(table)'") }
        }
        let policies = try await domain.policies.enforcement(for: caller.identity)
        try await domain.policies.requireApplied(tables, on: engine, policies)
        let policied = policies == .bypass ? [] : tables.filter { engine.policy(of: $0) != .none }.sorted()
        // Upstream refuses a CTE or alias named like a policied table (its rewrite would be ambiguous); so do we, for
        // the same clients, although here the name could only ever reach the policied view.
        if policies != .bypass, let collision = analysis.definedNames.first(where: { engine.policy(of: $0) != .none && readable.contains($0) }) {
            throw ServiceError.badRequest("policy_name_collision: '\(collision)' names a table with an access policy; use another name for the CTE or alias")
        }
        return (engine, readable, Set(tables), policies, policied)
    }

    /// A query's or scan's failure as the caller sees it: the cause without paths; the full message goes to the log.
    func refusal(_ error: any Error, caller: Caller, operation: String) -> any Error {
        let prefix = "\(operation) error"
        switch error {
        case let error as QueryTimedOut: return ServiceError.badRequest("\(prefix): \(error.description)")
        case let error as RowTooLarge: return ServiceError.badRequest("\(prefix): \(error.description)")
        case let error as QueryCancelled: return ServiceError.badRequest("\(prefix): \(error.description)")
        case is ResultPipeClosed: return ServiceError.badRequest("\(prefix): \(QueryCancelled().description)")
        case let error as DuckDBError:
            domain.logger.info("\(operation.lowercased()) failed", metadata: ["request_id": .string(caller.requestId), "error": .string(error.message)])
            return ServiceError.badRequest("\(prefix): \(PublicErrorMessage.of(error))")
        default: return error
        }
    }
}

extension Duration {
    /// Whole milliseconds.
    public var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
