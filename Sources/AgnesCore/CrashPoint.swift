// Named points where the process stops itself with SIGKILL when `AGNES_CRASH_AT` names them, so crash tests end a
// process at an exact moment (in the middle of a download, before a sync's rename, …) instead of racing a kill against
// it. Unset, a point costs one comparison. The CLI and the server share the list.
import Foundation

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

    /// Server: a copy of the state database (a backup, the pre-migration backup, the copy kept before a restore) is
    /// written under its temporary name, not yet renamed.
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

    static let armed: String? = ProcessInfo.processInfo.environment["AGNES_CRASH_AT"]

    /// Stops the process at once (as `kill -9` would) when `AGNES_CRASH_AT` names this point.
    public func reach() {
        guard Self.armed == rawValue else { return }
        kill(getpid(), SIGKILL)
    }
}
