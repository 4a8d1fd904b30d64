// The rules a semantic model holds a SQL statement to, in one place: joins only along declared relationships (and on
// their columns), a metric's columns aggregated only with its definition's function and under its filters, and a time
// filter on datasets that require one. Works on `SemanticQueryAnalysis` (DuckDB's parse tree), never on text.
import AgnesAPI
import AgnesData
import DuckDB
import Foundation

/// A metric definition as the rules see it: its aggregate functions and the columns under them, and the columns its
/// filters constrain.
struct MetricShape: Sendable {
    let id: String
    let expression: String
    let filters: [String]
    let functions: Set<String>
    let columns: Set<ColumnReference>
    let filterColumns: Set<ColumnReference>

    init(_ metric: MetricDefinition, using connection: Connection) throws {
        id = metric.id
        expression = metric.expression ?? ""
        filters = metric.filters
        let table = metric.tables.count == 1 ? metric.tables[0] : nil
        let shape = expression.isEmpty ? SemanticQueryAnalysis()
            : try SemanticQueryAnalysis.analyze("SELECT \(expression)", defaultTable: table, using: connection)
        functions = Set(shape.aggregates.map(\.function))
        columns = shape.aggregates.reduce(into: []) { $0.formUnion($1.columns) }
        filterColumns = filters.isEmpty ? []
            : try SemanticQueryAnalysis.analyze("SELECT 1 WHERE " + filters.map { "(\($0))" }.joined(separator: " AND "), defaultTable: table,
                                                using: connection).filteredColumns
    }
}

enum SemanticQueryRules {
    struct Verdict {
        var usedDatasets: [String] = []
        var usedMetrics: [String] = []
        var matchedRelationships: [String] = []
        var violations: [SemanticViolation] = []
        var unmodeledTables: [String] = []
    }

    static func sameColumns(_ lhs: Set<ColumnReference>, _ rhs: Set<ColumnReference>) -> Bool {
        lhs.count == rhs.count && lhs.allSatisfy { column in rhs.contains { column.matches($0) } }
    }

    static func judge(_ analysis: SemanticQueryAnalysis, against model: SemanticModelDocument, metrics: [MetricShape]) -> Verdict {
        var verdict = Verdict()
        let used = analysis.tables.sorted().compactMap { model.dataset(readingTable: $0) }
        verdict.usedDatasets = used.map(\.name)
        verdict.unmodeledTables = analysis.tables.sorted().filter { model.dataset(readingTable: $0) == nil }
        var matched: Set<String> = []
        var violations: [SemanticViolation] = []
        func report(_ violation: SemanticViolation) { if !violations.contains(violation) { violations.append(violation) } }

        // Joins: each equality between two datasets' columns must be a declared relationship's.
        for pair in analysis.joins {
            // Only joins between two of the model's datasets are its business (a column whose table the statement
            // does not say cannot be judged).
            guard let left = pair.left.table.flatMap(model.dataset(readingTable:)), let right = pair.right.table.flatMap(model.dataset(readingTable:)),
                  left != right else { continue }
            let ends = Set([left.name.lowercased(), right.name.lowercased()])
            let candidates = (model.relationships ?? []).filter { Set([$0.from.lowercased(), $0.to.lowercased()]) == ends }
            let names = [left.name, right.name]
            guard !candidates.isEmpty else {
                report(SemanticViolation(rule: "undeclared_join", message: "\(names[0]) and \(names[1]) are joined (\(pair.left) = \(pair.right)), "
                                         + "but the model declares no relationship between them", dataset: names[1]))
                continue
            }
            let fitting = candidates.first { relationship in
                let forward = relationship.from.lowercased() == left.name.lowercased()
                let (fromColumn, toColumn) = forward ? (pair.left.column, pair.right.column) : (pair.right.column, pair.left.column)
                return relationship.on.contains { $0.from.lowercased() == fromColumn && $0.to.lowercased() == toColumn }
            }
            if let fitting {
                matched.insert(fitting.label)
            } else {
                let declared = candidates.map { relationship in
                    relationship.on.map { "\(relationship.from).\($0.from) = \(relationship.to).\($0.to)" }.joined(separator: " AND ")
                }.joined(separator: "; ")
                report(SemanticViolation(rule: "join_on_other_columns", message: "\(names[0]) and \(names[1]) are joined on \(pair.left) = \(pair.right); "
                                         + "the model joins them on \(declared)", dataset: names[1]))
            }
        }

        // Metrics: an aggregate over a metric's columns must be the metric's, under its filters.
        var usedMetrics: Set<String> = []
        for aggregate in analysis.aggregates where !aggregate.columns.isEmpty {
            for metric in metrics where !metric.columns.isEmpty && sameColumns(metric.columns, aggregate.columns) {
                guard metric.functions.contains(aggregate.function) else {
                    report(SemanticViolation(rule: "metric_aggregation_mismatch", message: "\(metric.id) is \(metric.expression); the query applies "
                                             + "\(aggregate.function.uppercased()) to the same columns", metric: metric.id))
                    continue
                }
                usedMetrics.insert(metric.id)
                let constrained = analysis.filteredColumns.union(aggregate.filtered)
                let missing = metric.filterColumns.filter { column in !constrained.contains { column.matches($0) } }
                if !missing.isEmpty {
                    report(SemanticViolation(rule: "metric_filter_missing", message: "\(metric.id) counts only \(metric.filters.joined(separator: " AND ")); "
                                             + "the query does not filter on \(missing.map(\.description).sorted().joined(separator: ", "))", metric: metric.id))
                }
            }
        }

        // Time filters on the datasets that require one.
        for dataset in used where dataset.requireTimeFilter == true {
            let column = ColumnReference(table: dataset.table, column: String(dataset.timeColumn!.split(separator: ".").last!))
            if !analysis.filteredColumns.contains(where: { column.matches($0) }) {
                report(SemanticViolation(rule: "missing_time_filter", message: "\(dataset.name) must be filtered on \(dataset.timeColumn!) "
                                         + "(a WHERE on it keeps the query to the period asked)", dataset: dataset.name))
            }
        }
        verdict.matchedRelationships = matched.sorted()
        verdict.usedMetrics = usedMetrics.sorted()
        verdict.violations = violations
        return verdict
    }
}
