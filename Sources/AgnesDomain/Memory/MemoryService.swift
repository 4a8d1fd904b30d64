// Corporate memory: anyone signed in proposes items, edits their own, votes +1/−1 (one vote each, changeable,
// withdrawable with 0) and searches (BM25 with DuckDB's `fts`, `ILIKE` without it); reviewers — administrators, or
// holders of a `knowledge_category` grant on the item's category — approve, make mandatory, reject or archive, each
// with a reason that goes into the audit trail. The bundle hands workspaces the mandatory and approved items as rules.
import AgnesAPI
import AgnesState
import Foundation

/// The use cases of corporate memory.
public struct MemoryService: Sendable {
    let domain: Domain

    public static let defaultPageSize = 50
    public static let maximumPageSize = 200
    /// Upstream's bundle budget, in tokens (≈ characters / 4); mandatory items are always included.
    public static let bundleTokenBudget = 6_000
    /// Upstream's domains.
    public static let domains: Set<String> = ["finance", "engineering", "product", "data", "operations", "infrastructure"]

    var repository: KnowledgeRepository { KnowledgeRepository(store: domain.state) }

    /// What to list: filters, an optional text search, and the page.
    public struct Listing: Sendable {
        public var status: String?
        public var category: String?
        public var domain: String?
        public var tag: String?
        public var search: String?
        public var page: Int
        public var perPage: Int

        public init(status: String? = nil, category: String? = nil, domain: String? = nil, tag: String? = nil, search: String? = nil,
                    page: Int = 1, perPage: Int = MemoryService.defaultPageSize) {
            self.status = status
            self.category = category
            self.domain = domain
            self.tag = tag
            self.search = search
            self.page = page
            self.perPage = perPage
        }
    }

    // MARK: - Who sees what

    func viewer(_ identity: Identity) async throws -> KnowledgeViewer {
        let memberships = try await domain.grants(ofUser: identity.user.id).memberships
        return KnowledgeViewer(userId: identity.user.id, groupNames: memberships.map(\.groupName), isAdmin: identity.isAdmin)
    }

    /// Whether `identity` may review items of `category` (admins; holders of a `knowledge_category` grant on it).
    public func mayReview(_ category: String?, _ identity: Identity) async throws -> Bool {
        if identity.isAdmin { return true }
        guard let category else { return false }
        return try await domain.access.isGranted(.knowledgeCategory, category, to: identity)
    }

    /// Whether `identity` reviews any category.
    public func isReviewer(_ identity: Identity) async throws -> Bool {
        try await reviewedCategories(identity).map { !$0.isEmpty } ?? true
    }

    /// The categories `identity` reviews (nil: all of them).
    func reviewedCategories(_ identity: Identity) async throws -> [String]? {
        if identity.isAdmin { return nil }
        return try await domain.grants(ofUser: identity.user.id).grants.filter { $0.resourceType == .knowledgeCategory }.map(\.resourceId)
    }

    /// The item as the caller sees it: 404 `Knowledge item not found` when it does not exist or is not theirs to see.
    public func item(_ id: String, for caller: Caller) async throws -> KnowledgeListing {
        guard let listing = try await repository.listing(id: id, viewer: try await viewer(caller.identity)) else {
            throw ServiceError.notFound("Knowledge item not found")
        }
        return listing
    }

    // MARK: - Reading

    /// `status_filter` accepts ours (`proposed`, `archived`) and upstream's names (`pending`, `revoked`).
    static func status(_ text: String?) throws -> KnowledgeStatus? {
        guard let text, !text.isEmpty else { return nil }
        switch text {
        case "pending": return .proposed
        case "revoked": return .archived
        default:
            guard let status = KnowledgeStatus(rawValue: text) else {
                throw ServiceError.badRequest("Unknown status '\(text)'. Known: \(KnowledgeStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return status
        }
    }

    static func checkPage(_ page: Int, _ perPage: Int) throws {
        guard page >= 1 else { throw ServiceError.badRequest("page must be a positive integer") }
        guard (1...maximumPageSize).contains(perPage) else { throw ServiceError.badRequest("per_page must be between 1 and \(maximumPageSize)") }
    }

    /// A page of the items the caller sees, filtered, searched (best hits first) or newest first.
    public func list(_ listing: Listing, for caller: Caller) async throws -> MemoryPage {
        try Self.checkPage(listing.page, listing.perPage)
        var filter = KnowledgeFilter(status: try Self.status(listing.status), category: listing.category, domain: listing.domain, tag: listing.tag)
        var ranking: [String]?
        var mode: String?
        if let text = listing.search?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            ranking = try await search(text, into: &filter)
            mode = ranking == nil ? "ilike" : "fts"
        }
        let result = try await repository.page(filter, viewer: try await viewer(caller.identity), ranking: ranking,
                                               offset: (listing.page - 1) * listing.perPage, limit: listing.perPage)
        return MemoryPage(items: result.items, page: listing.page, perPage: listing.perPage, totalCount: result.total, searchMode: mode)
    }

    /// Adds a text search to `filter`: the full-text index's hits (returned as the ranking, best first), or `ILIKE`
    /// when the `fts` extension is not available (no ranking).
    func search(_ text: String, into filter: inout KnowledgeFilter) async throws -> [String]? {
        if let hits = try await domain.knowledgeSearch.matches(text, in: repository) {
            filter.ids = hits
            return hits
        }
        filter.text = text
        return nil
    }

    /// Counts of the items the caller sees.
    public func stats(for caller: Caller) async throws -> MemoryStats {
        let counts = try await repository.stats(viewer: try await viewer(caller.identity))
        return MemoryStats(total: counts.total, byStatus: counts.byStatus, byCategory: counts.byCategory, byDomain: counts.byDomain)
    }

    /// The caller's votes by item id.
    public func myVotes(for caller: Caller) async throws -> [String: Int] {
        try await repository.votes(ofUser: caller.identity.user.id)
    }

    /// The first `limit` proposed items in the categories the caller reviews (or in `category`), oldest first, and how
    /// many there are; 403 for non-reviewers.
    public func reviewQueue(category requested: String? = nil, limit: Int, for caller: Caller) async throws -> (items: [KnowledgeListing], total: Int) {
        let reviewed = try await reviewedCategories(caller.identity)
        if let reviewed, reviewed.isEmpty { throw ServiceError(.forbidden, "Reviewer access required") }
        if let requested, let reviewed, !reviewed.contains(requested) {
            throw ServiceError(.forbidden, "Reviewing category '\(requested)' is not permitted")
        }
        let viewer = try await viewer(caller.identity)
        let categories: [String?]
        if let requested { categories = [requested] } else if let reviewed { categories = reviewed } else { categories = [nil] }
        var items: [KnowledgeListing] = []
        var total = 0
        for category in categories {
            let page = try await repository.page(KnowledgeFilter(status: .proposed, category: category), viewer: viewer, oldestFirst: true,
                                                 offset: 0, limit: limit)
            items += page.items
            total += page.total
        }
        items.sort { ($0.item.createdAt, $0.item.id) < ($1.item.createdAt, $1.item.id) }
        return (Array(items.prefix(limit)), total)
    }

    /// One page of the review queue.
    public func pending(category: String?, page: Int, perPage: Int, for caller: Caller) async throws -> ReviewQueuePage {
        try Self.checkPage(page, perPage)
        let queue = try await reviewQueue(category: category, limit: page * perPage, for: caller)
        return ReviewQueuePage(items: Array(queue.items.dropFirst((page - 1) * perPage)), totalCount: queue.total)
    }

    /// Every mandatory item, then approved ones by score and recency while they fit the budget; kept per reader until
    /// the next write or vote (`agnes pull` asks for it every time).
    public func bundle(for caller: Caller, domain slug: String? = nil) async throws -> MemoryBundle {
        let viewer = try await viewer(caller.identity)
        let key = [viewer.userId, viewer.groupNames.sorted().joined(separator: "\u{1F}"), String(viewer.isAdmin), slug ?? "",
                   String(domain.voteGeneration.current)].joined(separator: "\u{1E}")
        return try await domain.memoryBundles.value(for: key) { try await makeBundle(for: caller, viewer: viewer, domain: slug) }
    }

    private func makeBundle(for caller: Caller, viewer: KnowledgeViewer, domain slug: String?) async throws -> MemoryBundle {
        var listings = try await repository.bundle(viewer: viewer)
        if let slug {
            // One memory domain of the caller's stack; any other (unknown, deleted, not granted) is not found.
            let held = try await domain.access.stack(for: caller.identity).domains
            guard let found = try await domain.packageCatalog().domains.first(where: { $0.slug == slug && !$0.isDeleted }),
                  held[found.id]?.inStack == true else {
                throw ServiceError.notFound("Memory domain '\(slug)' not found")
            }
            let items = Set(found.items)
            listings.removeAll { !items.contains($0.item.id) }
        }
        func tokens(_ listing: KnowledgeListing) -> Int { (listing.item.title.count + (listing.item.content?.count ?? 0)) / 4 }
        let mandatory = listings.filter { $0.item.status == .mandatory }.sorted { ($0.item.title, $0.item.id) < ($1.item.title, $1.item.id) }
        var estimate = mandatory.reduce(0) { $0 + tokens($1) }
        var approved: [KnowledgeListing] = []
        let ranked = listings.filter { $0.item.status == .approved }.sorted { lhs, rhs in
            (lhs.score, lhs.item.confidence ?? 0.5, lhs.item.updatedAt, lhs.item.id) > (rhs.score, rhs.item.confidence ?? 0.5, rhs.item.updatedAt, rhs.item.id)
        }
        for listing in ranked where estimate + tokens(listing) <= Self.bundleTokenBudget {
            approved.append(listing)
            estimate += tokens(listing)
        }
        return MemoryBundle(mandatory: mandatory, approved: approved, tokenEstimate: estimate, tokenBudget: Self.bundleTokenBudget)
    }

    // MARK: - Writing

    /// The draft, over `base` for the fields not given; 400/422 for bad values (more than `maximumListItems` tags too).
    public func draft(_ request: KnowledgeDraftRequest, over base: KnowledgeDraft? = nil) throws -> KnowledgeDraft {
        var draft = base ?? KnowledgeDraft(title: "", sourceType: "manual", confidence: 0.5)
        if let title = request.title { draft.title = title }
        guard !draft.title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ServiceError.unprocessable([FieldError(type: "missing", loc: ["body", "title"], msg: "Field required")])
        }
        guard draft.title.count <= 300 else { throw ServiceError.badRequest("title is longer than 300 characters") }
        if let content = request.content { draft.content = content }
        guard (draft.content?.utf8.count ?? 0) <= 100_000 else { throw ServiceError.badRequest("content is longer than 100,000 bytes") }
        if let category = request.category { draft.category = category.isEmpty ? nil : category }
        if let domain = request.domain {
            guard domain.isEmpty || Self.domains.contains(domain) else {
                throw ServiceError.badRequest("Invalid domain '\(domain)'. Must be one of: \(Self.domains.sorted().joined(separator: ", "))")
            }
            draft.domain = domain.isEmpty ? nil : domain
        }
        if let tags = request.tags {
            try ServiceError.checkListSize(tags.count, field: "tags", maximum: self.domain.settings.maximumListItems)
            draft.tags = Array(Set(tags.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
        }
        if let audience = request.audience {
            try Self.checkAudience(audience, allowEmpty: true)
            draft.audience = audience.isEmpty ? nil : audience
        }
        if let sensitivity = request.sensitivity { draft.sensitivity = sensitivity }
        if let sourceType = request.sourceType { draft.sourceType = sourceType }
        if let sourceRef = request.sourceRef { draft.sourceRef = sourceRef }
        if let confidence = request.confidence {
            guard (0...1).contains(confidence) else { throw ServiceError.badRequest("confidence is between 0 and 1") }
            draft.confidence = confidence
        }
        return draft
    }

    static func checkAudience(_ audience: String, allowEmpty: Bool) throws {
        guard allowEmpty && audience.isEmpty || audience == "all" || audience.hasPrefix("group:") else {
            throw ServiceError.badRequest("audience is 'all' or 'group:<group name>'")
        }
    }

    /// Proposes a new item (status `proposed`, the caller its first contributor).
    public func propose(_ request: KnowledgeDraftRequest, for caller: Caller) async throws -> KnowledgeListing {
        let item = try await repository.propose(try draft(request), by: caller.identity.user.id)
        caller.audit.record("corporate_memory.create", resource: "knowledge:\(item.id)", params: ["category": item.category ?? ""])
        return try await self.item(item.id, for: caller)
    }

    /// Changes the given fields (contributors and reviewers); an approved or mandatory item goes back to `proposed`.
    public func edit(_ id: String, _ request: KnowledgeDraftRequest, for caller: Caller) async throws -> KnowledgeListing {
        let existing = try await item(id, for: caller).item
        guard try await mayReview(existing.category, caller.identity) || existing.contributors.contains(caller.identity.user.id) else {
            throw ServiceError(.forbidden, "Only contributors and reviewers may edit this item")
        }
        let item = try await repository.edit(id: existing.id, try draft(request, over: KnowledgeDraft(existing)), by: caller.identity.user.id)
        caller.audit.record("corporate_memory.edit", resource: "knowledge:\(item.id)", params: ["status": item.status.rawValue])
        return try await self.item(item.id, for: caller)
    }

    /// Votes +1 or −1, or withdraws the vote (0).
    public func vote(_ id: String, _ request: VoteRequest, for caller: Caller) async throws -> VoteResult {
        let item = try await item(id, for: caller).item
        let userId = caller.identity.user.id
        switch request.vote {
        case 1, -1: try await repository.vote(itemId: item.id, userId: userId, vote: request.vote)
        case 0: try await repository.withdrawVote(itemId: item.id, userId: userId)
        default: throw ServiceError.badRequest("vote must be 1, -1 or 0 (withdraw)")
        }
        domain.voteGeneration.advance()
        caller.audit.record("corporate_memory.vote", resource: "knowledge:\(item.id)", params: ["vote": String(request.vote)])
        return VoteResult(counts: try await repository.votes(itemId: item.id), myVote: request.vote)
    }

    /// A reviewer's decision on an item, with the reason in the audit trail.
    public func review(_ id: String, _ action: ReviewAction, _ request: ReviewRequest, for caller: Caller) async throws -> ReviewResult {
        guard let existing = try await repository.get(id: id) else { throw ServiceError.notFound("Knowledge item not found") }
        guard try await mayReview(existing.category, caller.identity) else {
            throw ServiceError(.forbidden, "Reviewing \(existing.category.map { "category '\($0)'" } ?? "uncategorized items") is not permitted")
        }
        if let audience = request.audience, action == .mandate {
            try Self.checkAudience(audience, allowEmpty: false)
            var draft = KnowledgeDraft(existing)
            draft.audience = audience
            _ = try await repository.edit(id: id, draft, by: nil)
        }
        let item = try await repository.review(id: id, status: action.status, by: caller.identity.user.email)
        caller.audit.record("corporate_memory.\(action.rawValue)", resource: "knowledge:\(id)",
                            params: ["reason": request.reason ?? "", "status": item.status.rawValue])
        return ReviewResult(id: item.id, status: item.status.rawValue)
    }
}
