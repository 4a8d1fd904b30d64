// Named connections (upstream's `/api/admin/source-connections`): one set of credentials that many tables use. Here a
// connection is a data source seen through upstream's fields: its id is the source's name, `token_env` the
// environment variable with its secret (a secret itself is never stored, so the `/secret` routes refuse).
import Foundation

/// A named connection.
public struct SourceConnection: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var sourceType: String
    public var config: JSONValue
    @Nullable public var tokenEnv: String?
    /// The only connection of its type (tables always name theirs; none is picked implicitly).
    public var isDefault: Bool
    /// Tables registered on it.
    public var tables: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, sourceType: String, config: JSONValue, tokenEnv: String?, isDefault: Bool, tables: Int, createdAt: Date, updatedAt: Date) {
        id = name
        self.name = name
        self.sourceType = sourceType
        self.config = config
        self.tokenEnv = tokenEnv
        self.isDefault = isDefault
        self.tables = tables
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, config, tables
        case sourceType = "source_type"
        case tokenEnv = "token_env"
        case isDefault = "is_default"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// The body of `POST /api/admin/source-connections` and `PUT /api/admin/source-connections/{id}`.
public struct SourceConnectionRequest: Codable, Sendable, Equatable {
    /// Required to create (the path names it on update).
    public var name: String?
    public var sourceType: String
    public var config: JSONValue?
    /// The environment variable with the connection's token or password.
    public var tokenEnv: String?
    /// Accepted for upstream's clients; tables name their connection, so it changes nothing.
    public var isDefault: Bool?

    public init(name: String?, sourceType: String, config: JSONValue?, tokenEnv: String?, isDefault: Bool? = nil) {
        self.name = name
        self.sourceType = sourceType
        self.config = config
        self.tokenEnv = tokenEnv
        self.isDefault = isDefault
    }

    enum CodingKeys: String, CodingKey {
        case name, config
        case sourceType = "source_type"
        case tokenEnv = "token_env"
        case isDefault = "is_default"
    }
}

/// A table a source offers (`GET /api/admin/sources/{name}/tables`).
public struct SourceTableListing: Codable, Sendable, Equatable {
    /// What a registration's `source_table` names.
    public var id: String
    public var columns: [String]
    public var rows: Int64?
    /// The primary key the source declares.
    public var primaryKey: [String]

    public init(id: String, columns: [String], rows: Int64?, primaryKey: [String]) {
        self.id = id
        self.columns = columns
        self.rows = rows
        self.primaryKey = primaryKey
    }

    enum CodingKeys: String, CodingKey {
        case id, columns, rows
        case primaryKey = "primary_key"
    }
}
