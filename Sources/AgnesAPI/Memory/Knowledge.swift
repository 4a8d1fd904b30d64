// Corporate memory on the wire: knowledge items with their review status and votes.
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

/// An item with its vote totals and the viewer's own vote.
public struct KnowledgeListing: Codable, Sendable, Equatable {
    public var item: KnowledgeItem
    public var upvotes: Int
    public var downvotes: Int
    public var myVote: Int

    public var score: Int { upvotes - downvotes }

    public init(item: KnowledgeItem, upvotes: Int, downvotes: Int, myVote: Int) {
        self.item = item
        self.upvotes = upvotes
        self.downvotes = downvotes
        self.myVote = myVote
    }

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
