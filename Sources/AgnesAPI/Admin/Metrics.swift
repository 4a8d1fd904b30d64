// Metric definitions (`/api/metrics`, `/api/admin/metrics`): upstream's fields, YAML import and export, validation.
import Foundation

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

/// The body of `GET /api/metrics`.
public struct MetricList: Codable, Sendable, Equatable {
    public var metrics: [MetricDefinition]
    public var count: Int

    public init(metrics: [MetricDefinition]) {
        self.metrics = metrics
        count = metrics.count
    }
}

/// The body of `POST /api/admin/metrics` and `PUT /api/admin/metrics/{category}/{name}`.
public struct MetricRequest: Codable, Sendable, Equatable {
    public var name: String
    public var category: String
    public var displayName: String?
    public var description: String?
    public var type: String?
    public var unit: String?
    public var grain: String?
    public var tables: [String]?
    /// Upstream's single table, folded into `tables`.
    public var tableName: String?
    public var expression: String?
    public var timeColumn: String?
    public var dimensions: [String]?
    public var filters: [String]?
    public var synonyms: [String]?
    public var notes: [String]?
    public var sql: String?
    public var source: String?

    public init(name: String, category: String) {
        self.name = name
        self.category = category
    }

    enum CodingKeys: String, CodingKey {
        case name, category, description, type, unit, grain, tables, expression, dimensions, filters, synonyms, notes, sql, source
        case displayName = "display_name"
        case tableName = "table_name"
        case timeColumn = "time_column"
    }

    /// The definition this request describes.
    public var definition: MetricDefinition {
        var tables = self.tables ?? []
        if let tableName, !tables.contains(tableName) { tables.insert(tableName, at: 0) }
        return MetricDefinition(name: name, displayName: displayName, category: category, description: description, type: type, unit: unit,
                                grain: grain, tables: tables, expression: expression, timeColumn: timeColumn, dimensions: dimensions ?? [],
                                filters: filters ?? [], synonyms: synonyms ?? [], notes: notes ?? [], sql: sql, source: source ?? "manual")
    }
}

/// The answer of `DELETE /api/admin/metrics/{category}/{name}`.
public struct MetricDeleted: Codable, Sendable, Equatable {
    public var status = "deleted"
    public var id: String

    public init(id: String) {
        self.id = id
    }
}

/// A metric file: its path (`revenue/mrr.yml`; the folder is the default category) and its YAML.
public struct MetricFile: Codable, Sendable, Equatable {
    public var path: String
    public var content: String

    public init(path: String, content: String) {
        self.path = path
        self.content = content
    }
}

/// The body of `POST /api/admin/metrics/import` (JSON form) and of `GET /api/admin/metrics/export`.
public struct MetricFiles: Codable, Sendable, Equatable {
    public var files: [MetricFile]
    /// In the export: how many files.
    public var count: Int?

    public init(files: [MetricFile], count: Int? = nil) {
        self.files = files
        self.count = count
    }
}

/// The answer of an import.
public struct MetricsImported: Codable, Sendable, Equatable {
    public var status = "imported"
    public var count: Int
    public var ids: [String]

    public init(ids: [String]) {
        count = ids.count
        self.ids = ids
    }
}

/// The answer of `POST /api/admin/metrics/validate`: every metric with whether its SQL checks out.
public struct MetricValidation: Codable, Sendable, Equatable {
    /// One metric's outcome.
    public struct Result: Codable, Sendable, Equatable {
        public var id: String
        public var ok: Bool
        @Nullable public var error: String?
        public var tables: [String]

        public init(id: String, ok: Bool, error: String?, tables: [String]) {
            self.id = id
            self.ok = ok
            self.error = error
            self.tables = tables
        }
    }

    public var results: [Result]
    public var ok: Int
    public var failed: Int

    public init(results: [Result]) {
        self.results = results
        ok = results.filter(\.ok).count
        failed = results.count - ok
    }
}
