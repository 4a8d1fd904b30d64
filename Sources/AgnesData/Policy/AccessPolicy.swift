// A table's access policy as the engine applies it: the administrator's SELECT over the table (which rows, which
// columns, computed how), checked and rewritten once so that the caller's values reach it as DuckDB variables set on
// the caller's own connection — never as text in the SQL. `PolicySQL` checks and rewrites; `GrantScope` defines the
// policied view; `PolicyCaller` carries the values.
import AgnesCore
import Crypto
import Foundation

/// The caller values a policy may use, as `$user_email`, `$user_id` and `$user_groups`.
public enum PolicyVariable: String, Sendable, CaseIterable {
    case userEmail = "user_email"
    case userId = "user_id"
    case userGroups = "user_groups"

    /// The DuckDB variable the rewritten policy reads (`getvariable('agnes_user_email')`).
    public var variableName: String { "agnes_\(rawValue)" }
}

/// Who a policy is evaluated for.
public struct PolicyCaller: Sendable, Hashable {
    public var email: String
    public var userId: String
    /// Group names, sorted.
    public var groups: [String]

    public init(email: String, userId: String, groups: [String]) {
        self.email = email
        self.userId = userId
        self.groups = groups.sorted()
    }
}

/// Whether a caller's reads go through the tables' policies.
public enum PolicyEnforcement: Sendable, Hashable {
    /// An administrator acting with full credentials: the raw tables.
    case bypass
    /// Everyone else: policied tables as the policy shows them to this caller.
    case enforce(PolicyCaller)
}

/// A checked policy, ready for the engine.
public struct PreparedPolicy: Sendable, Equatable {
    /// The policy as the administrator wrote it.
    public let sql: String
    /// Tables the policy reads besides its own.
    public let mapping: [String]
    /// The policy with each `$variable` replaced by `getvariable('agnes_…')` (DuckDB's own rendering of the tree).
    public let body: String
    /// The variables it uses.
    public let variables: Set<PolicyVariable>

    /// What identifies the rows and columns `caller` sees: the policy and the values it reads (sha256, hex).
    public func fingerprint(for caller: PolicyCaller) -> String {
        var text = sql + "|"
        if variables.contains(.userEmail) { text += "email=" + caller.email + "|" }
        if variables.contains(.userId) { text += "id=" + caller.userId + "|" }
        if variables.contains(.userGroups) { text += "groups=" + caller.groups.joined(separator: "\u{1F}") }
        return Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }
}

/// Why a policy was refused, with upstream's reason codes (`policy_not_single_select`, …).
public struct PolicyRejection: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public let message: String

    public init(_ reason: String, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// `<reason>: <message>`, the 422 detail.
    public var description: String { "\(reason): \(message)" }
}
