// The workspace: its `CLAUDE.md` (`GET /api/welcome`), the template admins edit, and what `agnes push` uploads.
import Foundation

/// `{"content": …}`: the body of `GET /api/welcome`, of `PUT /api/admin/welcome-template` and of
/// `POST /api/upload/local-md`.
public struct TextContent: Codable, Sendable, Equatable {
    public var content: String

    public init(content: String) {
        self.content = content
    }
}

/// The workspace template as admins see it (`/api/admin/welcome-template`).
public struct WelcomeTemplate: Codable, Sendable, Equatable {
    public var key: String
    public var content: String
    /// No template is stored: the built-in one is in use.
    public var isDefault: Bool
    @Nullable public var updatedAt: Date?
    @Nullable public var updatedBy: String?

    public init(key: String, content: String, isDefault: Bool, updatedAt: Date?, updatedBy: String?) {
        self.key = key
        self.content = content
        self.isDefault = isDefault
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }

    enum CodingKeys: String, CodingKey {
        case key, content
        case isDefault = "is_default"
        case updatedAt = "updated_at"
        case updatedBy = "updated_by"
    }
}

/// The answer of `POST /api/upload/sessions`.
public struct SessionUploaded: Codable, Sendable, Equatable {
    public var status = "ok"
    public var filename: String
    public var size: Int64
    public var sha256: String

    public init(filename: String, size: Int64, sha256: String) {
        self.filename = filename
        self.size = size
        self.sha256 = sha256
    }
}

/// The answer of `POST /api/upload/local-md`.
public struct NotesUploaded: Codable, Sendable, Equatable {
    public var status = "ok"
    public var user: String
    public var size: Int

    public init(user: String, size: Int) {
        self.user = user
        self.size = size
    }
}
