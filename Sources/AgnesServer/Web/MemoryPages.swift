// Corporate memory pages: list and search with voting and proposing, and the reviewers' queue — through
// `MemoryService`, the same use cases (visibility, review rules, audit) as `/api/memory`.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation
import Hummingbird

extension WebPages {
    var memory: MemoryService { services.domain.memory }

    func registerMemory(on pages: RouterGroup<AgnesRequestContext>) {
        pages.get("/memory") { request, context in try await memoryPage(request, context) }
        pages.post("/memory") { request, context in try await propose(request, context) }
        pages.post("/memory/{id}/vote") { request, context in try await voteForm(request, context) }
        pages.get("/memory/review") { request, context in try await reviewPage(request, context) }
        pages.post("/memory/{id}/review") { request, context in try await reviewForm(request, context) }
    }

    func memoryPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await chrome(request, context, section: "memory")
        let parameters = request.uri.queryParameters
        let query = (parameters.get("q") ?? "").trimmingCharacters(in: .whitespaces)
        let status = parameters.get("status").flatMap { $0.isEmpty ? nil : KnowledgeStatus(rawValue: $0) }
        let number = max(1, Int(parameters.get("page") ?? "") ?? 1)
        let page = try await memory.list(.init(status: parameters.get("status"), search: query, page: number, perPage: Self.memoryPageSize),
                                         for: try context.caller())
        let mode = page.searchMode.map { $0 == "fts" ? "best match first" : "text contains" }
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
        if let mode { values["search_mode"] = mode }
        return renderer.page("memory", title: "Corporate memory", values: values, chrome: chrome)
    }

    static let memoryPageSize = 50

    /// The start of an item's text for a list.
    static func excerpt(_ text: String?) -> String {
        guard let text else { return "" }
        return text.count > 300 ? String(text.prefix(299)) + "…" : text
    }

    func propose(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let fields = try await form(request, context)
        return try await act(back: "/memory") {
            let body = KnowledgeDraftRequest(title: fields["title"], content: fields["content"].flatMap { $0.isEmpty ? nil : $0 },
                                             category: fields["category"], tags: fields["tags"].map { $0.split(separator: ",").map(String.init) })
            let listing: KnowledgeListing
            do { listing = try await memory.propose(body, for: try context.caller()) } catch let error as ServiceError
                where error.status == .unprocessableContent {
                throw ServiceError.badRequest(error.fieldErrors?.first?.loc.last == "tags" ? error.detail : "A title is required")
            }
            context.audit.add(params: ["via": "web"])
            return "Proposed “\(listing.item.title)”; reviewers will see it in their queue."
        }
    }

    func voteForm(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let fields = try await form(request, context)
        return try await act(back: "/memory") {
            guard let vote = Int(fields["vote"] ?? "") else { throw ServiceError.badRequest("vote must be 1, -1 or 0") }
            let caller = try context.caller()
            let id = try context.pathParameter("id")
            _ = try await memory.vote(id, VoteRequest(vote: vote), for: caller)
            return "Vote recorded for “\(try await memory.item(id, for: caller).item.title)”."
        }
    }

    func reviewPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await chrome(request, context, section: "review")
        let queue = try await memory.reviewQueue(limit: 50, for: try context.caller())
        let items: [[String: Any]] = queue.items.map { listing in
            ["id": listing.item.id, "title": listing.item.title, "content": listing.item.content ?? "", "category": listing.item.category ?? "none",
             "upvotes": listing.upvotes, "downvotes": listing.downvotes]
        }
        return renderer.page("review", title: "Review queue", values: ["items": items, "count": queue.total, "shown": items.count], chrome: chrome)
    }

    func reviewForm(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let fields = try await form(request, context)
        return try await act(back: "/memory/review") {
            let id = try context.pathParameter("id")
            guard let action = fields["action"].flatMap(ReviewAction.init(rawValue:)) else { throw ServiceError.badRequest("Unknown review action") }
            let result = try await memory.review(id, action, ReviewRequest(reason: fields["reason"] ?? ""), for: try context.caller())
            let title = try await KnowledgeRepository(store: services.state).get(id: id)?.title ?? id
            return "“\(title)” is now \(result.status)."
        }
    }
}
