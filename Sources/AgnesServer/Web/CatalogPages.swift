// The catalog (the tables the caller may read, with search) and a table's page (schema and profile, sample, sync
// history, and how to use it from `agnes`) — from the registry, sync state and stored profile, without querying data.
import AgnesAPI
import AgnesData
import AgnesDomain
import AgnesState
import Foundation
import Hummingbird

extension WebPages {
    func registerCatalog(on pages: RouterGroup<AgnesRequestContext>) {
        pages.get("/catalog") { request, context in try await catalogPage(request, context) }
        pages.get("/tables/{id}") { request, context in try await tablePage(request, context) }
    }

    static func freshness(_ table: RegisteredTable, _ state: SyncState?) -> (key: String, label: String) {
        if table.queryMode == .remote { return ("remote", "live") }
        switch state?.status {
        case .ok?: return ("fresh", "fresh")
        case .error?: return state?.lastSync == nil ? ("error", "error") : ("stale", "stale")
        default: return ("never_fetched", "never synced")
        }
    }

    func catalogPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await chrome(request, context, section: "catalog")
        let identity = try context.requireIdentity()
        let query = (request.uri.queryParameters.get("q") ?? "").trimmingCharacters(in: .whitespaces)
        let readable = try await services.domain.access.readableTables(for: identity)
        let states = try await services.catalogSnapshot().states
        let matching = query.isEmpty ? readable : readable.filter { table in
            [table.id, table.name, table.description ?? ""].contains { $0.localizedCaseInsensitiveContains(query) }
        }
        let rows: [[String: Any]] = matching.map { table in
            let state = states[table.id]
            let freshness = Self.freshness(table, state)
            return ["id": table.id, "query_mode": table.queryMode.rawValue, "rows": Self.count(state?.rows), "size": Self.bytes(state?.fileSizeBytes),
                    "freshness": freshness.key, "freshness_label": freshness.label, "updated": Self.time(state?.lastSync),
                    "description": table.description ?? ""]
        }
        return renderer.page("catalog", title: "Catalog", values: ["tables": rows, "count": rows.count, "total": readable.count, "query": query],
                             chrome: chrome)
    }

    func tablePage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await chrome(request, context, section: "catalog")
        let identity = try context.requireIdentity()
        let id = try context.pathParameter("id")
        guard RegisteredTable.isValidId(id), let table = try await RegistryRepository(store: services.state).get(id: id) else {
            throw ServiceError.notFound("table '\(id)' not found")
        }
        guard try await services.domain.access.canRead(tableId: id, folder: table.folder, identity: identity) else {
            throw ServiceError(.forbidden, "not authorized for this table")
        }
        let syncState = SyncStateRepository(store: services.state)
        let state = try await syncState.state(tableId: id)
        let history = try await syncState.history(tableId: id, limit: 20)
        let freshness = Self.freshness(table, state)
        var values: [String: Any] = [
            "id": table.id, "description": table.description ?? "", "query_mode": table.queryMode.rawValue, "is_remote": table.queryMode == .remote,
            "freshness": freshness.key, "freshness_label": freshness.label, "rows": Self.count(state?.rows), "size": Self.bytes(state?.fileSizeBytes),
            "strategy": table.syncStrategy.rawValue, "updated": Self.time(state?.lastSync),
            "history": history.map { entry -> [String: Any] in
                ["started": Self.time(entry.startedAt), "status": entry.status.rawValue, "rows": Self.count(entry.rows),
                 "duration": entry.durationMs.map { String(format: "%.1f s", Double($0) / 1000) } ?? "—", "trigger": entry.trigger ?? "",
                 "error": entry.error ?? ""]
            },
        ]
        if let stored = try await ProfilesRepository(store: services.state).profile(tableId: id),
           let profile = try? JSONDecoder().decode(CatalogProfile.self, from: Data(stored.profile.utf8)) {
            values["has_profile"] = true
            values["columns"] = profile.columns.map { column -> [String: Any] in
                ["name": column.name, "type": column.type, "nulls": String(format: "%.1f%%", column.nullFraction * 100),
                 "distinct": Self.count(column.distinctEstimate), "min": Self.clip(column.min), "max": Self.clip(column.max),
                 "top": (column.topValues ?? []).prefix(5).map { "\($0.value ?? "NULL") (\($0.count))" }.joined(separator: ", ")]
            }
            let names = profile.columns.map(\.name)
            values["sample_columns"] = names
            values["sample_rows"] = profile.sample.compactMap { text -> [String: Any]? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
                return ["cells": names.map { name -> String in
                    switch object[name] {
                    case nil, is NSNull: return "NULL"
                    case let string as String: return Self.clip(string)
                    case let other?: return Self.clip("\(other)")
                    }
                }]
            }
        }
        return renderer.page("table", title: table.id, values: values, chrome: chrome)
    }

    /// Long values shortened for a table cell.
    static func clip(_ text: String?) -> String {
        guard let text else { return "—" }
        return text.count > 80 ? String(text.prefix(79)) + "…" : text
    }
}
