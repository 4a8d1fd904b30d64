// Who calls a use case and what the use case reports back about the call: the identity, the audit facts, the
// request id for logs, and a way to notice that the caller went away (to interrupt DuckDB).
import Foundation

/// Notices a caller leaving while work runs (an HTTP client closing its connection).
public protocol CallerPresence: Sendable {
    /// Runs `work`, calling `onLeave` if the caller goes away meanwhile.
    func untilCallerLeaves<T>(_ onLeave: @escaping @Sendable () -> Void, _ work: () async throws -> T) async throws -> T
}

/// The caller of a use case.
public struct Caller: Sendable {
    public let identity: Identity
    /// What the use case did, for the audit trail (the surface writes it with the outcome).
    public let audit: AuditNote
    /// Names the request in logs.
    public let requestId: String
    let presence: (any CallerPresence)?

    public init(identity: Identity, audit: AuditNote = AuditNote(), requestId: String = "", presence: (any CallerPresence)? = nil) {
        self.identity = identity
        self.audit = audit
        self.requestId = requestId
        self.presence = presence
    }

    /// Runs `work`, calling `onLeave` if the caller leaves meanwhile.
    func untilLeaves<T>(_ onLeave: @escaping @Sendable () -> Void, _ work: () async throws -> T) async throws -> T {
        guard let presence else { return try await work() }
        return try await presence.untilCallerLeaves(onLeave, work)
    }

    /// 403 "Admin access required" unless the caller is an administrator.
    public func requireAdmin() throws {
        try identity.requireAdmin()
    }
}
