// Password hashes: bcrypt for every new hash; argon2id (upstream Agnes's format) verified for migrated users and then
// replaced with bcrypt. Hashing is slow on purpose, so it runs on a thread pool of its own — never on the event loop,
// and never queued behind DuckDB work (syncs, profiles, scans) on NIO's shared pool, which would stall sign-ins.
import CArgon2
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Hashes and verifies passwords.
public struct PasswordHasher: Sendable {
    /// Passwords shorter than this are refused.
    public static let minimumLength = 8
    /// Longer passwords are refused (bcrypt reads only 72 bytes; longer input is a denial-of-service vector).
    public static let maximumLength = 72

    public let cost: Int

    public init(cost: Int) { self.cost = cost }

    /// The threads that hash: two, started once, for the process's life.
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        return pool
    }()

    /// What `verify` found.
    public enum Verification: Sendable, Equatable {
        case mismatch
        case match
        /// The password matched a hash in an older format; store `replacement` instead.
        case matchNeedsRehash(replacement: String)
    }

    /// A new bcrypt hash of `password`.
    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(cost)
        return try await Self.pool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Checks `password` against `hash` (bcrypt `$2…$` or argon2id `$argon2id$…`).
    public func verify(_ password: String, against hash: String) async throws -> Verification {
        if hash.hasPrefix("$argon2id$") {
            let matches = try await Self.pool.runIfActive { Self.verifyArgon2id(password, hash: hash) }
            return matches ? .matchNeedsRehash(replacement: try await self.hash(password)) : .mismatch
        }
        guard hash.hasPrefix("$2") else { return .mismatch }
        let matches = try await Self.pool.runIfActive { Bcrypt.verify(password, hash: hash) }
        return matches ? .match : .mismatch
    }

    /// Spends the time of one verification, so an unknown email takes as long to refuse as a wrong password.
    /// (Hashing at the configured cost takes as long as verifying a hash of that cost.)
    public func verifyDummy(_ password: String) async throws {
        _ = try await hash(password)
    }

    /// Why a new password cannot be used, or nil when it can.
    public static func problem(with password: String) -> String? {
        if password.count < minimumLength { return "Password must be at least \(minimumLength) characters" }
        if password.utf8.count > maximumLength { return "Password must be at most \(maximumLength) bytes" }
        return nil
    }

    public static func verifyArgon2id(_ password: String, hash: String) -> Bool {
        let bytes = Array(password.utf8)
        return bytes.withUnsafeBytes { buffer in
            argon2id_verify(hash, buffer.baseAddress, buffer.count) == ARGON2_OK.rawValue
        }
    }
}
