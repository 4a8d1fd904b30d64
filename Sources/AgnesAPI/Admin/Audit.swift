// The audit trail as administrators read it (`GET /api/admin/audit`).
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

/// One page of the trail, newest first, and the cursor of the next.
public struct AuditTrailPage: Codable, Sendable, Equatable {
    public var rows: [AuditEntry]
    @Nullable public var nextCursor: String?
    public var limit: Int

    public init(rows: [AuditEntry], nextCursor: String?, limit: Int) {
        self.rows = rows
        self.nextCursor = nextCursor
        self.limit = limit
    }

    enum CodingKeys: String, CodingKey {
        case rows, limit
        case nextCursor = "next_cursor"
    }
}
