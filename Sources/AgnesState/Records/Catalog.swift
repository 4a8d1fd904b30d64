// Catalog records: table profiles, column notes, metric definitions, uploads and instance templates.
import AgnesAPI
import Foundation

/// A row of `table_profiles`: the profiler's findings about a table, as JSON text.
public struct TableProfile: Codable, Sendable, Equatable {
    public var tableId: String
    public var profile: String
    public var profiledAt: Date

    enum CodingKeys: String, CodingKey {
        case profile
        case tableId = "table_id"
        case profiledAt = "profiled_at"
    }
}

/// A row of `column_metadata`: a person's description of a column.
public struct ColumnNote: Codable, Sendable, Equatable {
    public var tableId: String
    public var columnName: String
    public var description: String?
    public var updatedBy: String?
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case description
        case tableId = "table_id"
        case columnName = "column_name"
        case updatedBy = "updated_by"
        case updatedAt = "updated_at"
    }
}

/// A row of `instance_templates` (for example the workspace `CLAUDE.md`).
public struct InstanceTemplate: Codable, Sendable, Equatable {
    public var key: String
    public var content: String
    public var updatedAt: Date
    public var updatedBy: String?

    enum CodingKeys: String, CodingKey {
        case key, content
        case updatedAt = "updated_at"
        case updatedBy = "updated_by"
    }
}
