// Syncing: trigger a run (admins and the scheduler; one run at a time), its status, and the history of runs.
import AgnesAPI
import AgnesData
import AgnesState
import Foundation

/// Starts syncs and reports on them.
public struct SyncService: Sendable {
    let domain: Domain

    /// Starts a sync of `request.tables` (every table when nil) in the background: 409 while one runs, 404 for
    /// unknown ids.
    public func trigger(_ request: SyncTriggerRequest, for caller: Caller) async throws -> SyncTriggerResponse {
        try caller.requireAdmin()
        caller.audit.record("sync.trigger", params: ["tables": request.tables?.joined(separator: ",") ?? "all"])
        if domain.state.location != .embedded { return try await queue(request, for: caller) }
        do {
            let started = try await domain.dataPlane.triggerSync(request.tables, trigger: caller.identity.kind == .scheduler ? "scheduler" : caller.identity.viaCookie ? "web" : "api")
            return SyncTriggerResponse(tables: started)
        } catch is DataPlane.SyncInProgress {
            throw ServiceError.conflict("sync_already_in_progress")
        } catch let error as DataPlane.UnknownTables {
            throw ServiceError.notFound("Unknown table ids: \(error.ids.joined(separator: ", "))")
        }
    }

    /// On a state shared by several processes, syncs run on the workers: the trigger queues a sync job (the same
    /// job while an identical one is queued or running) and answers at once.
    private func queue(_ request: SyncTriggerRequest, for caller: Caller) async throws -> SyncTriggerResponse {
        if let ids = request.tables {
            let known = Set(try await RegistryRepository(store: domain.state).list().map(\.id))
            let unknown = ids.filter { !known.contains($0) }
            guard unknown.isEmpty else { throw ServiceError.notFound("Unknown table ids: \(unknown.joined(separator: ", "))") }
        }
        let payload: JSONValue = ["tables": request.tables.map { .array($0.map { .string($0) }) } ?? .null]
        let key = "sync:" + (request.tables?.sorted().joined(separator: ",") ?? "due")
        let (job, _) = try await JobsRepository(store: domain.state).enqueue(kind: JobKind.sync, payload: payload, idempotencyKey: key,
                                                                              createdBy: caller.identity.user.email)
        return SyncTriggerResponse(tables: request.tables ?? [], message: "Queued as job \(job.id) for the workers; GET /api/jobs/\(job.id) shows its progress.")
    }

    /// `POST /api/sync/pull-confirm`: what a finished pull did, kept in the audit trail as upstream's
    /// `sync.pull_completed` (`<section>_added|_updated|_removed`, `duration_ms`, `errors`). It changes nothing but
    /// the trail, so its entry goes into the next batch like a read's: every `agnes pull` ends with this request, and
    /// waiting for a durable write here made an up-to-date pull 3–4 ms slower.
    public func confirmPull(_ request: PullConfirmRequest, for caller: Caller) -> PullConfirmed {
        caller.audit.markRead()
        var params: [String: String] = [:]
        for (section, counts) in [("direct_tables", request.directTables), ("data_packages", request.dataPackages),
                                  ("memory_domains", request.memoryDomains)] {
            guard let counts else { continue }
            params["\(section)_added"] = String(counts.added)
            params["\(section)_updated"] = String(counts.updated)
            params["\(section)_removed"] = String(counts.removed)
        }
        if let duration = request.durationMs { params["duration_ms"] = String(duration) }
        params["errors"] = String(request.errors ?? 0)
        caller.audit.record("sync.pull_completed", params: params)
        return PullConfirmed()
    }

    /// `GET /api/sync/status`: whether a sync runs, and of which tables — in this process, and on a shared state in
    /// any process.
    public func status() async throws -> SyncRunStatus {
        let local = domain.dataPlane.runningTables
        guard domain.state.dialect == .postgreSQL else { return SyncRunStatus(running: local) }
        // On a shared state the syncs other processes run, from the queue's running sync jobs (a job of the due tables
        // names none until it ends).
        var running = Set(local ?? [])
        var locked = local != nil
        for job in try await JobsRepository(store: domain.state).list(status: .running, limit: 100) where job.kind == JobKind.sync {
            locked = true
            running.formUnion((try? JobKind.syncTables(job.payload)).flatMap { $0 } ?? [])
        }
        return SyncRunStatus(running: locked ? running.sorted() : nil)
    }

    /// The last `limit` runs (1–1,000, default 100), of one table or all (admins).
    public func history(table: String?, limit: Int?, for caller: Caller) async throws -> [SyncHistoryEntry] {
        try caller.requireAdmin()
        return try await SyncStateRepository(store: domain.state).history(tableId: table, limit: min(max(limit ?? 100, 1), 1000))
    }
}
