// Snapshots (upstream §2.4): a filtered, projected slice of a table fetched from the server (`POST /api/v2/scan`,
// parquet) into `user/snapshots/<name>.parquet` with `<name>.meta.json`, and a view `<name>` in the workspace DuckDB.
// Pulls never touch them; names that a pulled table uses are refused.
import AgnesAPI
import DuckDB
import Foundation

public struct Snapshot: Codable, Sendable, Equatable {
    public var name: String
    public var tableId: String
    public var select: [String]?
    public var `where`: String?
    public var orderBy: [String]?
    public var limit: Int?
    public var createdAt: Date
    public var rows: Int64
    public var bytes: Int64
    /// When `agnes pull` and `agnes snapshot prune --expired` drop it (`--ttl`); nil: kept until dropped.
    public var expiresAt: Date?
    /// The query whose rows it holds (`--from-query`), instead of a slice of `tableId`.
    public var fromQuery: String?

    public init(name: String, tableId: String, select: [String]?, where: String?, orderBy: [String]?, limit: Int?, createdAt: Date,
                rows: Int64, bytes: Int64) {
        self.name = name
        self.tableId = tableId
        self.select = select
        self.where = `where`
        self.orderBy = orderBy
        self.limit = limit
        self.createdAt = createdAt
        self.rows = rows
        self.bytes = bytes
    }

    enum CodingKeys: String, CodingKey {
        case name, select, `where`, limit, rows, bytes
        case tableId = "table_id"
        case orderBy = "order_by"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case fromQuery = "from_query"
    }

    /// Past its time to live at `date`.
    public func isExpired(at date: Date = Date()) -> Bool {
        expiresAt.map { $0 <= date } ?? false
    }

    /// The scan request body.
    var request: ScanRequest {
        var request = ScanRequest(tableId: tableId, select: select, where: `where`, limit: limit, orderBy: orderBy, as: name)
        request.fromQuery = fromQuery
        return request
    }
}

public struct Snapshots: Sendable {
    public let api: APIClient
    public let workspace: Workspace

    public init(api: APIClient, workspace: Workspace) {
        self.api = api
        self.workspace = workspace
    }

    func parquet(_ name: String) -> URL { workspace.snapshotsDirectory.appendingPathComponent("\(name).parquet") }
    func meta(_ name: String) -> URL { workspace.snapshotsDirectory.appendingPathComponent("\(name).meta.json") }

    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 63, ("a"..."z").contains(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// What the server estimates the snapshot would read and return.
    public func estimate(_ snapshot: Snapshot) async throws -> ScanEstimate {
        try await api.estimateScan(snapshot.request)
    }

    /// A time to live as upstream writes it: `7d`, `12h` or `30m` (a positive whole number and a unit); nil otherwise.
    public static func timeToLive(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let count = Int(text.dropLast()), count > 0 else { return nil }
        switch unit {
        case "d": return TimeInterval(count) * 86_400
        case "h": return TimeInterval(count) * 3_600
        case "m": return TimeInterval(count) * 60
        default: return nil
        }
    }

    /// Drops every expired snapshot; returns their names.
    @discardableResult
    public func dropExpired(at date: Date = Date()) throws -> [String] {
        let expired = list().filter { $0.isExpired(at: date) }
        for snapshot in expired { try drop(snapshot.name) }
        return expired.map(\.name)
    }

    /// Fetches the rows and creates (or, with `replace`, replaces) the snapshot and its view; with `timeToLive` it
    /// expires that long after it was made (otherwise it keeps the draft's expiry).
    public func create(_ draft: Snapshot, replace: Bool, timeToLive: TimeInterval? = nil) async throws -> Snapshot {
        guard Self.isValidName(draft.name) else {
            throw ClientError(.usage, "snapshot name '\(draft.name)' must be lower-case letters, digits and _ (starting with a letter)")
        }
        if workspace.loadState().tables[draft.name] != nil {
            throw ClientError(.usage, "'\(draft.name)' is a pulled table; give the snapshot another name with --as")
        }
        if !replace, FileManager.default.fileExists(atPath: meta(draft.name).path) {
            throw ClientError(.usage, "snapshot '\(draft.name)' exists; use --force to replace it or `agnes snapshot refresh \(draft.name)`")
        }
        try FileManager.default.createDirectory(at: workspace.snapshotsDirectory, withIntermediateDirectories: true)
        let partial = URL(fileURLWithPath: parquet(draft.name).path + ".partial")
        let descriptor = open(partial.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw ClientError(.failure, "cannot write \(partial.path)") }
        var snapshot = draft
        do {
            defer { close(descriptor) }
            var position: Int64 = 0
            var header = Data()
            let rows = try await api.scan(draft.request) { chunk in
                if header.count < 4 { header.append(contentsOf: chunk.readableBytesView.prefix(4 - header.count)) }
                try Downloader.write(chunk, to: descriptor, at: position, file: partial)
                position += Int64(chunk.readableBytes)
            }
            guard fsync(descriptor) == 0, header == Data("PAR1".utf8) else {
                throw ClientError(.server, "the server's snapshot of \(draft.tableId) is not a parquet file")
            }
            snapshot.rows = rows ?? 0
            snapshot.bytes = position
            snapshot.createdAt = Date()
            if let timeToLive { snapshot.expiresAt = snapshot.createdAt.addingTimeInterval(timeToLive) }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        guard rename(partial.path, parquet(draft.name).path) == 0 else { throw ClientError(.failure, "cannot move the snapshot into place") }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try ClientSettings.writeAtomically(try encoder.encode(snapshot), to: meta(draft.name), permissions: 0o644)
        try withDatabase { connection in
            try connection.execute("CREATE OR REPLACE VIEW \(SQL.identifier(snapshot.name)) AS SELECT * FROM read_parquet(\(SQL.literal(parquet(snapshot.name).path)))")
        }
        return snapshot
    }

    /// Every snapshot of the workspace, by name.
    public func list() -> [Snapshot] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workspace.snapshotsDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".meta.json") }.sorted().compactMap { name in
            (try? Data(contentsOf: workspace.snapshotsDirectory.appendingPathComponent(name))).flatMap { try? decoder.decode(Snapshot.self, from: $0) }
        }
    }

    /// Removes a snapshot's files and view.
    public func drop(_ name: String) throws {
        guard list().contains(where: { $0.name == name }) else { throw ClientError(.denied, "no snapshot '\(name)' (see `agnes snapshot list`)") }
        try withDatabase { connection in try connection.execute("DROP VIEW IF EXISTS \(SQL.identifier(name))") }
        try? FileManager.default.removeItem(at: parquet(name))
        try? FileManager.default.removeItem(at: meta(name))
    }

    func withDatabase(_ body: (Connection) throws -> Void) throws {
        try FileManager.default.createDirectory(at: workspace.databaseFile.deletingLastPathComponent(), withIntermediateDirectories: true)
        let database = try Database(path: workspace.databaseFile.path)
        defer { database.close() }
        let connection = try database.connect()
        defer { connection.close() }
        try body(connection)
    }
}
