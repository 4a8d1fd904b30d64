// The catalog (the tables the caller may read, with search), a table's page (schema and profile, sample, sync history,
// and how to use it from `agnes`), and the metric definitions — through `CatalogService` and `MetricService`, without
// querying data.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation

extension WebUI {
    static func freshness(_ table: RegisteredTable, _ state: SyncState?) -> (key: String, label: String) {
        if table.queryMode == .remote { return ("remote", "live") }
        switch state?.status {
        case .ok?: return ("fresh", "fresh")
        case .error?: return state?.lastSync == nil ? ("error", "error") : ("stale", "stale")
        default: return ("never_fetched", "never synced")
        }
    }

    /// `/catalog?q=`.
    public func catalog(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await chrome(request, section: "catalog")
        let query = (request.query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        let found = try await domain.catalog.readable(matching: query, for: request.caller)
        let rows: [[String: Any]] = found.tables.map { table, state in
            let freshness = Self.freshness(table, state)
            return ["id": table.id, "query_mode": table.queryMode.rawValue, "rows": Self.count(state?.rows), "size": Self.bytes(state?.fileSizeBytes),
                    "freshness": freshness.key, "freshness_label": freshness.label, "updated": Self.time(state?.lastSync),
                    "description": table.description ?? ""]
        }
        return renderer.page("catalog", title: "Catalog", values: ["tables": rows, "count": rows.count, "total": found.total, "query": query],
                             chrome: chrome)
    }

    /// `/tables/{id}`.
    public func table(_ id: String, _ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await chrome(request, section: "catalog")
        let details = try await domain.catalog.details(id, for: request.caller)
        let (table, state) = (details.table, details.state)
        let freshness = Self.freshness(table, state)
        var values: [String: Any] = [
            "id": table.id, "description": table.description ?? "", "query_mode": table.queryMode.rawValue, "is_remote": table.queryMode == .remote,
            "freshness": freshness.key, "freshness_label": freshness.label, "rows": Self.count(state?.rows), "size": Self.bytes(state?.fileSizeBytes),
            "strategy": table.syncStrategy.rawValue, "updated": Self.time(state?.lastSync),
            "history": details.history.map { entry -> [String: Any] in
                ["started": Self.time(entry.startedAt), "status": entry.status.rawValue, "rows": Self.count(entry.rows),
                 "duration": entry.durationMs.map { String(format: "%.1f s", Double($0) / 1000) } ?? "—", "trigger": entry.trigger ?? "",
                 "error": entry.error ?? ""]
            },
        ]
        if details.policied {
            // Through the policy: the caller's columns and a sample of their rows, no statistics over the whole table.
            values["policied"] = true
            let schema = try await domain.catalog.schema(id, for: request.caller)
            values["has_profile"] = true
            values["columns"] = schema.columns.map { ["name": $0.name, "type": $0.type, "nulls": "", "distinct": "", "min": "", "max": "", "top": ""] }
            let sample = try await domain.catalog.sample(id, rows: 5, for: request.caller)
            values["sample_columns"] = schema.columns.map(\.name)
            values["sample_rows"] = sample.rows.map { row in
                ["cells": row.cells.map { cell -> String in
                    switch cell {
                    case .null: "NULL"
                    case let .text(text): Self.clip(text)
                    default: Self.clip((try? JSONCoding.encoder.encode(cell)).map { String(decoding: $0, as: UTF8.self) })
                    }
                }]
            }
        } else if let profile = details.profile {
            values["has_profile"] = true
            values["columns"] = profile.columns.map { column -> [String: Any] in
                ["name": column.name, "type": column.type, "nulls": String(format: "%.1f%%", column.nullFraction * 100),
                 "distinct": Self.count(column.distinctEstimate), "min": Self.clip(column.min), "max": Self.clip(column.max),
                 "top": (column.topValues ?? []).prefix(5).map { "\($0.value ?? "NULL") (\($0.count))" }.joined(separator: ", ")]
            }
            let names = profile.columns.map(\.name)
            values["sample_columns"] = names
            values["sample_rows"] = profile.sample.compactMap { text -> [String: Any]? in
                guard case let .object(object)? = try? JSONCoding.decoder.decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
                return ["cells": names.map { name -> String in
                    switch object[name] {
                    case nil, .null?: return "NULL"
                    case let .string(string)?: return Self.clip(string)
                    case let other?: return Self.clip((try? JSONCoding.encoder.encode(other)).map { String(decoding: $0, as: UTF8.self) })
                    }
                }]
            }
        }
        // What each column means, and for administrators a field to say it.
        let notes = Dictionary(try await ProfilesRepository(store: domain.state).columnNotes(tableId: table.id).map { ($0.columnName, $0.description ?? "") }) { first, _ in first }
        let isAdmin = request.caller.identity.isAdmin
        values["columns"] = (values["columns"] as? [[String: Any]] ?? []).map { column in
            var column = column
            let name = column["name"] as? String ?? ""
            column["note"] = notes[name] ?? ""
            column["editable"] = isAdmin
            column["path"] = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
            return column
        }
        return renderer.page("table", title: table.id, values: values, chrome: chrome)
    }

    /// The column-description form of the table page (administrators).
    public func describeColumn(_ tableId: String, column: String, _ fields: [String: String], for caller: Caller) async throws -> String {
        let stored = try await domain.registry.describeColumn(tableId, column: column, ColumnDescriptionRequest(description: fields["description"]), for: caller)
        return stored.description == nil ? "Cleared the description of \(column)." : "Described \(column)."
    }

    /// `/catalog/metrics`.
    public func metrics(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await chrome(request, section: "metrics")
        let metrics: [[String: Any]] = try await domain.metrics.list(category: nil, for: request.caller).metrics.map {
            ["id": $0.id, "display_name": $0.displayName ?? $0.name, "unit": $0.unit ?? "", "grain": $0.grain ?? "", "description": $0.description ?? ""]
        }
        return renderer.page("metrics", title: "Metrics", values: ["metrics": metrics], chrome: chrome)
    }

    /// `/catalog/metrics/{category}/{name}`.
    public func metric(_ id: String, _ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await chrome(request, section: "metrics")
        let metric = try await domain.metrics.metric(id, for: request.caller)
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
