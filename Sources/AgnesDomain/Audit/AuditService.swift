// Reading the audit trail (admins): newest first, filtered by user, action, resource, result and time range, in pages
// of at most 1,000 rows with a cursor. Reading the trail is itself audited.
import AgnesAPI
import AgnesState
import Foundation

/// The use cases of the audit trail.
public struct AuditService: Sendable {
    let domain: Domain
    let log: AuditLog

    public static let defaultLimit = 100

    public init(domain: Domain, log: AuditLog) {
        self.domain = domain
        self.log = log
    }

    /// The filters of a read; timestamps are ISO-8601 text as the request gave them.
    public struct Filter: Sendable {
        public var userId, action, actionPrefix, resource, result, since, until, cursor: String?
        public var limit: Int?

        public init(userId: String? = nil, action: String? = nil, actionPrefix: String? = nil, resource: String? = nil, result: String? = nil,
                    since: String? = nil, until: String? = nil, cursor: String? = nil, limit: Int? = nil) {
            (self.userId, self.action, self.actionPrefix, self.resource, self.result) = (userId, action, actionPrefix, resource, result)
            (self.since, self.until, self.cursor, self.limit) = (since, until, cursor, limit)
        }
    }

    /// One page of the trail.
    public func read(_ filter: Filter, for caller: Caller) async throws -> AuditTrailPage {
        try caller.requireAdmin()
        caller.audit.record("audit.read")
        var limit = Self.defaultLimit
        if let value = filter.limit {
            guard value > 0 else { throw ServiceError.badRequest("limit must be a positive integer") }
            limit = min(value, AuditQuery.maximumLimit)
        }
        let query = AuditQuery(userId: filter.userId, action: filter.action, actionPrefix: filter.actionPrefix, resource: filter.resource,
                               result: filter.result, since: try Self.date(filter.since, name: "since"), until: try Self.date(filter.until, name: "until"),
                               limit: limit, cursor: filter.cursor)
        do {
            let page = try await log.query(query)
            return AuditTrailPage(rows: page.entries, nextCursor: page.nextCursor, limit: limit)
        } catch let StateError.invalid(message) {
            throw ServiceError.badRequest(message)
        }
    }

    static func date(_ text: String?, name: String) throws -> Date? {
        guard let text else { return nil }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        throw ServiceError.badRequest("\(name) must be an ISO-8601 timestamp such as 2026-11-22T10:00:00Z")
    }
}
