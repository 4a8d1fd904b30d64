// Catalog records: table profiles, column notes, metric definitions, uploads and instance templates.
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

/// A row of `metric_definitions`; `id` is `<category>/<name>`.
public struct MetricDefinition: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    public var displayName: String?
    public var category: String
    public var description: String?
    public var type: String?
    public var unit: String?
    public var grain: String?
    public var tables: [String]
    public var expression: String?
    public var timeColumn: String?
    public var dimensions: [String]
    public var filters: [String]
    public var synonyms: [String]
    public var notes: [String]
    public var sql: String?
    public var status: String?
    public var source: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, displayName: String? = nil, category: String, description: String? = nil, type: String? = nil,
                unit: String? = nil, grain: String? = nil, tables: [String] = [], expression: String? = nil,
                timeColumn: String? = nil, dimensions: [String] = [], filters: [String] = [], synonyms: [String] = [],
                notes: [String] = [], sql: String? = nil, status: String? = nil, source: String? = nil,
                createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.id = "\(category)/\(name)"
        self.name = name
        self.displayName = displayName
        self.category = category
        self.description = description
        self.type = type
        self.unit = unit
        self.grain = grain
        self.tables = tables
        self.expression = expression
        self.timeColumn = timeColumn
        self.dimensions = dimensions
        self.filters = filters
        self.synonyms = synonyms
        self.notes = notes
        self.sql = sql
        self.status = status
        self.source = source
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, category, description, type, unit, grain, tables, expression, dimensions, filters, synonyms, notes, sql, status, source
        case displayName = "display_name"
        case timeColumn = "time_column"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// What was uploaded.
public enum UploadKind: String, Codable, Sendable, CaseIterable {
    case session
    case localMarkdown = "local_md"
}

/// A row of `uploads`.
public struct Upload: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var userId: String
    public var kind: UploadKind
    public var name: String
    public var bytes: Int64
    public var sha256: String
    public var uploadedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, name, bytes, sha256
        case userId = "user_id"
        case uploadedAt = "uploaded_at"
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
