// Where a source's extract lives: `DATA_DIR/extracts/<source>/extract.duckdb` and `data/<table_id>.<sha256 prefix>.parquet`
// (SPEC §6.2; `data/<table_id>.parquet` before content-addressed names), and the rules for the names that become paths
// and SQL identifiers. A table's file is never overwritten by a sync: the new one gets a new name, and the old one goes
// only once the new one is recorded, so a crash between the two steps leaves the recorded file in place.
import AgnesState
import Foundation

/// The files of one source's extract.
public struct ExtractLayout: Sendable, Equatable {
    public let source: String
    /// `DATA_DIR/extracts/<source>`.
    public let directory: URL

    public var databaseFile: URL { directory.appendingPathComponent("extract.duckdb") }
    public var dataDirectory: URL { directory.appendingPathComponent("data") }

    /// The parquet file of a (non-partitioned) table as it was named before content-addressed names.
    public func parquetFile(tableId: String) -> URL { dataDirectory.appendingPathComponent("\(tableId).parquet") }

    /// The name (under `data/`) of a (non-partitioned) table's file holding the bytes whose sha256 is `sha256`.
    public static func fileName(tableId: String, sha256: String) -> String { "\(tableId).\(sha256.prefix(16)).parquet" }

    /// Whether `name` (under `data/`) is one of `tableId`'s single files, of either naming.
    public static func isFile(_ name: String, of tableId: String) -> Bool {
        if name == "\(tableId).parquet" { return true }
        guard name.hasPrefix("\(tableId)."), name.hasSuffix(".parquet") else { return false }
        let middle = name.dropFirst(tableId.count + 1).dropLast(".parquet".count)
        return middle.count == 16 && middle.allSatisfy(\.isHexDigit)
    }

    /// Every single file of `tableId` under `data/` but the one named `keeping`; `names` is `data/`'s listing when the
    /// caller has it (one listing for every table of a publish).
    func singleFiles(of tableId: String, keeping: String? = nil, in names: [String]? = nil) -> [URL] {
        (names ?? (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory.path)) ?? [])
            .filter { Self.isFile($0, of: tableId) && $0 != keeping }
            .map { dataDirectory.appendingPathComponent($0) }
    }

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
