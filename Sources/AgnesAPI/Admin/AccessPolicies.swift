// Designing a table's access policy (`/api/admin/registry/{id}/policy/preview`, `…/policy/compile`): try a policy as
// a user or as a set of groups, and write one from structured rules instead of SQL.
import Foundation

/// The body of `POST /api/admin/registry/{id}/policy/preview`: a policy to try (the stored one when absent) and exactly
/// one persona.
public struct PolicyPreviewRequest: Codable, Sendable, Equatable {
    public var sql: String?
    /// A user's email or id: the policy sees their email, id and groups.
    public var asUser: String?
    /// Group names: the policy sees these groups and no email or id.
    public var asGroups: [String]?
    /// Policy tables it may read besides its own (the stored mapping when absent).
    public var policyMapping: [String]?

    public init(sql: String? = nil, asUser: String? = nil, asGroups: [String]? = nil, policyMapping: [String]? = nil) {
        self.sql = sql
        self.asUser = asUser
        self.asGroups = asGroups
        self.policyMapping = policyMapping
    }

    enum CodingKeys: String, CodingKey {
        case sql
        case asUser = "as_user"
        case asGroups = "as_groups"
        case policyMapping = "policy_mapping"
    }
}

/// What a persona would see of a table under a policy.
public struct PolicyPreview: Codable, Sendable, Equatable {
    /// A column of the table, and whether the policy hides it.
    public struct Column: Codable, Sendable, Equatable {
        public var name: String
        public var hidden: Bool

        public init(name: String, hidden: Bool) {
            self.name = name
            self.hidden = hidden
        }
    }

    public var columns: [Column]
    public var sampleRows: [SampleRow]
    /// The same number of rows of the table as it is.
    public var baseSampleRows: [SampleRow]
    /// Whether the two samples have the same columns (nothing hidden, renamed or added).
    public var baseSampleComparable: Bool
    public var rowsVisible: Int64
    public var rowsTotal: Int64

    public init(columns: [Column], sampleRows: [SampleRow], baseSampleRows: [SampleRow], baseSampleComparable: Bool, rowsVisible: Int64,
                rowsTotal: Int64) {
        self.columns = columns
        self.sampleRows = sampleRows
        self.baseSampleRows = baseSampleRows
        self.baseSampleComparable = baseSampleComparable
        self.rowsVisible = rowsVisible
        self.rowsTotal = rowsTotal
    }

    enum CodingKeys: String, CodingKey {
        case columns
        case sampleRows = "sample_rows"
        case baseSampleRows = "base_sample_rows"
        case baseSampleComparable = "base_sample_comparable"
        case rowsVisible = "rows_visible"
        case rowsTotal = "rows_total"
    }
}

/// One row rule of a structured policy.
public struct PolicyRowRule: Codable, Sendable, Equatable {
    /// `in_caller_groups` (the column's value is one of the caller's group names), `eq_caller_email`, `eq_caller_id`,
    /// `eq` (equals `value`), `in` (one of `value`, a list).
    public enum Operator: String, Codable, Sendable, CaseIterable {
        case inCallerGroups = "in_caller_groups"
        case eqCallerEmail = "eq_caller_email"
        case eqCallerId = "eq_caller_id"
        case eq, `in`
    }

    public var column: String
    public var op: Operator
    public var value: JSONValue?

    public init(column: String, op: Operator, value: JSONValue? = nil) {
        self.column = column
        self.op = op
        self.value = value
    }
}

/// How a structured policy shows one column.
public struct PolicyColumnMask: Codable, Sendable, Equatable {
    /// `show` (as is), `hide` (left out), `nullify` (NULL), `hash` (md5 of the text), `unmask` (the value for the listed
    /// groups, `*****` or NULL for everyone else).
    public enum Mask: String, Codable, Sendable, CaseIterable {
        case show, hide, nullify, hash, unmask
    }

    public var mask: Mask
    /// For `unmask`: the groups that see the value.
    public var groups: [String]?

    public init(mask: Mask, groups: [String]? = nil) {
        self.mask = mask
        self.groups = groups
    }
}

/// The body of `POST /api/admin/registry/{id}/policy/compile`.
public struct PolicyCompileRequest: Codable, Sendable, Equatable {
    /// `and` (default) or `or`.
    public enum Combine: String, Codable, Sendable, CaseIterable {
        case and, or
    }

    public var rowRules: [PolicyRowRule]
    public var rowCombine: Combine?
    /// Column name to mask; columns not named are shown.
    public var columnMasks: [String: PolicyColumnMask]?

    public init(rowRules: [PolicyRowRule], rowCombine: Combine? = nil, columnMasks: [String: PolicyColumnMask]? = nil) {
        self.rowRules = rowRules
        self.rowCombine = rowCombine
        self.columnMasks = columnMasks
    }

    enum CodingKeys: String, CodingKey {
        case rowRules = "row_rules"
        case rowCombine = "row_combine"
        case columnMasks = "column_masks"
    }
}

/// The policy SQL a structured form compiles to, checked, with what the administrator should know about it.
public struct CompiledPolicy: Codable, Sendable, Equatable {
    public var sql: String
    public var warnings: [String]

    public init(sql: String, warnings: [String]) {
        self.sql = sql
        self.warnings = warnings
    }
}
