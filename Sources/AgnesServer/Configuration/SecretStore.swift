// Secrets generated on first start and kept in DATA_DIR/state/secrets/ (mode 600), so restarts keep sessions valid.
import AgnesCore
import Foundation

/// Reads, or creates once, named random secrets in a private directory.
struct SecretStore {
    let directory: URL

    /// The secret called `name`: read from its file, or 32 random bytes (hex) written there with mode 600.
    func value(named name: String) throws -> String {
        let file = directory.appendingPathComponent(name)
        if let existing = try? String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !existing.isEmpty {
            return existing
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var generator = SystemRandomNumberGenerator()
        let secret = Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        // Write under a temporary name with owner-only permissions, then link it into place.
        let temporary = directory.appendingPathComponent(".\(name).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError.unreadable(file: temporary.path, reason: "cannot write the generated secret")
        }
        defer { unlink(temporary.path) }
        // link(2) fails if another process created the secret first; then that one is used.
        if link(temporary.path, file.path) != 0 {
            guard errno == EEXIST, let existing = try? String(contentsOf: file, encoding: .utf8) else {
                throw ConfigurationError.unreadable(file: file.path, reason: String(cString: strerror(errno)))
            }
            return existing.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return secret
    }
}
