// Named points where the process stops itself with SIGKILL when `AGNES_CRASH_AT` names them, so crash tests end a
// process at an exact moment (in the middle of a download, …) instead of racing a kill against it. Unset, a point
// costs one comparison.
import Foundation

/// Crash points of the CLI.
public enum CrashPoint: String, Sendable {
    /// Half of a file's bytes are written to its `.partial`.
    case pullMidDownload = "pull.mid-download"

    static let armed: String? = ProcessInfo.processInfo.environment["AGNES_CRASH_AT"]

    /// Stops the process at once (as `kill -9` would) when `AGNES_CRASH_AT` names this point.
    public func reach() {
        guard Self.armed == rawValue else { return }
        kill(getpid(), SIGKILL)
    }
}
