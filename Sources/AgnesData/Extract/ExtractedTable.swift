// What an extract holds for one table: its figures and files, as recorded in the extract's `_meta` table and later in
// the manifest.
import Foundation

/// One file of an extracted table, with its size and hashes.
public struct ExtractFile: Codable, Sendable, Equatable {
    /// The path relative to the extract's directory (`data/orders.parquet`).
    public var path: String
    public var sizeBytes: Int64
    public var sha256: String
    public var md5: String
    /// The part of a partitioned table this file holds (`2026-03`, or `none` for rows without a partition value).
    public var part: String?

    public init(path: String, sizeBytes: Int64, sha256: String, md5: String, part: String? = nil) {
        self.path = path
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.md5 = md5
        self.part = part
    }

    enum CodingKeys: String, CodingKey {
        case path, sha256, md5, part
        case sizeBytes = "size_bytes"
    }
}

/// A table in an extract.
public struct ExtractedTable: Codable, Sendable, Equatable {
    public var tableId: String
    public var description: String?
    public var rows: Int64
    public var sizeBytes: Int64
    public var extractedAt: Date
    public var queryMode: String
    public var files: [ExtractFile]

    enum CodingKeys: String, CodingKey {
        case description, rows, files
        case tableId = "table_id"
        case sizeBytes = "size_bytes"
        case extractedAt = "extracted_at"
        case queryMode = "query_mode"
    }
}
