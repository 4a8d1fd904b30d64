// Named points where the process stops itself with SIGKILL when `AGNES_CRASH_AT` names them, so crash tests end a
// process at an exact moment (in the middle of a download, before a sync's rename, …) instead of racing a kill against
// it; `AGNES_CRASH_AT=<point>@<n>` stops at the n-th time the point is reached (the third step of a migration ladder,
// the second engine rebuild). Unset, a point costs one comparison. The CLI and the server share the list.
import Foundation
import Synchronization

/// Crash points of the CLI and the server.
public enum CrashPoint: String, Sendable {
    /// CLI: half of a file's bytes are written to its `.partial`.
    case pullMidDownload = "pull.mid-download"
    /// CLI: a file is downloaded whole, verified and flushed under its `.partial` name, not yet renamed.
    case pullBeforeRename = "pull.before-rename"
    /// CLI: the workspace's views are being rebuilt (the first one replaced), the pull not yet recorded.
    case pullMidViews = "pull.mid-views"
    /// Server: a sync has written and flushed a table's new parquet under its temporary name, not yet renamed.
    case syncBeforeRename = "sync.before-rename"
    /// Server: a sync has written a table's new files beside the old ones, and not yet recorded the table's new state.
    case syncBeforeState = "sync.before-state"
    /// Server: a sync has recorded its tables' new state, and not yet published their source's extract (nor dropped
    /// the old files).
    case syncBeforePublish = "sync.before-publish"

    /// Server: a copy of the state database (a backup, an online backup, the pre-migration backup, the copy kept before a
    /// restore) is written under its temporary name, not yet renamed.
    case stateMidCopy = "state.mid-copy"
    /// Server: `restore` has staged the backup beside the state database, not yet renamed it into place.
    case restoreBeforeRename = "restore.before-rename"
    /// Server: a migration step has run inside its transaction, not yet recorded or committed.
    case migrateMidStep = "migrate.mid-step"
    /// Server: a write transaction of the state database has done its work, not yet committed.
    case stateMidWrite = "state.mid-write"
    /// Server: a batch of audit entries is appended, not yet committed.
    case auditMidFlush = "audit.mid-flush"

    /// Server: `import-legacy` has merged and validated every table inside its transaction, not yet committed.
    case legacyMidImport = "legacy.mid-import"
    /// Server: an import into a PostgreSQL state has written every table back, not yet committed.
    case postgresMirrorBeforeCommit = "postgres-mirror.before-commit"
    /// Server: a query engine is being built (its sources attached, its views made), not yet serving.
    case engineMidRebuild = "engine.mid-rebuild"
    /// CLI: `agnes push` has uploaded the queued sessions, and not yet rewritten its queue.
    case pushBeforeQueue = "push.before-queue"

    /// The armed point and the time it is reached at which the process stops (1: the first).
    static let armed: (name: String, ordinal: Int)? = ProcessInfo.processInfo.environment["AGNES_CRASH_AT"].map { value in
        let parts = value.split(separator: "@", maxSplits: 1)
        return (String(parts.first ?? ""), parts.count == 2 ? max(1, Int(parts[1]) ?? 1) : 1)
    }
    private static let reached = Mutex(0)

    /// Stops the process at once (as `kill -9` would) when `AGNES_CRASH_AT` names this point (and this is the time).
    public func reach() {
        guard let armed = Self.armed, armed.name == rawValue else { return }
        guard Self.reached.withLock({ count in
            count += 1
            return count
        }) >= armed.ordinal else { return }
        kill(getpid(), SIGKILL)
    }
}
