// Users' stack subscriptions: the data packages and memory domains each user took into their stack.
import AgnesAPI
import DuckDB
import Foundation

/// One subscription.
public struct StackSubscription: Codable, Sendable, Equatable, Hashable {
    public var resourceType: StackItemType
    public var resourceId: String

    public init(resourceType: StackItemType, resourceId: String) {
        self.resourceType = resourceType
        self.resourceId = resourceId
    }

    enum CodingKeys: String, CodingKey {
        case resourceType = "resource_type"
        case resourceId = "resource_id"
    }
}

/// Reads and writes `stack_subscriptions`.
public struct StackRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    public func subscriptions(ofUser userId: String) async throws -> [StackSubscription] {
        try await store.read { connection in
            try connection.fetchAll(StackSubscription.self, """
                SELECT resource_type, resource_id FROM stack_subscriptions WHERE user_id = $1 ORDER BY resource_type, resource_id
                """, userId)
        }
    }

    /// Subscribes; false when the user was subscribed already.
    public func subscribe(userId: String, _ subscription: StackSubscription) async throws -> Bool {
        let now = DuckDBTimestamp(Date()).date
        return try await store.write { connection in
            let present = try connection.scalar(Int64.self, """
                SELECT count(*) FROM stack_subscriptions WHERE user_id = $1 AND resource_type = $2 AND resource_id = $3
                """, userId, subscription.resourceType.rawValue, subscription.resourceId) ?? 0
            guard present == 0 else { return false }
            try mapConcurrentInsert {
                try connection.execute("INSERT INTO stack_subscriptions (user_id, resource_type, resource_id, subscribed_at) VALUES ($1, $2, $3, $4)",
                                       userId, subscription.resourceType.rawValue, subscription.resourceId, now)
            }
            return true
        }
    }

    /// Unsubscribes; false when the user was not subscribed.
    public func unsubscribe(userId: String, _ subscription: StackSubscription) async throws -> Bool {
        try await store.write { connection in
            try connection.execute("DELETE FROM stack_subscriptions WHERE user_id = $1 AND resource_type = $2 AND resource_id = $3",
                                   userId, subscription.resourceType.rawValue, subscription.resourceId) == 1
        }
    }
}
