// One entry of the audit trail: who did what to which resource, with what result.
import Foundation

/// A row of `audit_log`.
public struct AuditEntry: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var timestamp: Date
    public var userId: String?
    public var action: String
    public var resource: String?
    /// Parameters of the action as JSON text (an object), never containing secrets.
    public var params: String?
    public var result: String?
    public var durationMs: Int64?
    public var clientIp: String?
    public var clientKind: String?
    public var requestId: String?

    public init(id: String = Identifier.make(), timestamp: Date = Date(), userId: String?, action: String, resource: String? = nil,
                params: String? = nil, result: String? = nil, durationMs: Int64? = nil, clientIp: String? = nil,
                clientKind: String? = nil, requestId: String? = nil) {
        self.id = id
        self.timestamp = timestamp
        self.userId = userId
        self.action = action
        self.resource = resource
        self.params = params
        self.result = result
        self.durationMs = durationMs
        self.clientIp = clientIp
        self.clientKind = clientKind
        self.requestId = requestId
    }

    enum CodingKeys: String, CodingKey {
        case id, timestamp, action, resource, params, result
        case userId = "user_id"
        case durationMs = "duration_ms"
        case clientIp = "client_ip"
        case clientKind = "client_kind"
        case requestId = "request_id"
    }
}

/// A filter over the audit trail. Results come newest first in pages of at most 1,000.
public struct AuditQuery: Sendable, Equatable {
    public static let maximumLimit = 1_000

    public var userId: String?
    public var action: String?
    /// Actions starting with this text (`user.` matches `user.create` and `user.delete`).
    public var actionPrefix: String?
    public var resource: String?
    /// `success`, or `error.<status>`.
    public var result: String?
    public var since: Date?
    public var until: Date?
    public var limit: Int
    /// The `nextCursor` of the previous page.
    public var cursor: String?

    public init(userId: String? = nil, action: String? = nil, actionPrefix: String? = nil, resource: String? = nil, result: String? = nil,
                since: Date? = nil, until: Date? = nil, limit: Int = 100, cursor: String? = nil) {
        self.userId = userId
        self.action = action
        self.actionPrefix = actionPrefix
        self.resource = resource
        self.result = result
        self.since = since
        self.until = until
        self.limit = limit
        self.cursor = cursor
    }
}

/// One page of audit entries, and the cursor of the next page when there is one.
public struct AuditPage: Sendable, Equatable {
    public var entries: [AuditEntry]
    public var nextCursor: String?
}
