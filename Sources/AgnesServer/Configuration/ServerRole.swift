// What a process does besides answering HTTP: every role serves the whole API; the role says which background work
// runs in it (docs/scale-out.md).

/// `deployment.role` / `AGNES_ROLE` / `serve --role`.
public enum ServerRole: String, Sendable, CaseIterable {
    /// Everything in one process: the API, the job worker, the scheduler (elected when the state is shared). The
    /// default, and the only role of an embedded state.
    case all
    /// The API only: syncs asked of it are queued for the workers; it follows their results.
    case api
    /// The job worker and the scheduler (elected), besides the API (for health checks and administration).
    case worker

    /// Whether the process claims and runs jobs.
    public var runsJobs: Bool { self != .api }
    /// Whether the process takes part in the scheduler's election.
    public var schedules: Bool { self != .api }
}
