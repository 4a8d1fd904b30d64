// The profile of a synced table (`GET /api/catalog/profile/{id}`), made by the server after each sync.
import Foundation

/// What the catalog shows about a table.
public struct CatalogProfile: Codable, Sendable, Equatable {
    public struct ColumnProfile: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
        public var nullFraction: Double
        public var distinctEstimate: Int64
        public var min: String?
        public var max: String?
        /// The most frequent values with their counts, for columns with at most `lowCardinality` distinct values.
        public var topValues: [TopValue]?

        public init(name: String, type: String, nullFraction: Double, distinctEstimate: Int64, min: String?, max: String?, topValues: [TopValue]?) {
            self.name = name
            self.type = type
            self.nullFraction = nullFraction
            self.distinctEstimate = distinctEstimate
            self.min = min
            self.max = max
            self.topValues = topValues
        }

        enum CodingKeys: String, CodingKey {
            case name, type, min, max
            case nullFraction = "null_fraction"
            case distinctEstimate = "distinct_estimate"
            case topValues = "top_values"
        }
    }

    public struct TopValue: Codable, Sendable, Equatable {
        public var value: String?
        public var count: Int64

        public init(value: String?, count: Int64) {
            self.value = value
            self.count = count
        }
    }

    public var rows: Int64
    public var columns: [ColumnProfile]
    /// Up to 5 rows, each a JSON object.
    public var sample: [String]
    /// Set when the caller reads the table through an access policy: statistics over all rows would tell what the
    /// policy hides, so there are none (`rows` 0, no columns, no sample) and `message` says why.
    public var policyRestricted: Bool?
    public var message: String?

    public init(rows: Int64, columns: [ColumnProfile], sample: [String]) {
        self.rows = rows
        self.columns = columns
        self.sample = sample
    }

    /// The answer for a caller who reads the table through an access policy.
    public static let policyRestrictedAnswer: CatalogProfile = {
        var profile = CatalogProfile(rows: 0, columns: [], sample: [])
        profile.policyRestricted = true
        profile.message = "This table has an access policy: its profile covers rows you may not see. Query your rows instead."
        return profile
    }()

    enum CodingKeys: String, CodingKey {
        case rows, columns, sample, message
        case policyRestricted = "policy_restricted"
    }
}
