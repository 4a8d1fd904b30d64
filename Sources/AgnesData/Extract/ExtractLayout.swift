// Where a source's extract lives: `DATA_DIR/extracts/<source>/extract.duckdb` and `data/<table_id>.parquet`
// (SPEC §6.2), and the rules for the names that become paths and SQL identifiers.
import AgnesState
import Foundation

/// The files of one source's extract.
public struct ExtractLayout: Sendable, Equatable {
    public let source: String
    /// `DATA_DIR/extracts/<source>`.
    public let directory: URL

    public var databaseFile: URL { directory.appendingPathComponent("extract.duckdb") }
    public var dataDirectory: URL { directory.appendingPathComponent("data") }

    /// The parquet file of a (non-partitioned) table.
    public func parquetFile(tableId: String) -> URL { dataDirectory.appendingPathComponent("\(tableId).parquet") }

    /// The folder of a partitioned table's parts (`data/<table_id>/`).
    public func partsDirectory(tableId: String) -> URL { dataDirectory.appendingPathComponent(tableId, isDirectory: true) }

    /// The layout of `source` under `extractsDirectory`; the name must be a plain identifier (it becomes a directory
    /// and a DuckDB catalog alias).
    public init(extractsDirectory: URL, source: String) throws {
        guard Self.isValidSourceName(source) else {
            throw ExtractError.invalidName("source name '\(source)' must start with a letter or _ and contain only letters, digits and _ (at most 64)")
        }
        self.source = source
        self.directory = extractsDirectory.appendingPathComponent(source, isDirectory: true)
    }

    /// `^[a-zA-Z_][a-zA-Z0-9_]{0,63}$`, as upstream.
    public static func isValidSourceName(_ name: String) -> Bool {
        let scalars = name.unicodeScalars
        func isLetter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" }
        guard let first = scalars.first, scalars.count <= 64, isLetter(first) else { return false }
        return scalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }
}

/// Why an extract could not be written.
public enum ExtractError: Error, CustomStringConvertible, Equatable {
    case invalidName(String)
    case failed(table: String, message: String)

    public var description: String {
        switch self {
        case let .invalidName(message): message
        case let .failed(table, message): "extracting \(table) failed: \(message)"
        }
    }
}
