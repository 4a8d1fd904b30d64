// One entry of the audit trail: who did what to which resource, with what result.
import AgnesAPI
import Foundation

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
