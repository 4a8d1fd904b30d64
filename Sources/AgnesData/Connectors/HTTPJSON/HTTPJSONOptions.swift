// What an `http_json` table reads (its `source_query`, JSON): where its records are in each answer (`records`, a dotted
// path; none: the answer is the array), fixed query parameters (`query`), how to page (`pagination`), and for
// incremental syncs the parameter that asks for records changed since the last sync (`incremental_param`).
import AgnesAPI
import Foundation

struct HTTPJSONOptions: Decodable, Sendable, Equatable {
    struct Pagination: Decodable, Sendable, Equatable {
        /// `none`, `link_header` (RFC 8288 `rel="next"`), `next_field` (a URL in the body), `offset` or `cursor`.
        var type: String
        /// `next_field`: the dotted path of the next page's URL.
        var nextField: String?
        /// `offset`: the parameters and the page size.
        var offsetParam: String?
        var limitParam: String?
        var pageSize: Int?
        /// `cursor`: the dotted path of the next cursor in the body, and the parameter that sends it.
        var cursorField: String?
        var cursorParam: String?

        enum CodingKeys: String, CodingKey {
            case type
            case nextField = "next_field"
            case offsetParam = "offset_param"
            case limitParam = "limit_param"
            case pageSize = "page_size"
            case cursorField = "cursor_field"
            case cursorParam = "cursor_param"
        }
    }

    var records: String?
    var query: [String: String]?
    var pagination: Pagination?
    var incrementalParam: String?
    /// Pages at most (a runaway API stops here): 10,000.
    var maxPages: Int?

    enum CodingKeys: String, CodingKey {
        case records, query, pagination
        case incrementalParam = "incremental_param"
        case maxPages = "max_pages"
    }

    static func of(_ table: RegisteredTable) throws -> HTTPJSONOptions {
        guard let text = table.sourceQuery, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return HTTPJSONOptions() }
        let options: HTTPJSONOptions
        do { options = try JSONDecoder().decode(HTTPJSONOptions.self, from: Data(text.utf8)) } catch {
            throw ConnectorError("table \(table.id): source_query must be http_json options as JSON "
                                 + "({\"records\": \"data\", \"pagination\": {\"type\": \"link_header\"}, …}; see docs/connectors.md)")
        }
        if let type = options.pagination?.type, !["none", "link_header", "next_field", "offset", "cursor"].contains(type) {
            throw ConnectorError("table \(table.id): pagination type '\(type)' must be none, link_header, next_field, offset or cursor")
        }
        if options.pagination?.type == "next_field", options.pagination?.nextField == nil {
            throw ConnectorError("table \(table.id): pagination next_field needs next_field (the path of the next URL)")
        }
        if options.pagination?.type == "cursor", options.pagination?.cursorField == nil || options.pagination?.cursorParam == nil {
            throw ConnectorError("table \(table.id): pagination cursor needs cursor_field and cursor_param")
        }
        return options
    }
}

/// A value at a dotted path (`data.items`) of parsed JSON.
func jsonValue(at path: String?, in object: Any) -> Any? {
    guard let path, !path.isEmpty else { return object }
    var current: Any? = object
    for key in path.split(separator: ".") { current = (current as? [String: Any])?[String(key)] }
    return current
}
