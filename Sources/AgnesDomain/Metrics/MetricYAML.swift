// Metric definitions as upstream's YAML files (`docs/metrics/<category>/<name>.yml`): one mapping (or a list of them)
// with name, display_name, category, description, type, unit, grain, table/tables, expression, time_column,
// dimensions, filters, synonyms, notes and sql. Reading accepts upstream's files; writing produces one canonical form
// (fixed key order, block literals for multi-line text), so an import followed by an export gives the same bytes.
import AgnesAPI
import AgnesState
import Foundation
import Yams

public enum MetricYAML {
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// The metrics in one YAML document; `defaultCategory` (the folder's name) applies when a metric names none.
    public static func decode(_ text: String, defaultCategory: String? = nil, source: String = "yaml_import") throws -> [MetricDefinition] {
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch { throw Problem("not valid YAML: \(error)") }
        let mappings: [[String: Any]]
        switch loaded {
        case let mapping as [String: Any]: mappings = [mapping]
        case let list as [[String: Any]]: mappings = list
        default: throw Problem("expected a mapping or a list of mappings")
        }
        guard !mappings.isEmpty else { throw Problem("no metrics in the file") }
        return try mappings.map { try metric($0, defaultCategory: defaultCategory, source: source) }
    }

    static func metric(_ mapping: [String: Any], defaultCategory: String?, source: String) throws -> MetricDefinition {
        /// A scalar as text: upstream's files write numbers and flags bare (`unit: 1`, `- yes`).
        func text(_ value: Any) -> String? {
            switch value {
            case let text as String: text
            case let number as Int: String(number)
            case let number as Double: String(number)
            case let flag as Bool: String(flag)
            default: nil
            }
        }
        func string(_ key: String) throws -> String? {
            guard let value = mapping[key], !(value is NSNull) else { return nil }
            guard let text = text(value) else { throw Problem("'\(key)' must be text") }
            return text
        }
        func list(_ key: String) throws -> [String] {
            switch mapping[key] {
            case nil, is NSNull: return []
            case let items as [Any]: return try items.map { item in
                guard let text = text(item) else { throw Problem("'\(key)' must be a list of text") }
                return text
            }
            case let value?: guard let text = text(value) else { throw Problem("'\(key)' must be a list") }
                return [text]
            }
        }
        guard let name = try string("name"), !name.isEmpty else { throw Problem("a metric lacks 'name'") }
        guard let category = try string("category") ?? defaultCategory, !category.isEmpty else { throw Problem("metric '\(name)' lacks 'category'") }
        for (field, value) in [("name", name), ("category", category)] where !isSafePathPart(value) {
            throw Problem("\(field) '\(value)' may hold only letters, digits, '_' and '-'")
        }
        var tables = try list("tables")
        if let table = try string("table"), !tables.contains(table) { tables.insert(table, at: 0) }
        return MetricDefinition(name: name, displayName: try string("display_name"), category: category, description: try string("description"),
                                type: try string("type"), unit: try string("unit"), grain: try string("grain"), tables: tables,
                                expression: try string("expression"), timeColumn: try string("time_column"), dimensions: try list("dimensions"),
                                filters: try list("filters"), synonyms: try list("synonyms"), notes: try list("notes"), sql: try string("sql"),
                                source: source)
    }

    /// `^[A-Za-z0-9_-]{1,100}$`: names and categories become file and folder names.
    public static func isSafePathPart(_ text: String) -> Bool {
        (1...100).contains(text.utf8.count) && text.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") }
    }

    /// The canonical file of one metric.
    public static func encode(_ metric: MetricDefinition) throws -> String {
        var pairs: [(Node, Node)] = []
        /// Text as a scalar that reads back as that text: quoted where YAML would read it as something else
        /// (`null`, `yes`, `1.10`), a literal block where it spans lines.
        func scalar(_ value: String) -> Node {
            if value.contains("\n") { return Node(value, .implicit, .literal) }
            return Node(value, .implicit, Resolver.default.resolveTag(of: Node(value)) == .str ? .any : .doubleQuoted)
        }
        func add(_ key: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            pairs.append((Node(key), scalar(value)))
        }
        func add(_ key: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            pairs.append((Node(key), Node(values.map(scalar), .implicit, .block)))
        }
        add("name", metric.name)
        add("display_name", metric.displayName)
        add("category", metric.category)
        add("description", metric.description)
        add("type", metric.type)
        add("unit", metric.unit)
        add("grain", metric.grain)
        add("tables", metric.tables)
        add("expression", metric.expression)
        add("time_column", metric.timeColumn)
        add("dimensions", metric.dimensions)
        add("filters", metric.filters)
        add("synonyms", metric.synonyms)
        add("notes", metric.notes)
        add("sql", metric.sql)
        return try Yams.serialize(node: Node(pairs, .implicit, .block), width: -1, allowUnicode: true)
    }

    /// The file of a metric inside an export folder.
    public static func path(of metric: MetricDefinition) -> String { "\(metric.category)/\(metric.name).yml" }
}
