// Semantic models (`/api/admin/semantic-models`, `/api/semantic-models/…`): YAML documents that declare a subject's
// datasets, the relationships between them and the metrics they use, stored byte for byte; and the check of a SQL
// statement against them (`POST /api/semantic-models/validate-query`).
import Foundation

/// A stored model (the document itself only where asked: the detail, or `GET /api/semantic-models/{slug}.yaml`).
public struct SemanticModel: Codable, Sendable, Equatable, Identifiable {
    /// The model's slug, its `name` in the document.
    public var id: String
    public var title: String
    @Nullable public var description: String?
    public var status: String
    /// The registry ids of its datasets' tables.
    public var tables: [String]
    /// The metric definitions it uses.
    public var metrics: [String]
    public var source: String
    public var createdAt: Date
    public var updatedAt: Date
    @Nullable public var updatedBy: String?
    /// The YAML document, exactly as stored (in a model's detail only).
    public var document: String?

    public init(id: String, title: String, description: String?, status: String, tables: [String], metrics: [String], source: String,
                createdAt: Date, updatedAt: Date, updatedBy: String?, document: String? = nil) {
        self.id = id
        self.title = title
        self.description = description
        self.status = status
        self.tables = tables
        self.metrics = metrics
        self.source = source
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.document = document
    }

    enum CodingKeys: String, CodingKey {
        case id, title, description, status, tables, metrics, source, document
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case updatedBy = "updated_by"
    }
}

public struct SemanticModelList: Codable, Sendable, Equatable {
    public var models: [SemanticModel]
    public var count: Int

    public init(models: [SemanticModel]) {
        self.models = models
        count = models.count
    }
}

/// The body of `POST /api/admin/semantic-models` and `PUT …/{id}`: the YAML document (see docs/semantic-layer.md).
public struct SemanticModelRequest: Codable, Sendable, Equatable {
    public var document: String
    /// `active` (default) or `draft` (kept, not used to validate queries).
    public var status: String?

    public init(document: String, status: String? = nil) {
        self.document = document
        self.status = status
    }
}

/// The body of `POST /api/semantic-models/validate-query`.
public struct ValidateQueryRequest: Codable, Sendable, Equatable {
    public var sql: String
    /// A model's slug; left out, the readable model covering most of the statement's tables.
    public var model: String?
    /// Upstream's engine selector; only `duckdb` is known.
    public var targetEngine: String?

    public init(sql: String, model: String? = nil, targetEngine: String? = nil) {
        self.sql = sql
        self.model = model
        self.targetEngine = targetEngine
    }

    enum CodingKeys: String, CodingKey {
        case sql, model
        case targetEngine = "target_engine"
    }
}

/// One rule a statement breaks.
public struct SemanticViolation: Codable, Sendable, Equatable {
    /// `undeclared_join`, `join_on_other_columns`, `metric_aggregation_mismatch`, `metric_filter_missing` or
    /// `missing_time_filter`.
    public var rule: String
    public var message: String
    @Nullable public var dataset: String?
    @Nullable public var metric: String?

    public init(rule: String, message: String, dataset: String? = nil, metric: String? = nil) {
        self.rule = rule
        self.message = message
        self.dataset = dataset
        self.metric = metric
    }
}

/// The answer of `POST /api/semantic-models/validate-query`. With no readable model covering the statement:
/// `available: false, error: "no_semantic_model"` and nothing else to go by.
public struct QueryValidation: Codable, Sendable, Equatable {
    public var available: Bool
    @Nullable public var error: String?
    @Nullable public var model: String?
    public var valid: Bool
    public var usedDatasets: [String]
    public var usedMetrics: [String]
    public var matchedRelationships: [String]
    public var violations: [SemanticViolation]
    /// Tables the statement reads that the model does not declare.
    public var unmodeledTables: [String]
    public var summary: String

    public init(available: Bool, error: String? = nil, model: String? = nil, valid: Bool, usedDatasets: [String] = [], usedMetrics: [String] = [],
                matchedRelationships: [String] = [], violations: [SemanticViolation] = [], unmodeledTables: [String] = [], summary: String) {
        self.available = available
        self.error = error
        self.model = model
        self.valid = valid
        self.usedDatasets = usedDatasets
        self.usedMetrics = usedMetrics
        self.matchedRelationships = matchedRelationships
        self.violations = violations
        self.unmodeledTables = unmodeledTables
        self.summary = summary
    }

    enum CodingKeys: String, CodingKey {
        case available, error, model, valid, violations, summary
        case usedDatasets = "used_datasets"
        case usedMetrics = "used_metrics"
        case matchedRelationships = "matched_relationships"
        case unmodeledTables = "unmodeled_tables"
    }
}
