// The manifest as the server sends it (`GET /api/sync/manifest`): tables by id with their hashes and files.
import Foundation

public struct Manifest: Decodable, Sendable {
    public struct File: Decodable, Sendable, Equatable {
        public var path: String
        public var sizeBytes: Int64
        public var sha256: String
        public var md5: String
        public var part: String?

        enum CodingKeys: String, CodingKey {
            case path, sha256, md5, part
            case sizeBytes = "size_bytes"
        }
    }

    public struct Table: Decodable, Sendable {
        public var hash: String
        public var sha256: String?
        public var rows: Int64
        public var sizeBytes: Int64
        public var queryMode: String
        public var files: [File]?

        enum CodingKeys: String, CodingKey {
            case hash, sha256, rows, files
            case sizeBytes = "size_bytes"
            case queryMode = "query_mode"
        }

        /// Whether the table comes as monthly parts rather than one file.
        public var isPartitioned: Bool { sha256 == nil && (files ?? []).contains { $0.part != nil } }
    }

    public var tables: [String: Table]
}
