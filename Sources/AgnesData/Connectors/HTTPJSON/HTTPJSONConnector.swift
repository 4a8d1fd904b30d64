// The `http_json` connector (beyond upstream): records of a JSON HTTP API. The source names the API's `base_url`
// (https; http only on this machine) and headers whose values come from environment variables (`headers_env`:
// `{"Authorization": "CRM_API_AUTH"}` — never stored); a table's `source_table` is the path (`/v1/orders`) and its
// `source_query` the options (HTTPJSONOptions). A sync GETs every page — following a `Link: rel="next"` header, a next
// URL in the body, offsets or a cursor; a next URL must stay on the API's origin — writes each page's records to a
// scratch file and reads them with DuckDB's JSON reader into typed columns. Incremental syncs send the last sync
// time in `incremental_param` and merge by primary key.
import AgnesAPI
import AgnesState
import AsyncHTTPClient
import DuckDB
import Foundation
import NIOCore
import NIOHTTP1

public struct HTTPJSONConnector: StagedConnector {
    public struct Configuration: Decodable, Sendable, Equatable {
        public var baseUrl: String
        /// Header name → the environment variable with its value.
        public var headersEnv: [String: String]?

        enum CodingKeys: String, CodingKey {
            case baseUrl = "base_url"
            case headersEnv = "headers_env"
        }
    }

    public let configuration: Configuration
    let baseURL: URL
    let environment: [String: String]

    public init(configuration: Configuration, environment: [String: String]) throws {
        guard let url = NetworkPolicy.apiURL(configuration.baseUrl) else {
            throw ConnectorError("http_json: base_url must be an https URL")
        }
        for (header, variable) in configuration.headersEnv ?? [:] {
            guard DatabaseServerSource.isPlain(header), !header.contains(":"), DatabaseServerSource.isPlain(variable) else {
                throw ConnectorError("http_json: headers_env maps header names to environment variable names")
            }
        }
        self.configuration = configuration
        baseURL = url
        self.environment = environment
    }

    public func prepare(_ connection: Connection) throws {}

    public func query(for table: RegisteredTable) throws -> String {
        throw ConnectorError("http_json: table \(table.id) is read from the API when it syncs")
    }

    public func test(on connection: Connection, policy: NetworkPolicy) throws -> String {
        throw ConnectorError("http_json: the connection is checked through the API")
    }

    public func stage(_ table: RegisteredTable, context: StagingContext) async throws -> String {
        let files = try await fetch(table, context: context, maxPages: nil)
        guard !files.isEmpty else { throw ConnectorError("http_json: \(table.sourceTable ?? "") answered no records") }
        let list = "[" + files.map(SQL.literal).joined(separator: ", ") + "]"
        return "SELECT * FROM read_json(\(list), format = 'array', union_by_name = true, sample_size = -1)"
    }

    public func columns(of table: RegisteredTable) async throws -> [String] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-http-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try await fetch(table, context: StagingContext(directory: folder, sourceDirectory: folder, lastSync: nil, now: Date()), maxPages: 1)
        var keys: [String] = []
        for file in files {
            for record in (try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [[String: Any]]) ?? [] {
                for key in record.keys.sorted() where !keys.contains(key) { keys.append(key) }
            }
        }
        return keys
    }

    /// An API does not say which paths it has.
    public func listTables() async throws -> [SourceTableListing] { [] }

    public func check(policy: NetworkPolicy) async throws -> String {
        let host = baseURL.host ?? ""
        do { _ = try policy.resolve(host) } catch let refusal as NetworkPolicy.Refusal { throw ConnectorError("http_json: \(refusal.description)") }
        let (status, _, _) = try await get(baseURL)
        return "reached \(host): HTTP \(status)"
    }

    /// GETs every page of `table` (at most `maxPages`), writing each page's records to a file; answers the files.
    func fetch(_ table: RegisteredTable, context: StagingContext, maxPages: Int?) async throws -> [String] {
        guard let path = table.sourceTable, path.hasPrefix("/") else { throw ConnectorError("table \(table.id): source_table must be the API path (/v1/orders)") }
        let options = try HTTPJSONOptions.of(table)
        var query = options.query ?? [:]
        if let parameter = options.incrementalParam, table.syncStrategy == .incremental, let last = context.lastSync {
            query[parameter] = ISO8601DateFormatter().string(from: last)
        }
        let pagination = options.pagination ?? .init(type: "none")
        let pageSize = pagination.pageSize ?? 100
        var offset = 0
        if pagination.type == "offset" {
            query[pagination.limitParam ?? "limit"] = String(pageSize)
            query[pagination.offsetParam ?? "offset"] = "0"
        }
        var next: URL? = try url(path, query: query)
        var files: [String] = []
        let limit = maxPages ?? options.maxPages ?? 10_000
        while let page = next {
            guard files.count < limit else {
                if maxPages != nil { break }
                throw ConnectorError("http_json: more than \(limit) pages (max_pages)")
            }
            let (status, headers, body) = try await get(page)
            guard (200..<300).contains(status) else { throw ConnectorError("http_json: GET \(page.path) answered HTTP \(status)") }
            guard let parsed = try? JSONSerialization.jsonObject(with: body) else { throw ConnectorError("http_json: GET \(page.path) did not answer JSON") }
            guard let records = jsonValue(at: options.records, in: parsed) as? [Any] else {
                throw ConnectorError("http_json: the answer of \(page.path) has no array at '\(options.records ?? "(the top)")'")
            }
            if !records.isEmpty {
                let file = context.directory.appendingPathComponent(String(format: "page-%06d.json", files.count))
                try JSONSerialization.data(withJSONObject: records).write(to: file)
                files.append(file.path)
            }
            switch pagination.type {
            case "link_header":
                next = try Self.nextLink(headers.first(name: "Link")).map { try sameOrigin($0) }
            case "next_field":
                next = try (jsonValue(at: pagination.nextField, in: parsed) as? String).flatMap { $0.isEmpty ? nil : try sameOrigin($0) }
            case "offset":
                offset += pageSize
                query[pagination.offsetParam ?? "offset"] = String(offset)
                next = records.count < pageSize ? nil : try url(path, query: query)
            case "cursor":
                let cursor = jsonValue(at: pagination.cursorField, in: parsed).flatMap { $0 as? String ?? ($0 as? NSNumber)?.stringValue }
                if let cursor, !cursor.isEmpty, let parameter = pagination.cursorParam {
                    query[parameter] = cursor
                    next = try url(path, query: query)
                } else {
                    next = nil
                }
            default:
                next = nil
            }
        }
        return files
    }

    /// `path` on the API with `query`, parameters in a stable order.
    func url(_ path: String, query: [String: String]) throws -> URL {
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        components.path = (components.path.hasSuffix("/") ? String(components.path.dropLast()) : components.path) + path
        components.queryItems = query.isEmpty ? nil : query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        guard let url = components.url else { throw ConnectorError("http_json: '\(path)' does not make a URL") }
        return url
    }

    /// A next-page URL, only on the API's own origin (a response cannot send the server elsewhere).
    func sameOrigin(_ text: String) throws -> URL {
        guard let url = URL(string: text, relativeTo: baseURL)?.absoluteURL, url.scheme == baseURL.scheme, url.host == baseURL.host,
              url.port == baseURL.port else {
            throw ConnectorError("http_json: a next page on another origin is not followed: \(text.prefix(80))")
        }
        return url
    }

    /// The `rel="next"` target of a `Link` header (RFC 8288).
    static func nextLink(_ header: String?) throws -> String? {
        guard let header else { return nil }
        for link in header.split(separator: ",") {
            let parts = link.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = parts.first, target.hasPrefix("<"), target.hasSuffix(">"),
                  parts.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "").lowercased() == "rel=\"next\"" || $0.lowercased() == "rel=next" })
            else { continue }
            return String(target.dropFirst().dropLast())
        }
        return nil
    }

    private func get(_ url: URL) async throws -> (Int, HTTPHeaders, Data) {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.headers.add(name: "Accept", value: "application/json")
        for (header, variable) in (configuration.headersEnv ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let value = environment[variable] else { throw ConnectorError("http_json: the environment variable \(variable) (header \(header)) is not set") }
            request.headers.add(name: header, value: value)
        }
        do {
            let response = try await ConnectorHTTP.client.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 64 << 20)
            return (Int(response.status.code), response.headers, Data(body.readableBytesView))
        } catch {
            throw ConnectorError("http_json: \(baseURL.host ?? "the API") cannot be reached (\(error))")
        }
    }
}
