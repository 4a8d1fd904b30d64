// What users uploaded (`GET /api/upload/mine`).
import Foundation

/// What was uploaded.
public enum UploadKind: String, Codable, Sendable, CaseIterable {
    case session
    case localMarkdown = "local_md"
}

/// A row of `uploads`.
public struct Upload: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var userId: String
    public var kind: UploadKind
    public var name: String
    public var bytes: Int64
    public var sha256: String
    public var uploadedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, name, bytes, sha256
        case userId = "user_id"
        case uploadedAt = "uploaded_at"
    }
}

/// The body of `GET /api/upload/mine`.
public struct UploadList: Codable, Sendable, Equatable {
    public var uploads: [Upload]

    public init(uploads: [Upload]) {
        self.uploads = uploads
    }
}
