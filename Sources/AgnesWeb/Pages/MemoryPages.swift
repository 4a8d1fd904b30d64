// Corporate memory pages: list and search with voting and proposing, and the reviewers' queue — through
// `MemoryService`, the same use cases (visibility, review rules, audit) as `/api/memory`.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation

extension WebUI {
    static let memoryPageSize = 50

    /// `/memory?q=&status=&page=`.
    public func memory(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await chrome(request, section: "memory")
        let query = (request.query["q"] ?? "").trimmingCharacters(in: .whitespaces)
        let status = request.query["status"].flatMap { $0.isEmpty ? nil : KnowledgeStatus(rawValue: $0) }
        let number = max(1, Int(request.query["page"] ?? "") ?? 1)
        let page = try await domain.memory.list(.init(status: request.query["status"], search: query, page: number, perPage: Self.memoryPageSize),
                                                for: request.caller)
        let items: [[String: Any]] = page.items.map { listing in
            let item = listing.item
            return ["id": item.id, "title": item.title, "content": Self.excerpt(item.content),
                    "status": item.status.rawValue, "category": item.category ?? "", "has_tags": !item.tags.isEmpty,
                    "tags": item.tags.joined(separator: ", "), "upvotes": listing.upvotes, "downvotes": listing.downvotes,
                    "voted_up": listing.myVote == 1, "voted_down": listing.myVote == -1,
                    // Pressing your current vote again withdraws it.
                    "up_value": listing.myVote == 1 ? 0 : 1, "down_value": listing.myVote == -1 ? 0 : -1]
        }
        let statuses: [[String: Any]] = ([("", "any status")] + KnowledgeStatus.allCases.map { ($0.rawValue, $0.rawValue) }).map {
            ["value": $0.0, "label": $0.1, "selected": $0.0 == (status?.rawValue ?? "")]
        }
        var values: [String: Any] = ["items": items, "total": page.totalCount, "query": query, "statuses": statuses]
        // Links to the neighbouring pages keep the search and the status.
        func link(_ target: Int) -> String {
            var components = URLComponents()
            components.path = "/memory"
            components.queryItems = [URLQueryItem(name: "q", value: query), URLQueryItem(name: "status", value: status?.rawValue ?? ""),
                                     URLQueryItem(name: "page", value: String(target))]
            return components.string ?? "/memory"
        }
        let pages = page.totalPages
        values["has_pages"] = pages > 1
        values["page_label"] = "page \(number) of \(max(pages, 1))"
        if number > 1 { values["previous_link"] = link(number - 1) }
        if number < pages { values["next_link"] = link(number + 1) }
        if let mode = page.searchMode { values["search_mode"] = mode == "fts" ? "best match first" : "text contains" }
        return renderer.page("memory", title: "Corporate memory", values: values, chrome: chrome)
    }

    /// The start of an item's text for a list.
    static func excerpt(_ text: String?) -> String {
        guard let text else { return "" }
        return text.count > 300 ? String(text.prefix(299)) + "…" : text
    }

    /// The proposal form: title, content, category, tags (comma-separated).
    public func propose(_ fields: [String: String], for caller: Caller) async throws -> String {
        let body = KnowledgeDraftRequest(title: fields["title"], content: fields["content"].flatMap { $0.isEmpty ? nil : $0 },
                                         category: fields["category"], tags: fields["tags"].map { $0.split(separator: ",").map(String.init) })
        let listing: KnowledgeListing
        do { listing = try await domain.memory.propose(body, for: caller) } catch let error as ServiceError where error.status == .unprocessableContent {
            throw ServiceError.badRequest(error.fieldErrors?.first?.loc.last == "tags" ? error.detail : "A title is required")
        }
        caller.audit.add(params: ["via": "web"])
        return "Proposed “\(listing.item.title)”; reviewers will see it in their queue."
    }

    /// The vote buttons of item `id`.
    public func vote(_ id: String, _ fields: [String: String], for caller: Caller) async throws -> String {
        guard let vote = Int(fields["vote"] ?? "") else { throw ServiceError.badRequest("vote must be 1, -1 or 0") }
        _ = try await domain.memory.vote(id, VoteRequest(vote: vote), for: caller)
        return "Vote recorded for “\(try await domain.memory.item(id, for: caller).item.title)”."
    }

    /// `/memory/review`: the first 50 items of the reviewer's queue.
    public func reviewQueue(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await chrome(request, section: "review")
        let queue = try await domain.memory.reviewQueue(limit: 50, for: request.caller)
        let items: [[String: Any]] = queue.items.map { listing in
            ["id": listing.item.id, "title": listing.item.title, "content": listing.item.content ?? "", "category": listing.item.category ?? "none",
             "upvotes": listing.upvotes, "downvotes": listing.downvotes]
        }
        return renderer.page("review", title: "Review queue", values: ["items": items, "count": queue.total, "shown": items.count], chrome: chrome)
    }

    /// A reviewer's decision on item `id` (fields `action`, `reason`).
    public func review(_ id: String, _ fields: [String: String], for caller: Caller) async throws -> String {
        guard let action = fields["action"].flatMap(ReviewAction.init(rawValue:)) else { throw ServiceError.badRequest("Unknown review action") }
        let result = try await domain.memory.review(id, action, ReviewRequest(reason: fields["reason"] ?? ""), for: caller)
        let title = (try? await domain.memory.item(id, for: caller))?.item.title ?? id
        return "“\(title)” is now \(result.status)."
    }
}
