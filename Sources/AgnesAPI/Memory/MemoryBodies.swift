// The request and response bodies of `/api/memory` (upstream's paths and fields).
import Foundation

/// The fields of an item a contributor sends (`POST /api/memory`, `PATCH /api/memory/{id}`); absent fields keep their value.
public struct KnowledgeDraftRequest: Codable, Sendable, Equatable {
    public var title: String?
    public var content: String?
    public var category: String?
    public var domain: String?
    public var tags: [String]?
    /// `all`, or `group:<group name>`.
    public var audience: String?
    public var sensitivity: String?
    public var sourceType: String?
    public var sourceRef: String?
    /// Between 0 and 1.
    public var confidence: Double?

    public init(title: String? = nil, content: String? = nil, category: String? = nil, domain: String? = nil, tags: [String]? = nil,
                audience: String? = nil, sensitivity: String? = nil, sourceType: String? = nil, sourceRef: String? = nil, confidence: Double? = nil) {
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

    enum CodingKeys: String, CodingKey {
        case title, content, category, domain, tags, audience, sensitivity, confidence
        case sourceType = "source_type"
        case sourceRef = "source_ref"
    }
}

/// A page of `GET /api/memory`.
public struct MemoryPage: Codable, Sendable, Equatable {
    public var items: [KnowledgeListing]
    public var count: Int
    public var page: Int
    public var perPage: Int
    public var totalCount: Int
    public var totalPages: Int
    /// `fts` (ranked by BM25) or `ilike`, when the request searched.
    public var searchMode: String?

    public init(items: [KnowledgeListing], page: Int, perPage: Int, totalCount: Int, searchMode: String?) {
        self.items = items
        count = items.count
        self.page = page
        self.perPage = perPage
        self.totalCount = totalCount
        totalPages = (totalCount + perPage - 1) / perPage
        self.searchMode = searchMode
    }

    enum CodingKeys: String, CodingKey {
        case items, count, page
        case perPage = "per_page"
        case totalCount = "total_count"
        case totalPages = "total_pages"
        case searchMode = "search_mode"
    }
}

/// `GET /api/memory/admin/pending`: the review queue, oldest first.
public struct ReviewQueuePage: Codable, Sendable, Equatable {
    public var items: [KnowledgeListing]
    public var count: Int
    public var totalCount: Int

    public init(items: [KnowledgeListing], totalCount: Int) {
        self.items = items
        count = items.count
        self.totalCount = totalCount
    }

    enum CodingKeys: String, CodingKey {
        case items, count
        case totalCount = "total_count"
    }
}

/// `GET /api/memory/stats`: counts of the items the caller sees.
public struct MemoryStats: Codable, Sendable, Equatable {
    public var total: Int
    public var byStatus: [String: Int]
    public var categories: [String]
    public var byCategory: [String: Int]
    public var byDomain: [String: Int]

    public init(total: Int, byStatus: [String: Int], byCategory: [String: Int], byDomain: [String: Int]) {
        self.total = total
        self.byStatus = byStatus
        categories = byCategory.keys.sorted()
        self.byCategory = byCategory
        self.byDomain = byDomain
    }

    enum CodingKeys: String, CodingKey {
        case total, categories
        case byStatus = "by_status"
        case byCategory = "by_category"
        case byDomain = "by_domain"
    }
}

/// `GET /api/memory/bundle`: every mandatory item, then approved ones while they fit the token budget.
public struct MemoryBundle: Codable, Sendable, Equatable {
    public var mandatory: [KnowledgeListing]
    public var approved: [KnowledgeListing]
    public var tokenEstimate: Int
    public var tokenBudget: Int

    public init(mandatory: [KnowledgeListing], approved: [KnowledgeListing], tokenEstimate: Int, tokenBudget: Int) {
        self.mandatory = mandatory
        self.approved = approved
        self.tokenEstimate = tokenEstimate
        self.tokenBudget = tokenBudget
    }

    enum CodingKeys: String, CodingKey {
        case mandatory, approved
        case tokenEstimate = "token_estimate"
        case tokenBudget = "token_budget"
    }
}

/// `POST /api/memory/{id}/vote`: 1, -1, or 0 to withdraw.
public struct VoteRequest: Codable, Sendable, Equatable {
    public var vote: Int

    public init(vote: Int) {
        self.vote = vote
    }
}

/// The item's totals after a vote.
public struct VoteResult: Codable, Sendable, Equatable {
    public var upvotes: Int
    public var downvotes: Int
    public var score: Int
    public var myVote: Int

    public init(counts: VoteCounts, myVote: Int) {
        upvotes = counts.upvotes
        downvotes = counts.downvotes
        score = counts.score
        self.myVote = myVote
    }

    enum CodingKeys: String, CodingKey {
        case upvotes, downvotes, score
        case myVote = "my_vote"
    }
}

/// A reviewer's decision: upstream's action names, and ours.
public enum ReviewAction: String, Codable, Sendable, CaseIterable {
    case approve, mandate, reject, revoke, archive

    /// The status the item gets.
    public var status: KnowledgeStatus {
        switch self {
        case .approve: .approved
        case .mandate: .mandatory
        case .reject: .rejected
        case .revoke, .archive: .archived
        }
    }
}

/// The body of `POST /api/memory/admin/{action}?item_id=`.
public struct ReviewRequest: Codable, Sendable, Equatable {
    /// Why, for the audit trail.
    public var reason: String?
    /// For `mandate`: `all` or `group:<group name>`.
    public var audience: String?

    public init(reason: String? = nil, audience: String? = nil) {
        self.reason = reason
        self.audience = audience
    }
}

/// The answer of a review action.
public struct ReviewResult: Codable, Sendable, Equatable {
    public var id: String
    public var status: String

    public init(id: String, status: String) {
        self.id = id
        self.status = status
    }
}
