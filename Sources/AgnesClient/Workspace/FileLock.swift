// An advisory lock on a file (`flock`), held until `unlock()` or the process ends — so a killed holder never leaves a
// stale lock behind.
import Foundation

public final class FileLock: @unchecked Sendable {
    private var descriptor: Int32

    /// Takes the lock; without `wait`, nil when another process holds it.
    public static func acquire(_ url: URL, wait: Bool) throws -> FileLock? {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ClientError(.failure, "cannot open \(url.path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, wait ? LOCK_EX : LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return FileLock(descriptor: descriptor)
    }

    private init(descriptor: Int32) { self.descriptor = descriptor }

    public func unlock() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { unlock() }
}
