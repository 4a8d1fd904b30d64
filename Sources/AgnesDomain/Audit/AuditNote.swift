// What a route tells the audit middleware about the request it handled.
import Foundation
import Synchronization

/// The audit facts of one request: the action, the resource and the (secret-free) parameters. A route fills it in;
/// the audit middleware writes it with the outcome, the duration, the caller and the client address.
public final class AuditNote: Sendable {
    public struct Facts: Sendable {
        public var action: String?
        public var resource: String?
        public var params: [String: String] = [:]
        public var userId: String?
        public var clientKind: String?
        public var skip = false
        /// The request only read, although its method is one that changes things (an MCP tool call is a POST): its
        /// entry goes into the next batch rather than being written before the response.
        public var readOnly = false
        /// The answer's body is still being made when the handler returns (a streamed query): the entry is written
        /// once the body has been sent, with what was recorded by then.
        public var afterBody = false
    }

    private let facts = Mutex(Facts())

    public init() {}

    /// Names what the request does (`user.create`) and what it touches.
    public func record(_ action: String, resource: String? = nil, params: [String: String] = [:]) {
        facts.withLock {
            $0.action = action
            $0.resource = resource
            $0.params.merge(params) { _, new in new }
        }
    }

    /// Adds parameters to what was recorded, keeping the action and the resource.
    public func add(params: [String: String]) {
        facts.withLock { $0.params.merge(params) { _, new in new } }
    }

    /// The user the action concerns: the caller, or for a login attempt the user it names.
    public func attribute(toUser userId: String?, clientKind: String? = nil) {
        facts.withLock {
            $0.userId = userId
            if let clientKind { $0.clientKind = clientKind }
        }
    }

    /// Leaves this request out of the audit trail (reads of the trail itself, health probes).
    public func skip() {
        facts.withLock { $0.skip = true }
    }

    /// Marks the request as a read whatever its method (see `Facts.readOnly`).
    public func markRead() {
        facts.withLock { $0.readOnly = true }
    }

    /// Asks for the entry to be written after the body is sent (see `Facts.afterBody`).
    public func recordAfterBody() {
        facts.withLock { $0.afterBody = true }
    }

    public var current: Facts { facts.withLock { $0 } }
}
