// The `keboola` connector: tables of a Keboola project, exported through its Storage API (`stack_url`, https, and the
// token in the environment variable `token_env` — never stored). A table's `source_table` is its Keboola id
// (`in.c-sales.orders`), its `source_query` the export options (KeboolaExportOptions). A sync exports the table as
// gzip CSV (sliced files without a header are read with the table's column names), and an `incremental` sync asks only
// for rows changed since the last sync minus `incremental_window_days` (7; the first one: `max_history_days` back, or
// everything) and merges them by `primary_key`.
import AgnesAPI
import AgnesState
import DuckDB
import Foundation

public struct KeboolaConnector: StagedConnector {
    public struct Configuration: Decodable, Sendable, Equatable {
        public var stackUrl: String
        /// The environment variable holding the Storage API token.
        public var tokenEnv: String
        /// Seconds an export may take before the sync gives up (1800).
        public var exportTimeoutSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case stackUrl = "stack_url"
            case tokenEnv = "token_env"
            case exportTimeoutSeconds = "export_timeout_seconds"
        }
    }

    public let configuration: Configuration
    let stackURL: URL
    /// The token, read from `token_env` when the connector is made (nil: not set, said when it is needed).
    private let token: String?

    public init(configuration: Configuration, environment: [String: String]) throws {
        guard let url = NetworkPolicy.apiURL(configuration.stackUrl) else {
            throw ConnectorError("keboola: stack_url must be an https URL (e.g. https://connection.keboola.com)")
        }
        guard DatabaseServerSource.isPlain(configuration.tokenEnv) else { throw ConnectorError("keboola: token_env must name an environment variable") }
        self.configuration = configuration
        stackURL = url
        token = environment[configuration.tokenEnv].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The Storage API with the token; an unset token is an error that names its variable.
    var api: KeboolaStorageAPI {
        get throws {
            guard let token else {
                throw ConnectorError("keboola: the environment variable \(configuration.tokenEnv) (token_env) holding the Storage API token is not set")
            }
            var api = KeboolaStorageAPI(stackURL: stackURL, token: token)
            if let seconds = configuration.exportTimeoutSeconds { api.deadline = .seconds(Int64(max(1, seconds))) }
            return api
        }
    }

    // MARK: Connector

    public func prepare(_ connection: Connection) throws {}

    public func query(for table: RegisteredTable) throws -> String {
        throw ConnectorError("keboola: table \(table.id) is exported through the Storage API when it syncs")
    }

    public func test(on connection: Connection, policy: NetworkPolicy) throws -> String {
        throw ConnectorError("keboola: the connection is checked through the Storage API")
    }

    // MARK: StagedConnector

    public func stage(_ table: RegisteredTable, context: StagingContext) async throws -> String {
        guard let id = table.sourceTable, !id.isEmpty else { throw ConnectorError("table \(table.id): source_table must be the Keboola table id (in.c-bucket.table)") }
        let options = try KeboolaExportOptions.of(table)
        let api = try api
        let detail = try await api.table(id)
        var paths: [String] = [], sliced = true
        for (index, window) in Self.windows(table, options: options, context: context).enumerated() {
            let job = try await api.exportAsync(id, fields: options.formFields(window: window, now: context.now))
            let file = try await api.file(try await api.waitForExport(job, table: id))
            let folder = context.directory.appendingPathComponent("export-\(index)", isDirectory: true)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            paths += try await api.download(file, into: folder)
            sliced = sliced && file.isSliced == true
        }
        let columns = options.columns ?? detail.columns ?? []
        guard !paths.isEmpty else {
            guard !columns.isEmpty else { throw ConnectorError("keboola: the export of \(id) has no files and the table no columns") }
            return "SELECT " + columns.map { "CAST(NULL AS VARCHAR) AS \(SQL.identifier($0))" }.joined(separator: ", ") + " WHERE false"
        }
        // Sliced files carry no header (Keboola's convention); a single file does.
        let list = "[" + paths.map(SQL.literal).joined(separator: ", ") + "]"
        let names = columns.isEmpty ? "" : ", names = [" + columns.map(SQL.literal).joined(separator: ", ") + "]"
        return "SELECT * FROM read_csv(\(list), header = \(sliced ? "false" : "true")\(names), compression = 'gzip', "
            + "delim = ',', quote = '\"', escape = '\"', sample_size = 20480)"
    }

    public func columns(of table: RegisteredTable) async throws -> [String] {
        guard let id = table.sourceTable, !id.isEmpty else { throw ConnectorError("table \(table.id): source_table must be the Keboola table id (in.c-bucket.table)") }
        let options = try KeboolaExportOptions.of(table)
        let detail = try await (try api).table(id)
        let available = detail.columns ?? []
        if let requested = options.columns {
            if let missing = requested.first(where: { !available.contains($0) }) { throw ConnectorError("keboola: \(id) has no column '\(missing)'") }
            return requested
        }
        return available
    }

    /// Every table of the project the token may read, with its columns and primary key.
    public func listTables() async throws -> [SourceTableListing] {
        try await (try api).tables().map { SourceTableListing(id: $0.id, columns: $0.columns ?? [], rows: $0.rowsCount, primaryKey: $0.primaryKey ?? []) }
    }

    public func check(policy: NetworkPolicy) async throws -> String {
        let host = stackURL.host ?? ""
        do { _ = try policy.resolve(host) } catch let refusal as NetworkPolicy.Refusal {
            throw ConnectorError("keboola: \(refusal.description)")
        }
        let api = try api
        let token = try await api.verifyToken()
        let buckets = try await api.buckets(), tables = try await api.tables()
        return "connected to Keboola at \(host) as '\(token.description ?? "token")': \(buckets.count) buckets, \(tables.count) tables"
    }

    /// The periods to export, one export each. An incremental sync: since the last sync minus the window, or for the
    /// first one the history limit (or everything). A partitioned table's first load with a history limit: that history
    /// in chunks of `initial_load_chunk_days` (30); later, the history limit rolling. Otherwise one export of what the
    /// options say.
    static func windows(_ table: RegisteredTable, options: KeboolaExportOptions, context: StagingContext) -> [(since: Date?, until: Date?)] {
        let day: TimeInterval = 86_400
        let history = options.maxHistoryDays.map { context.now.addingTimeInterval(-Double($0) * day) }
        switch table.syncStrategy {
        case .incremental:
            if let last = context.lastSync { return [(last.addingTimeInterval(-Double(options.incrementalWindowDays ?? 7) * day), nil)] }
            return [(history, nil)]
        case .partitioned:
            guard let start = history else { return [(nil, nil)] }
            guard context.lastSync == nil else { return [(start, nil)] }
            let chunk = Double(table.initialLoadChunkDays ?? 30) * day
            var windows: [(since: Date?, until: Date?)] = [], from = start
            while from < context.now {
                let to = min(from.addingTimeInterval(chunk), context.now)
                windows.append((from, to == context.now ? nil : to))
                from = to
            }
            return windows.isEmpty ? [(start, nil)] : windows
        case .fullRefresh:
            return [(nil, nil)]
        }
    }
}
