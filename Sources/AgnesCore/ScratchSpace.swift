// Each process's scratch files (scan outputs being written, rows a connector staged) live in a folder of its own,
// `DATA_DIR/tmp/<host>-<pid>/`: processes sharing a data directory never see, or clean up, each other's half-written
// files, and what a killed process left behind is removed by the next process started on the same host.
import Foundation

public enum ScratchSpace {
    /// This process's scratch folder under `dataDirectory` (created by whoever writes into it).
    public static func directory(in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("tmp", isDirectory: true).appendingPathComponent("\(host)-\(getpid())", isDirectory: true)
    }

    /// Removes the scratch folders of this host's processes that are gone, and — when `alone`, no other process can
    /// share the directory — the shared scratch folders of earlier versions (`tmp/scans`, `tmp/staging`, `tmp/whole`).
    /// Returns the folders removed.
    @discardableResult
    public static func removeAbandoned(in dataDirectory: URL, alone: Bool) -> [String] {
        let root = dataDirectory.appendingPathComponent("tmp", isDirectory: true)
        var removed: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] {
            let abandoned: Bool
            if name.hasPrefix(host + "-"), let pid = Int32(name.dropFirst(host.count + 1)) {
                abandoned = pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
            } else {
                abandoned = alone && ["scans", "staging", "whole"].contains(name)
            }
            if abandoned, (try? FileManager.default.removeItem(at: root.appendingPathComponent(name))) != nil { removed.append(name) }
        }
        return removed
    }

    /// The host's name as a folder name (letters, digits, dots and dashes).
    static let host: String = {
        let name = String(ProcessInfo.processInfo.hostName.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "." ? Character($0) : "-" })
        return name.isEmpty ? "host" : name
    }()
}
