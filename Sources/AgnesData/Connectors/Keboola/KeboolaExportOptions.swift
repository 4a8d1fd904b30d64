// What a Keboola table's export asks for, from its registration (upstream's `source_query` JSON for Keboola tables):
// `columns`, `where_filters` ([{column, operator: eq|ne, values}]), `changed_since`/`changed_until`, `limit`, and for
// incremental syncs `incremental_window_days` (7) and `max_history_days`. Written to the export-async form as the
// Storage API names its fields (`whereFilters[i][column|operator|values][j]`).
import AgnesAPI
import Foundation

struct KeboolaExportOptions: Decodable, Sendable, Equatable {
    var columns: [String]?
    var whereFilters: [WhereFilter]?
    var changedSince: String?
    var changedUntil: String?
    var limit: Int?
    var incrementalWindowDays: Int?
    var maxHistoryDays: Int?

    enum CodingKeys: String, CodingKey {
        case columns, limit
        case whereFilters = "where_filters"
        case changedSince = "changed_since"
        case changedUntil = "changed_until"
        case incrementalWindowDays = "incremental_window_days"
        case maxHistoryDays = "max_history_days"
    }

    /// The options of a registration: its `source_query` JSON, overridden by the registry's own fields (upstream's
    /// `where_filters`, `incremental_window_days`, `max_history_days`).
    static func of(_ table: RegisteredTable) throws -> KeboolaExportOptions {
        var options = try parse(table.sourceQuery, table: table.id)
        if let filters = table.whereFilters { options.whereFilters = filters }
        if let days = table.incrementalWindowDays { options.incrementalWindowDays = days }
        if let days = table.maxHistoryDays { options.maxHistoryDays = days }
        return options
    }

    /// The options of a registration's `source_query` (none: export everything).
    static func parse(_ text: String?, table: String) throws -> KeboolaExportOptions {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return KeboolaExportOptions() }
        do {
            let options = try JSONDecoder().decode(KeboolaExportOptions.self, from: Data(text.utf8))
            for filter in options.whereFilters ?? [] where !["eq", "ne", nil].contains(filter.operator) {
                throw ConnectorError("table \(table): where_filters operator '\(filter.operator ?? "")' must be eq or ne")
            }
            if let limit = options.limit, limit < 1 { throw ConnectorError("table \(table): limit must be positive") }
            return options
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError("table \(table): source_query must be Keboola export options as JSON "
                                 + "({\"columns\": [...], \"where_filters\": [{\"column\", \"operator\", \"values\"}], \"limit\": …})")
        }
    }

    /// The export-async form fields for the period `window` sets (its start and end, when the sync sets them), with
    /// date placeholders in filter values resolved at `now`.
    func formFields(window: (since: Date?, until: Date?), now: Date) -> [(String, String)] {
        var fields: [(String, String)] = [("fileType", "csv"), ("gzip", "1")]
        for (index, column) in (columns ?? []).enumerated() { fields.append(("columns[\(index)]", column)) }
        for (index, filter) in (whereFilters ?? []).enumerated() {
            fields.append(("whereFilters[\(index)][column]", filter.column))
            fields.append(("whereFilters[\(index)][operator]", filter.operator ?? "eq"))
            for (valueIndex, value) in filter.values.enumerated() {
                fields.append(("whereFilters[\(index)][values][\(valueIndex)]", DatePlaceholder.resolve(value, now: now) ?? value))
            }
        }
        if let since = window.since.map(Self.timestamp) ?? changedSince { fields.append(("changedSince", since)) }
        if let until = window.until.map(Self.timestamp) ?? changedUntil { fields.append(("changedUntil", until)) }
        if let limit { fields.append(("limit", String(limit))) }
        return fields
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
