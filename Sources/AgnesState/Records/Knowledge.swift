// Corporate memory: knowledge items with review status, and one vote per user per item.
import Foundation

/// Where a knowledge item is in its review.
public enum KnowledgeStatus: String, Codable, Sendable, CaseIterable {
    case proposed, approved, mandatory, rejected, archived
}

/// A row of `knowledge_items`.
public struct KnowledgeItem: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var title: String
    public var content: String?
    public var category: String?
    public var domain: String?
    public var tags: [String]
    public var status: KnowledgeStatus
    public var audience: String?
    public var sensitivity: String?
    public var sourceUser: String?
    public var sourceType: String?
    public var sourceRef: String?
    public var contributors: [String]
    public var confidence: Double?
    public var supersedes: String?
    public var validFrom: Date?
    public var validUntil: Date?
    public var createdAt: Date
    public var updatedAt: Date
    public var reviewedBy: String?
    public var reviewedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, title, content, category, domain, tags, status, audience, sensitivity, contributors, confidence, supersedes
        case sourceUser = "source_user"
        case sourceType = "source_type"
        case sourceRef = "source_ref"
        case validFrom = "valid_from"
        case validUntil = "valid_until"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case reviewedBy = "reviewed_by"
        case reviewedAt = "reviewed_at"
    }
}

/// The fields of a knowledge item a contributor provides.
public struct KnowledgeDraft: Sendable, Equatable {
    public var title: String
    public var content: String?
    public var category: String?
    public var domain: String?
    public var tags: [String]
    public var audience: String?
    public var sensitivity: String?
    public var sourceType: String?
    public var sourceRef: String?
    public var confidence: Double?

    public init(title: String, content: String? = nil, category: String? = nil, domain: String? = nil, tags: [String] = [],
                audience: String? = nil, sensitivity: String? = nil, sourceType: String? = nil, sourceRef: String? = nil,
                confidence: Double? = nil) {
        self.title = title
        self.content = content
        self.category = category
        self.domain = domain
        self.tags = tags
        self.audience = audience
        self.sensitivity = sensitivity
        self.sourceType = sourceType
        self.sourceRef = sourceRef
        self.confidence = confidence
    }
}

extension KnowledgeDraft {
    /// The editable fields of `item`, to change some of them.
    public init(_ item: KnowledgeItem) {
        self.init(title: item.title, content: item.content, category: item.category, domain: item.domain, tags: item.tags,
                  audience: item.audience, sensitivity: item.sensitivity, sourceType: item.sourceType, sourceRef: item.sourceRef,
                  confidence: item.confidence)
    }
}

/// Vote totals of an item.
public struct VoteCounts: Codable, Sendable, Equatable {
    public var upvotes: Int
    public var downvotes: Int
    public var score: Int { upvotes - downvotes }

    public init(upvotes: Int, downvotes: Int) {
        self.upvotes = upvotes
        self.downvotes = downvotes
    }
}

/// Who is looking at corporate memory: administrators see every item; everyone else sees items without an audience
/// (or `all`), items for one of their groups (`group:<name>`), and items they contributed to.
public struct KnowledgeViewer: Sendable, Equatable {
    public var userId: String
    public var groupNames: [String]
    public var isAdmin: Bool

    public init(userId: String, groupNames: [String], isAdmin: Bool) {
        self.userId = userId
        self.groupNames = groupNames
        self.isAdmin = isAdmin
    }

    /// The `audience` values this viewer may see (nil: all of them).
    var audiences: [String]? { isAdmin ? nil : ["all"] + groupNames.map { "group:\($0)" } }
}

/// Filters of a memory listing; `ids` restricts it to the given items (a full-text search's hits).
public struct KnowledgeFilter: Sendable, Equatable {
    public var status: KnowledgeStatus?
    public var category: String?
    public var domain: String?
    public var tag: String?
    public var text: String?
    public var ids: [String]?

    public init(status: KnowledgeStatus? = nil, category: String? = nil, domain: String? = nil, tag: String? = nil,
                text: String? = nil, ids: [String]? = nil) {
        self.status = status
        self.category = category
        self.domain = domain
        self.tag = tag
        self.text = text
        self.ids = ids
    }
}

/// An item with its vote totals and the viewer's own vote.
public struct KnowledgeListing: Codable, Sendable, Equatable {
    public var item: KnowledgeItem
    public var upvotes: Int
    public var downvotes: Int
    public var myVote: Int

    public var score: Int { upvotes - downvotes }

    enum CodingKeys: String, CodingKey {
        case upvotes, downvotes
        case myVote = "my_vote"
    }

    public init(from decoder: any Decoder) throws {
        item = try KnowledgeItem(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        upvotes = try container.decode(Int.self, forKey: .upvotes)
        downvotes = try container.decode(Int.self, forKey: .downvotes)
        myVote = try container.decode(Int.self, forKey: .myVote)
    }

    public func encode(to encoder: any Encoder) throws {
        try item.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(upvotes, forKey: .upvotes)
        try container.encode(downvotes, forKey: .downvotes)
        try container.encode(myVote, forKey: .myVote)
    }
}
