// Flushing a file's bytes to disk before it is renamed into place: a rename is atomic for readers and for a killed
// process, but only a file whose bytes reached the disk survives a power cut under its new name.
import Foundation

public enum DurableFile {
    /// Flushes `file`'s bytes (fsync).
    public static func synchronize(_ file: URL) throws {
        let handle = try FileHandle(forUpdating: file)
        defer { try? handle.close() }
        try handle.synchronize()
    }
}
