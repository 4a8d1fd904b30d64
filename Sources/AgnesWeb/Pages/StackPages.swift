// `/stack`: the data packages and memory domains an analyst's groups are granted, as cards — what each holds, whether
// it is in their stack and downloaded by `agnes pull` — with subscribe and leave buttons (through `StackService`,
// the same use case as `/api/stack`).
import AgnesAPI
import AgnesDomain
import Foundation

extension WebUI {
    /// `/stack`.
    public func stack(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await chrome(request, section: "stack")
        let listing = try await domain.stack.listing(type: nil, browse: true, for: request.caller)
        func cards(_ type: StackItemType) -> [[String: Any]] {
            listing.items.filter { $0.type == type }.sorted { ($0.name, $0.id) < ($1.name, $1.id) }.map { item in
                var card: [String: Any] = [
                    "id": item.id, "type": item.type.rawValue, "slug": item.slug, "name": item.name, "description": item.description ?? "",
                    "icon": item.icon ?? "", "color": Self.cssColor(item.color), "category": item.category ?? "", "tags": item.tags,
                    "status": item.status?.rawValue ?? "", "required": item.requirement == .required, "subscribed": item.subscribed,
                    "in_stack": item.inStack, "materialized": item.materialized, "tables": item.tables, "items_count": item.itemsCount,
                    "size": Self.bytes(item.sizeBytes),
                ]
                card["can_subscribe"] = item.requirement != .required && !item.subscribed
                card["can_leave"] = item.requirement != .required && item.subscribed
                return card
            }
        }
        return renderer.page("stack", title: "Data packages", values: [
            "packages": cards(.dataPackage), "domains": cards(.memoryDomain), "auto": listing.mode == .auto,
        ], chrome: chrome)
    }

    /// The subscribe and leave buttons of a card.
    public func setSubscribed(_ type: String, _ id: String, _ subscribed: Bool, for caller: Caller) async throws -> String {
        do {
            if subscribed {
                _ = try await domain.stack.subscribe(StackSubscribeRequest(resourceType: type, resourceId: id), for: caller)
                return "Subscribed: `agnes pull` downloads it from now on."
            }
            try await domain.stack.unsubscribe(type: type, id: id, for: caller)
            return "Left: the next `agnes pull` removes what it no longer downloads."
        } catch var error as ServiceError {
            // The API answers with upstream's codes; the page says them in words.
            error.detail = switch error.detail {
            case "no_grant": "None of your groups is granted this."
            case "already_required", "cannot_remove_required": "One of your groups requires this: it is always in your stack."
            default: error.detail
            }
            throw error
        }
    }

    /// A card's color only when it is a plain CSS color (`#2f6fdf`, `teal`), never anything that could leave the attribute.
    static func cssColor(_ color: String?) -> String {
        guard let color, color.range(of: "^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,20})$", options: .regularExpression) != nil else { return "" }
        return color
    }

    static func bytes(_ count: Int64) -> String {
        ByteCountFormatter.string(fromByteCount: count, countStyle: .file)
    }
}
