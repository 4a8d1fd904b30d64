// What an extract holds for one table: its figures and files, as recorded in the extract's `_meta` table and later in
// the manifest.
import AgnesAPI
import Foundation

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
