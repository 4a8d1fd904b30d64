// Keboola's Storage API for tests, as documented (https://keboola.docs.apiary.io): every call needs the token in
// `X-StorageApi-Token` (else 401 `storage.tokenInvalid`); `GET /v2/storage/tokens/verify`, `/buckets`, `/tables`,
// `/tables/{id}`; `POST /v2/storage/tables/{id}/export-async` (form: `columns[i]`, `whereFilters[i][column|operator|
// values][j]`, `changedSince`, `changedUntil`, `limit`, `fileType`, `gzip`) starts a job that stays `waiting`/`processing` for
// `pollsPerJob` polls of `GET /v2/storage/jobs/{id}` and then is `success` with `results.file.id` — or `error` for a
// table set to fail; `GET /v2/storage/files/{id}?federationToken=1` describes a sliced file whose `url` is a manifest
// (`{"entries": [{"url"}]}`) of gzip CSV slices without a header, `sliceRows` rows each. Tables live in an in-memory
// DuckDB with Keboola's hidden `_timestamp` (when a row last changed), which `changedSince` filters on.
import DuckDB
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

public final class KeboolaContractServer: Sendable {
    struct Table: Sendable {
        var id: String
        var columns: [String]
        var primaryKey: [String]
    }

    struct Job: Sendable {
        var table: String
        var form: [String: String]
        var polls = 0
        var file: Int64?
        var failure: String?
    }

    struct State: Sendable {
        var base = ""
        var token: String
        var tables: [String: Table] = [:]
        var failing: Set<String> = []
        var jobs: [Int64: Job] = [:]
        var files: [Int64: [URL]] = [:]
        var nextId: Int64 = 1000
        var exports: [[String: String]] = []
        /// Files already written for an export form (`prepareExport`), reused by the next job with that form.
        var prepared: [String: Int64] = [:]
    }

    let state: Mutex<State>
    let database: Database
    let folder: URL
    /// Polls a job stays unfinished.
    public let pollsPerJob: Int
    /// Rows per slice of an exported file.
    public let sliceRows: Int

    public init(token: String = "kbc-test-token", pollsPerJob: Int = 3, sliceRows: Int = 400) throws {
        state = Mutex(State(token: token))
        database = try Database()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("keboola-contract-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.pollsPerJob = pollsPerJob
        self.sliceRows = sliceRows
    }

    public var base: String { state.withLock { $0.base } }
    /// The export-async forms received, in order.
    public var exports: [[String: String]] { state.withLock { $0.exports } }
    /// Refuses every token but `token` from now on.
    public func setToken(_ token: String) { state.withLock { $0.token = token } }
    /// Makes every export of `table` fail.
    public func setFailing(_ table: String) { state.withLock { _ = $0.failing.insert(table) } }

    /// Creates table `id` (`in.c-bucket.name`) holding `select`'s rows, each changed now.
    public func createTable(_ id: String, primaryKey: [String], select: String) throws {
        let connection = try database.connect()
        defer { connection.close() }
        try connection.execute("CREATE TABLE \(SQL.identifier(id)) AS SELECT *, now()::TIMESTAMP AS _timestamp FROM (\(select))")
        let columns = try connection.query("SELECT column_name FROM duckdb_columns() WHERE table_name = $1 AND column_name <> '_timestamp' ORDER BY column_index", id)
            .rows().compactMap { $0[0].stringValue }
        state.withLock { $0.tables[id] = Table(id: id, columns: columns, primaryKey: primaryKey) }
    }

    /// Writes the file a job exporting all of `table` (as a sync without options asks) would write, so that a
    /// benchmark measures the client's side only: the next such job finishes with it.
    public func prepareExport(_ table: String) throws {
        let form = ["fileType": "csv", "gzip": "1"]
        let file = try export(Job(table: table, form: form))
        state.withLock { $0.prepared[Self.key(table, form)] = file }
    }

    static func key(_ table: String, _ form: [String: String]) -> String {
        table + "?" + form.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
    }

    /// Runs `sql` on the tables (an UPDATE should set `_timestamp = now()` on the rows it changes).
    public func execute(_ sql: String) throws {
        let connection = try database.connect()
        defer { connection.close() }
        try connection.execute(sql)
    }

    /// Runs the server on 127.0.0.1 while `body` runs.
    public func run(_ body: @Sendable (KeboolaContractServer) async throws -> Void) async throws {
        let router = Router()
        routes(on: router)
        defer { try? FileManager.default.removeItem(at: folder) }
        try await LocalHTTPServer.run(router, started: { [self] base in state.withLock { $0.base = base } }, isReady: { [self] in !base.isEmpty }) {
            try await body(self)
        }
    }

    func routes(on router: Router<BasicRequestContext>) {
        let storage = router.group("v2/storage").add(middleware: TokenCheck(server: self))
        storage.get("tokens/verify") { _, _ in try Self.json(["id": "1", "description": "agnes test token", "canManageBuckets": false]) }
        storage.get("buckets") { [self] _, _ in
            let buckets = Set(state.withLock { $0.tables.keys }.map { $0.split(separator: ".").prefix(2).joined(separator: ".") })
            return try Self.json(buckets.sorted().map { ["id": $0, "name": String($0.split(separator: "-").last ?? ""), "stage": "in"] })
        }
        storage.get("tables") { [self] _, _ in try Self.json(try state.withLock { $0.tables.values.sorted { $0.id < $1.id } }.map(description)) }
        storage.get("tables/{id}") { [self] _, context in
            let id = try context.parameters.require("id")
            guard let table = state.withLock({ $0.tables[id] }) else { return try Self.json(["error": "The table \"\(id)\" was not found."], status: .notFound) }
            return try Self.json(try description(table))
        }
        storage.post("tables/{id}/export-async") { [self] request, context in
            let id = try context.parameters.require("id")
            let form = try await OpenIDTestProvider.form(request, context)
            let jobId: Int64? = state.withLock { state in
                guard state.tables[id] != nil else { return nil }
                state.exports.append(form)
                state.nextId += 1
                state.jobs[state.nextId] = Job(table: id, form: form)
                return state.nextId
            }
            guard let jobId else { return try Self.json(["error": "The table \"\(id)\" was not found."], status: .notFound) }
            return try Self.json(["id": jobId, "status": "waiting", "url": "\(base)/v2/storage/jobs/\(jobId)", "operationName": "tableExport"],
                                 status: .accepted)
        }
        storage.get("jobs/{id}") { [self] _, context in
            let id = Int64(try context.parameters.require("id")) ?? 0
            guard var job = state.withLock({ $0.jobs[id] }) else { return try Self.json(["error": "Job not found"], status: .notFound) }
            job.polls += 1
            if job.polls > pollsPerJob, job.file == nil, job.failure == nil {
                if state.withLock({ $0.failing.contains(job.table) }) {
                    job.failure = "Export of table \(job.table) failed: the backend is not available."
                } else if let prepared = state.withLock({ $0.prepared.removeValue(forKey: Self.key(job.table, job.form)) }) {
                    job.file = prepared
                } else {
                    job.file = try export(job)
                }
            }
            let finished = job
            state.withLock { $0.jobs[id] = finished }
            var answer: [String: Any] = ["id": id, "operationName": "tableExport",
                                         "status": job.failure != nil ? "error" : job.file != nil ? "success" : job.polls == 1 ? "waiting" : "processing"]
            if let file = job.file { answer["results"] = ["file": ["id": file]] }
            if let failure = job.failure { answer["error"] = ["message": failure] }
            return try Self.json(answer)
        }
        storage.get("files/{id}") { [self] request, context in
            let id = Int64(try context.parameters.require("id")) ?? 0
            guard state.withLock({ $0.files[id] }) != nil else { return try Self.json(["error": "File not found"], status: .notFound) }
            let federation = request.uri.queryParameters.get("federationToken") == "1"
            return try Self.json(["id": id, "isSliced": true, "name": "export-\(id).csv.gz", "url": "\(base)/manifests/\(id)",
                                  "provider": "local", "credentials": federation ? ["token": "federated"] : [:]])
        }
        router.get("manifests/{id}") { [self] _, context in
            let id = Int64(try context.parameters.require("id")) ?? 0
            let slices = state.withLock { $0.files[id] } ?? []
            return try Self.json(["entries": slices.indices.map { ["url": "\(base)/slices/\(id)/\($0)"] }])
        }
        router.get("slices/{id}/{n}") { [self] _, context in
            let id = Int64(try context.parameters.require("id")) ?? 0, index = Int(try context.parameters.require("n")) ?? -1
            guard let slices = state.withLock({ $0.files[id] }), slices.indices.contains(index) else { return Response(status: .notFound) }
            let data = try Data(contentsOf: slices[index])
            return Response(status: .ok, headers: [.contentType: "application/gzip"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }

    func description(_ table: Table) throws -> [String: Any] {
        let connection = try database.connect()
        defer { connection.close() }
        let rows = try connection.scalar(Int64.self, "SELECT count(*) FROM \(SQL.identifier(table.id))") ?? 0
        return ["id": table.id, "name": String(table.id.split(separator: ".").last ?? ""), "columns": table.columns,
                "primaryKey": table.primaryKey, "rowsCount": rows]
    }

    /// Writes the job's export as gzip CSV slices (no header); returns the file's id.
    func export(_ job: Job) throws -> Int64 {
        guard let table = state.withLock({ $0.tables[job.table] }) else { throw ProviderTestError("no table \(job.table)") }
        let form = job.form
        let requested = form.keys.filter { $0.hasPrefix("columns[") }.sorted { Self.index($0) < Self.index($1) }.compactMap { form[$0] }
        let columns = requested.isEmpty ? table.columns : requested
        var conditions: [String] = []
        for filter in 0..<10 {
            guard let column = form["whereFilters[\(filter)][column]"] else { break }
            let values = form.keys.filter { $0.hasPrefix("whereFilters[\(filter)][values][") }.sorted { Self.index($0) < Self.index($1) }.compactMap { form[$0] }
            let list = values.map(SQL.literal).joined(separator: ", ")
            conditions.append("\(SQL.identifier(column))::VARCHAR \(form["whereFilters[\(filter)][operator]"] == "ne" ? "NOT IN" : "IN") (\(list))")
        }
        if let since = form["changedSince"] { conditions.append("_timestamp >= \(SQL.literal(since))::TIMESTAMPTZ") }
        if let until = form["changedUntil"] { conditions.append("_timestamp < \(SQL.literal(until))::TIMESTAMPTZ") }
        let connection = try database.connect()
        defer { connection.close() }
        let projection = columns.map(SQL.identifier).joined(separator: ", ")
        let filter: String = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let limit: String = form["limit"].flatMap { Int($0) }.map { " LIMIT \($0)" } ?? ""
        let select = "SELECT \(projection) FROM \(SQL.identifier(table.id))\(filter) ORDER BY rowid\(limit)"
        let staged = "export_\(UUID().uuidString.prefix(8))"
        try connection.execute("CREATE TEMP TABLE \(staged) AS SELECT row_number() OVER () - 1 AS agnes_n, * FROM (\(select))")
        defer { _ = try? connection.execute("DROP TABLE \(staged)") }
        let count = Int(try connection.scalar(Int64.self, "SELECT count(*) FROM \(staged)") ?? 0)
        let id = state.withLock { state -> Int64 in
            state.nextId += 1
            return state.nextId
        }
        var slices: [URL] = []
        for (index, start) in stride(from: 0, to: count, by: sliceRows).enumerated() {
            let file = folder.appendingPathComponent("\(id)-\(index).csv.gz")
            try connection.execute("""
                COPY (SELECT * EXCLUDE (agnes_n) FROM \(staged) WHERE agnes_n >= \(start) AND agnes_n < \(start + sliceRows) ORDER BY agnes_n)
                TO \(SQL.literal(file.path)) (FORMAT csv, HEADER false, COMPRESSION gzip)
                """)
            slices.append(file)
        }
        state.withLock { $0.files[id] = slices }
        return id
    }

    static func index(_ key: String) -> Int {
        Int(key.split(separator: "[").last?.dropLast() ?? "") ?? 0
    }

    static func json(_ value: Any, status: HTTPResponse.Status = .ok) throws -> Response { try LocalHTTPServer.json(value, status: status) }

    /// 401 unless `X-StorageApi-Token` is the server's token.
    struct TokenCheck: RouterMiddleware {
        let server: KeboolaContractServer
        func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
            let expected = server.state.withLock { $0.token }
            guard request.headers[HTTPField.Name("X-StorageApi-Token")!] == expected else {
                return try KeboolaContractServer.json(["error": "Invalid access token", "code": "storage.tokenInvalid"], status: .unauthorized)
            }
            return try await next(request, context)
        }
    }
}
