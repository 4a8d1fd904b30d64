// Metric definition pages: the list and one metric with its SQL.
import AgnesDomain
import AgnesState
import Foundation
import Hummingbird

extension WebPages {
    func registerMetrics(on pages: RouterGroup<AgnesRequestContext>) {
        pages.get("/catalog/metrics") { request, context in
            let chrome = try await chrome(request, context, section: "metrics")
            let metrics: [[String: Any]] = try await MetricsRepository(store: services.state).list().map {
                ["id": $0.id, "display_name": $0.displayName ?? $0.name, "unit": $0.unit ?? "", "grain": $0.grain ?? "", "description": $0.description ?? ""]
            }
            return renderer.page("metrics", title: "Metrics", values: ["metrics": metrics], chrome: chrome)
        }
        pages.get("/catalog/metrics/{category}/{name}") { request, context in
            let chrome = try await chrome(request, context, section: "metrics")
            let id = "\(try context.pathParameter("category"))/\(try context.pathParameter("name"))"
            guard let metric = try await MetricsRepository(store: services.state).get(id: id) else { throw ServiceError.notFound("Metric '\(id)' not found") }
            let lists: [[String: Any]] = [("Dimensions", metric.dimensions), ("Filters", metric.filters), ("Synonyms", metric.synonyms), ("Notes", metric.notes)]
                .filter { !$0.1.isEmpty }.map { ["name": $0.0, "values": $0.1.joined(separator: "; ")] }
            let values: [String: Any] = [
                "id": metric.id, "display_name": metric.displayName ?? metric.name, "description": metric.description ?? "",
                "type": metric.type ?? "—", "unit": metric.unit ?? "—", "grain": metric.grain ?? "—",
                "tables": metric.tables.isEmpty ? "—" : metric.tables.joined(separator: ", "), "time_column": metric.timeColumn ?? "—",
                "has_expression": metric.expression != nil, "expression": metric.expression ?? "", "has_sql": metric.sql != nil, "sql": metric.sql ?? "",
                "has_lists": !lists.isEmpty, "lists": lists,
            ]
            return renderer.page("metric", title: metric.displayName ?? metric.id, values: values, chrome: chrome)
        }
    }
}
