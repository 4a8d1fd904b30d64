// The YAML format of a semantic model (docs/semantic-layer.md): its datasets (a registered table each, with its key,
// its time column and whether queries must filter on it), the relationships between them (which columns join, and
// the cardinality), and the metric definitions it uses. Parsed to check a document before it is stored and to judge
// queries against it; the stored document stays exactly as written.
import AgnesAPI
import Foundation
import Yams

public struct SemanticModelDocument: Decodable, Sendable, Equatable {
    public struct Dataset: Decodable, Sendable, Equatable {
        public var name: String
        /// The registry id of the table.
        public var table: String
        public var description: String?
        public var primaryKey: [String]?
        public var timeColumn: String?
        /// Queries reading this dataset must filter on `time_column` (a large, time-partitioned table).
        public var requireTimeFilter: Bool?

        enum CodingKeys: String, CodingKey {
            case name, table, description
            case primaryKey = "primary_key"
            case timeColumn = "time_column"
            case requireTimeFilter = "require_time_filter"
        }
    }

    public struct Relationship: Decodable, Sendable, Equatable {
        public struct ColumnPair: Decodable, Sendable, Equatable {
            public var from: String
            public var to: String
        }
        public var name: String?
        public var from: String
        public var to: String
        public var on: [ColumnPair]
        public var cardinality: String?

        /// How it is called in answers: its name, or `from_to`.
        public var label: String { name ?? "\(from)_\(to)" }
    }

    /// The model's slug.
    public var name: String
    public var title: String?
    public var description: String?
    public var datasets: [Dataset]
    public var relationships: [Relationship]?
    /// Metric definition ids (`category/name`).
    public var metrics: [String]?

    static let cardinalities: Set<String> = ["one_to_one", "one_to_many", "many_to_one", "many_to_many"]

    /// Parses and checks a document; the error says what is wrong and where.
    public static func parse(_ text: String) throws -> SemanticModelDocument {
        let document: SemanticModelDocument
        do {
            document = try YAMLDecoder().decode(SemanticModelDocument.self, from: text)
        } catch let error as DecodingError {
            throw ServiceError.unprocessable([FieldError(type: "invalid_document", loc: ["body", "document"], msg: Self.describe(error))])
        } catch {
            throw ServiceError.unprocessable([FieldError(type: "invalid_document", loc: ["body", "document"], msg: "not YAML: \(error)")])
        }
        try document.check()
        return document
    }

    func check() throws {
        func refuse(_ message: String) -> ServiceError {
            ServiceError.unprocessable([FieldError(type: "invalid_document", loc: ["body", "document"], msg: message)])
        }
        guard PackageAdministration.isValidSlug(name) else {
            throw refuse("name '\(name)' must be a slug: lower-case letters, digits and hyphens")
        }
        guard !datasets.isEmpty else { throw refuse("a model declares at least one dataset") }
        var names: Set<String> = []
        for dataset in datasets {
            guard names.insert(dataset.name.lowercased()).inserted else { throw refuse("dataset '\(dataset.name)' is declared twice") }
            if dataset.requireTimeFilter == true, dataset.timeColumn == nil {
                throw refuse("dataset '\(dataset.name)' requires a time filter but declares no time_column")
            }
        }
        for relationship in relationships ?? [] {
            for end in [relationship.from, relationship.to] where !names.contains(end.lowercased()) {
                throw refuse("relationship '\(relationship.label)' names '\(end)', which is not a dataset of the model")
            }
            guard !relationship.on.isEmpty else { throw refuse("relationship '\(relationship.label)' says no columns to join on") }
            if let cardinality = relationship.cardinality, !Self.cardinalities.contains(cardinality) {
                throw refuse("relationship '\(relationship.label)': cardinality must be one of \(Self.cardinalities.sorted().joined(separator: ", "))")
            }
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, context): return "missing '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(path(context))")
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return context.codingPath.isEmpty ? context.debugDescription : "\(path(context)): \(context.debugDescription)"
        @unknown default: return String(describing: error)
        }
    }

    /// The dataset reading `table`, if any.
    func dataset(readingTable table: String) -> Dataset? {
        datasets.first { $0.table.lowercased() == table.lowercased() }
    }

    func dataset(named name: String) -> Dataset? {
        datasets.first { $0.name.lowercased() == name.lowercased() }
    }
}
