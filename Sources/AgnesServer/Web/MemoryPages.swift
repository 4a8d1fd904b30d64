// Corporate memory pages: list and search with voting and proposing, and the reviewers' queue — through the same
// repository, visibility and review rules as `/api/memory`.
import AgnesDomain
import AgnesState
import Foundation
import Hummingbird

extension WebPages {
    var memoryRoutes: MemoryRoutes { MemoryRoutes(services: services) }

    func registerMemory(on pages: RouterGroup<AgnesRequestContext>) {
        pages.get("/memory") { request, context in try await memoryPage(request, context) }
        pages.post("/memory") { request, context in try await propose(request, context) }
        pages.post("/memory/{id}/vote") { request, context in try await voteForm(request, context) }
        pages.get("/memory/review") { request, context in try await reviewPage(request, context) }
        pages.post("/memory/{id}/review") { request, context in try await reviewForm(request, context) }
    }

    func memoryPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await chrome(request, context, section: "memory")
        let identity = try context.requireIdentity()
        let parameters = request.uri.queryParameters
        let query = (parameters.get("q") ?? "").trimmingCharacters(in: .whitespaces)
        let status = try MemoryRoutes.status(parameters.get("status"))
        var filter = KnowledgeFilter(status: status)
        let ranking = query.isEmpty ? nil : try await memoryRoutes.search(query, into: &filter)
        let mode = query.isEmpty ? nil : ranking == nil ? "text contains" : "best match first"
        let repository = KnowledgeRepository(store: services.state)
        let number = max(1, Int(parameters.get("page") ?? "") ?? 1)
        let page = try await repository.page(filter, viewer: try await memoryRoutes.viewer(identity), ranking: ranking,
                                             offset: (number - 1) * Self.memoryPageSize, limit: Self.memoryPageSize)
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
        var values: [String: Any] = ["items": items, "total": page.total, "query": query, "statuses": statuses]
        // Links to the neighbouring pages keep the search and the status.
        func link(_ target: Int) -> String {
            var components = URLComponents()
            components.path = "/memory"
            components.queryItems = [URLQueryItem(name: "q", value: query), URLQueryItem(name: "status", value: status?.rawValue ?? ""),
                                     URLQueryItem(name: "page", value: String(target))]
            return components.string ?? "/memory"
        }
        let pages = (page.total + Self.memoryPageSize - 1) / Self.memoryPageSize
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
        let identity = try context.requireIdentity()
        return try await act(back: "/memory") {
            let body = MemoryRoutes.DraftBody(title: fields["title"], content: fields["content"].flatMap { $0.isEmpty ? nil : $0 },
                                              category: fields["category"], tags: fields["tags"].map { $0.split(separator: ",").map(String.init) })
            let draft: KnowledgeDraft
            do { draft = try body.draft(maximumListItems: services.configuration.maximumListItems) } catch let error as ServiceError
                where error.status == .unprocessableContent {
                throw ServiceError.badRequest(error.fieldErrors?.first?.loc.last == "tags" ? error.detail : "A title is required")
            }
            let item = try await KnowledgeRepository(store: services.state).propose(draft, by: identity.user.id)
            context.audit.record("corporate_memory.create", resource: "knowledge:\(item.id)", params: ["via": "web"])
            return "Proposed “\(item.title)”; reviewers will see it in their queue."
        }
    }

    func voteForm(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let fields = try await form(request, context)
        let identity = try context.requireIdentity()
        return try await act(back: "/memory") {
            let item = try await memoryRoutes.visibleItem(try context.pathParameter("id"), identity).item
            let repository = KnowledgeRepository(store: services.state)
            switch Int(fields["vote"] ?? "") {
            case let vote? where vote == 1 || vote == -1: try await repository.vote(itemId: item.id, userId: identity.user.id, vote: vote)
            case 0?: try await repository.withdrawVote(itemId: item.id, userId: identity.user.id)
            default: throw ServiceError.badRequest("vote must be 1, -1 or 0")
            }
            context.audit.record("corporate_memory.vote", resource: "knowledge:\(item.id)", params: ["vote": fields["vote"] ?? ""])
            return "Vote recorded for “\(item.title)”."
        }
    }

    func reviewPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await chrome(request, context, section: "review")
        let queue = try await memoryRoutes.reviewQueue(try context.requireIdentity(), limit: 50)
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
            guard let action = fields["action"].flatMap(MemoryRoutes.ReviewAction.init(rawValue:)) else { throw ServiceError.badRequest("Unknown review action") }
            let query = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
            _ = try await apiCall(context, path: "/?item_id=\(query)", json: ["reason": fields["reason"] ?? ""]) { try await memoryRoutes.review(action, $0, $1) }
            let title = try await KnowledgeRepository(store: services.state).get(id: id)?.title ?? id
            return "“\(title)” is now \(action.status.rawValue)."
        }
    }
}
