// Corporate memory (upstream paths under `/api/memory`): anyone signed in proposes items, edits their own, votes +1/−1
// (one vote each, changeable, withdrawable with 0) and searches (BM25 with DuckDB's `fts`, `ILIKE` without it);
// reviewers — administrators, or holders of a `knowledge_category` grant on the item's category — approve, make
// mandatory, reject or archive, each with a reason that goes into the audit trail. `GET /api/memory/bundle` hands
// workspaces the mandatory and approved items as rules, with an ETag.
import AgnesAPI
import AgnesDomain
import AgnesState
import Crypto
import Foundation
import HTTPTypes
import Hummingbird

struct MemoryRoutes {
    let services: ServerServices

    static let defaultPageSize = 50
    static let maximumPageSize = 200
    /// Upstream's bundle budget, in tokens (≈ characters / 4); mandatory items are always included.
    static let bundleTokenBudget = 6_000
    /// Upstream's domains.
    static let domains: Set<String> = ["finance", "engineering", "product", "data", "operations", "infrastructure"]

    var repository: KnowledgeRepository { KnowledgeRepository(store: services.state) }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/memory") { request, context in try await list(request, context) }
        router.post("/api/memory") { request, context in try await create(request, context) }
        router.get("/api/memory/stats") { _, context in try await stats(context) }
        router.get("/api/memory/bundle") { request, context in try await bundle(request, context) }
        router.get("/api/memory/my-votes") { _, context in
            try encode(try await repository.votes(ofUser: try context.requireIdentity().user.id))
        }
        router.get("/api/memory/admin/pending") { request, context in try await pending(request, context) }
        for action in ReviewAction.allCases {
            router.post("/api/memory/admin/\(action.rawValue)") { request, context in try await review(action, request, context) }
        }
        router.patch("/api/memory/admin/{id}") { request, context in try await edit(request, context) }
        router.get("/api/memory/{id}") { _, context in try await show(context) }
        router.patch("/api/memory/{id}") { request, context in try await edit(request, context) }
        router.post("/api/memory/{id}/vote") { request, context in try await vote(request, context) }
    }

    // MARK: - Who sees what

    func viewer(_ identity: Identity) async throws -> KnowledgeViewer {
        let memberships = try await services.grants(ofUser: identity.user.id).memberships
        return KnowledgeViewer(userId: identity.user.id, groupNames: memberships.map(\.groupName), isAdmin: identity.isAdmin)
    }

    /// Whether `identity` may review items of `category` (admins; holders of a `knowledge_category` grant on it).
    func mayReview(_ category: String?, _ identity: Identity) async throws -> Bool {
        if identity.isAdmin { return true }
        guard let category else { return false }
        return try await services.domain.access.isGranted(.knowledgeCategory, category, to: identity)
    }

    /// The categories `identity` reviews (nil: all of them).
    func reviewedCategories(_ identity: Identity) async throws -> [String]? {
        if identity.isAdmin { return nil }
        return try await services.grants(ofUser: identity.user.id).grants.filter { $0.resourceType == .knowledgeCategory }.map(\.resourceId)
    }

    /// The item as the caller sees it: 404 `Knowledge item not found` when it does not exist or is not theirs to see.
    func visibleItem(_ id: String, _ identity: Identity) async throws -> KnowledgeListing {
        guard let listing = try await repository.listing(id: id, viewer: try await viewer(identity)) else {
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

    static func page(_ request: Request) throws -> (page: Int, perPage: Int) {
        let parameters = request.uri.queryParameters
        guard let page = Int(parameters.get("page") ?? "1"), page >= 1 else { throw ServiceError.badRequest("page must be a positive integer") }
        guard let perPage = Int(parameters.get("per_page") ?? "\(defaultPageSize)"), (1...maximumPageSize).contains(perPage) else {
            throw ServiceError.badRequest("per_page must be between 1 and \(maximumPageSize)")
        }
        return (page, perPage)
    }

    struct Page: Encodable {
        let items: [KnowledgeListing]
        let count: Int
        let page: Int
        let per_page: Int
        let total_count: Int
        let total_pages: Int
        let search_mode: String?
    }

    func list(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let parameters = request.uri.queryParameters
        let (page, perPage) = try Self.page(request)
        var filter = KnowledgeFilter(status: try Self.status(parameters.get("status_filter") ?? parameters.get("status")),
                                     category: parameters.get("category"), domain: parameters.get("domain"), tag: parameters.get("tag"))
        var ranking: [String]?
        var mode: String?
        if let text = (parameters.get("search") ?? parameters.get("q"))?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            ranking = try await search(text, into: &filter)
            mode = ranking == nil ? "ilike" : "fts"
        }
        let result = try await repository.page(filter, viewer: try await viewer(identity), ranking: ranking,
                                               offset: (page - 1) * perPage, limit: perPage)
        return try encode(Page(items: result.items, count: result.items.count, page: page, per_page: perPage, total_count: result.total,
                               total_pages: (result.total + perPage - 1) / perPage, search_mode: mode))
    }

    /// Adds a text search to `filter`: the full-text index's hits (returned as the ranking, best first), or `ILIKE`
    /// when the `fts` extension is not available (no ranking).
    func search(_ text: String, into filter: inout KnowledgeFilter) async throws -> [String]? {
        if let hits = try await services.knowledgeSearch.matches(text, in: repository) {
            filter.ids = hits
            return hits
        }
        filter.text = text
        return nil
    }

    func show(_ context: AgnesRequestContext) async throws -> Response {
        try encode(try await visibleItem(try context.pathParameter("id"), try context.requireIdentity()))
    }

    func stats(_ context: AgnesRequestContext) async throws -> Response {
        let counts = try await repository.stats(viewer: try await viewer(try context.requireIdentity()))
        struct Answer: Encodable { let total: Int; let by_status: [String: Int]; let categories: [String]; let by_category: [String: Int]; let by_domain: [String: Int] }
        return try encode(Answer(total: counts.total, by_status: counts.byStatus, categories: counts.byCategory.keys.sorted(),
                                 by_category: counts.byCategory, by_domain: counts.byDomain))
    }

    /// The first `limit` proposed items in the categories `identity` reviews (or in `category`), oldest first, and how
    /// many there are; 403 for non-reviewers.
    func reviewQueue(_ identity: Identity, category requested: String? = nil, limit: Int) async throws -> (items: [KnowledgeListing], total: Int) {
        let reviewed = try await reviewedCategories(identity)
        if let reviewed, reviewed.isEmpty { throw ServiceError(.forbidden, "Reviewer access required") }
        if let requested, let reviewed, !reviewed.contains(requested) {
            throw ServiceError(.forbidden, "Reviewing category '\(requested)' is not permitted")
        }
        let viewer = try await viewer(identity)
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

    /// `GET /api/memory/admin/pending`: the review queue, in pages.
    func pending(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let (page, perPage) = try Self.page(request)
        let queue = try await reviewQueue(try context.requireIdentity(), category: request.uri.queryParameters.get("category"), limit: page * perPage)
        let slice = Array(queue.items.dropFirst((page - 1) * perPage))
        struct Answer: Encodable { let items: [KnowledgeListing]; let count: Int; let total_count: Int }
        return try encode(Answer(items: slice, count: slice.count, total_count: queue.total))
    }

    /// `{"mandatory": [...], "approved": [...], "token_estimate", "token_budget"}`: every mandatory item, then approved
    /// ones by score and recency while they fit the budget. Strong ETag over the body; `If-None-Match` → 304.
    func bundle(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let listings = try await repository.bundle(viewer: try await viewer(identity))
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
        struct Answer: Encodable { let mandatory: [KnowledgeListing]; let approved: [KnowledgeListing]; let token_estimate: Int; let token_budget: Int }
        let body = try JSONCoding.encoder.encode(Answer(mandatory: mandatory, approved: approved, token_estimate: estimate,
                                                        token_budget: Self.bundleTokenBudget))
        let etag = EntityTag.of(body)
        if request.isCurrent(etag) {
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        var response = body.response(status: .ok)
        response.headers[.eTag] = etag
        return response
    }

    // MARK: - Writing

    struct DraftBody: Decodable {
        var title: String?
        var content: String?
        var category: String?
        var domain: String?
        var tags: [String]?
        var audience: String?
        var sensitivity: String?
        var sourceType: String?
        var sourceRef: String?
        var confidence: Double?

        enum CodingKeys: String, CodingKey {
            case title, content, category, domain, tags, audience, sensitivity, confidence
            case sourceType = "source_type"
            case sourceRef = "source_ref"
        }

        /// The draft, over `base` for the fields not given; 400/422 for bad values (more than `maximumListItems` tags too).
        func draft(over base: KnowledgeDraft? = nil, maximumListItems: Int) throws -> KnowledgeDraft {
            var draft = base ?? KnowledgeDraft(title: "", sourceType: "manual", confidence: 0.5)
            if let title { draft.title = title }
            guard !draft.title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ServiceError.unprocessable([FieldError(type: "missing", loc: ["body", "title"], msg: "Field required")])
            }
            guard draft.title.count <= 300 else { throw ServiceError.badRequest("title is longer than 300 characters") }
            if let content { draft.content = content }
            guard (draft.content?.utf8.count ?? 0) <= 100_000 else { throw ServiceError.badRequest("content is longer than 100,000 bytes") }
            if let category { draft.category = category.isEmpty ? nil : category }
            if let domain {
                guard domain.isEmpty || MemoryRoutes.domains.contains(domain) else {
                    throw ServiceError.badRequest("Invalid domain '\(domain)'. Must be one of: \(MemoryRoutes.domains.sorted().joined(separator: ", "))")
                }
                draft.domain = domain.isEmpty ? nil : domain
            }
            if let tags {
                try ServiceError.checkListSize(tags.count, field: "tags", maximum: maximumListItems)
                draft.tags = Array(Set(tags.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
            }
            if let audience {
                guard audience.isEmpty || audience == "all" || audience.hasPrefix("group:") else {
                    throw ServiceError.badRequest("audience is 'all' or 'group:<group name>'")
                }
                draft.audience = audience.isEmpty ? nil : audience
            }
            if let sensitivity { draft.sensitivity = sensitivity }
            if let sourceType { draft.sourceType = sourceType }
            if let sourceRef { draft.sourceRef = sourceRef }
            if let confidence {
                guard (0...1).contains(confidence) else { throw ServiceError.badRequest("confidence is between 0 and 1") }
                draft.confidence = confidence
            }
            return draft
        }
    }

    func create(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let draft = try await request.decodeJSON(DraftBody.self, context: context).draft(maximumListItems: services.configuration.maximumListItems)
        let item = try await repository.propose(draft, by: identity.user.id)
        context.audit.record("corporate_memory.create", resource: "knowledge:\(item.id)", params: ["category": item.category ?? ""])
        return try JSONCoding.encoder.encode(try await visibleItem(item.id, identity)).response(status: .created)
    }

    /// `PATCH /api/memory/{id}` (a contributor or a reviewer) and `PATCH /api/memory/admin/{id}`: changes the given
    /// fields; an approved or mandatory item goes back to `proposed` for review.
    func edit(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let existing = try await visibleItem(try context.pathParameter("id"), identity).item
        let reviewer = try await mayReview(existing.category, identity)
        guard reviewer || existing.contributors.contains(identity.user.id) else {
            throw ServiceError(.forbidden, "Only contributors and reviewers may edit this item")
        }
        let body = try await request.decodeJSON(DraftBody.self, context: context)
        let draft = try body.draft(over: KnowledgeDraft(existing), maximumListItems: services.configuration.maximumListItems)
        let item = try await repository.edit(id: existing.id, draft, by: identity.user.id)
        context.audit.record("corporate_memory.edit", resource: "knowledge:\(item.id)", params: ["status": item.status.rawValue])
        return try encode(try await visibleItem(item.id, identity))
    }

    func vote(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let item = try await visibleItem(try context.pathParameter("id"), identity).item
        struct Body: Decodable { let vote: Int }
        let body = try await request.decodeJSON(Body.self, context: context)
        switch body.vote {
        case 1, -1: try await repository.vote(itemId: item.id, userId: identity.user.id, vote: body.vote)
        case 0: try await repository.withdrawVote(itemId: item.id, userId: identity.user.id)
        default: throw ServiceError.badRequest("vote must be 1, -1 or 0 (withdraw)")
        }
        context.audit.record("corporate_memory.vote", resource: "knowledge:\(item.id)", params: ["vote": String(body.vote)])
        let counts = try await repository.votes(itemId: item.id)
        struct Answer: Encodable { let upvotes: Int; let downvotes: Int; let score: Int; let my_vote: Int }
        return try encode(Answer(upvotes: counts.upvotes, downvotes: counts.downvotes, score: counts.score, my_vote: body.vote))
    }

    /// Review actions: upstream's names, and ours.
    enum ReviewAction: String, CaseIterable {
        case approve, mandate, reject, revoke, archive

        var status: KnowledgeStatus {
            switch self {
            case .approve: .approved
            case .mandate: .mandatory
            case .reject: .rejected
            case .revoke, .archive: .archived
            }
        }
    }

    /// `POST /api/memory/admin/{action}?item_id=` with `{"reason"?, "audience"?}` → `{"id", "status"}`.
    func review(_ action: ReviewAction, _ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        guard let id = request.uri.queryParameters.get("item_id") else {
            throw ServiceError.unprocessable([FieldError(type: "missing", loc: ["query", "item_id"], msg: "Field required")])
        }
        struct Body: Decodable { let reason: String?; let audience: String? }
        var body = Body(reason: nil, audience: nil)
        var collected = request
        let buffer = try await collected.collectBody(upTo: context.maxUploadSize)
        if buffer.readableBytes > 0 {
            do { body = try JSONCoding.decoder.decode(Body.self, from: Data(buffer: buffer)) } catch {
                throw ServiceError.unprocessable([FieldError(type: "json_invalid", loc: ["body"], msg: "JSON decode error")])
            }
        }
        guard let existing = try await repository.get(id: id) else { throw ServiceError.notFound("Knowledge item not found") }
        guard try await mayReview(existing.category, identity) else {
            throw ServiceError(.forbidden, "Reviewing \(existing.category.map { "category '\($0)'" } ?? "uncategorized items") is not permitted")
        }
        if let audience = body.audience, action == .mandate {
            guard audience == "all" || audience.hasPrefix("group:") else { throw ServiceError.badRequest("audience is 'all' or 'group:<group name>'") }
            var draft = KnowledgeDraft(existing)
            draft.audience = audience
            _ = try await repository.edit(id: id, draft, by: nil)
        }
        let item = try await repository.review(id: id, status: action.status, by: identity.user.email)
        context.audit.record("corporate_memory.\(action.rawValue)", resource: "knowledge:\(id)",
                             params: ["reason": body.reason ?? "", "status": item.status.rawValue])
        struct Answer: Encodable { let id: String; let status: String }
        return try encode(Answer(id: item.id, status: item.status.rawValue))
    }

    func encode(_ value: some Encodable) throws -> Response {
        try JSONCoding.encoder.encode(value).response(status: .ok)
    }
}
