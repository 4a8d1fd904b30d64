// The `files` connector: CSV, Parquet and JSON/NDJSON files (or globs) inside one directory. A table's
// `source_table` names its file or glob relative to that directory; paths may not leave it.
import AgnesAPI
import AgnesState
import DuckDB
import Foundation

public struct FilesConnector: Connector {
    public struct Configuration: Decodable, Sendable {
        /// The directory the tables' files live in.
        public var directory: String
    }

    public let directory: URL

    public init(configuration: Configuration) throws {
        guard configuration.directory.hasPrefix("/") else { throw ConnectorError("files: 'directory' must be an absolute path") }
        directory = URL(fileURLWithPath: configuration.directory).standardizedFileURL
    }

    public func prepare(_ connection: Connection) throws {}

    public func test(on connection: Connection, policy: NetworkPolicy) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConnectorError("files: \(directory.path) is not a directory")
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            throw ConnectorError("files: \(directory.path) cannot be read")
        }
        return "directory \(directory.path) is readable (\(names.count) entries)"
    }

    public func query(for table: RegisteredTable) throws -> String {
        guard let pattern = table.sourceTable, !pattern.isEmpty else {
            throw ConnectorError("table \(table.id): source_table must name a file or glob in \(directory.path)")
        }
        guard !pattern.hasPrefix("/"), !pattern.split(separator: "/").contains("..") else {
            throw ConnectorError("table \(table.id): '\(pattern)' must be a path inside \(directory.path)")
        }
        let path = SQL.literal(directory.appendingPathComponent(pattern).path)
        let lowered = pattern.lowercased()
        if lowered.hasSuffix(".parquet") { return "SELECT * FROM read_parquet(\(path), union_by_name = true)" }
        if lowered.hasSuffix(".csv") || lowered.hasSuffix(".tsv") || lowered.hasSuffix(".csv.gz") {
            return "SELECT * FROM read_csv(\(path), union_by_name = true)"
        }
        if lowered.hasSuffix(".json") { return "SELECT * FROM read_json_auto(\(path), union_by_name = true)" }
        if lowered.hasSuffix(".ndjson") || lowered.hasSuffix(".jsonl") {
            return "SELECT * FROM read_json_auto(\(path), format = 'newline_delimited', union_by_name = true)"
        }
        throw ConnectorError("table \(table.id): cannot tell the format of '\(pattern)' (use .csv, .tsv, .parquet, .json, .ndjson or .jsonl)")
    }
}
