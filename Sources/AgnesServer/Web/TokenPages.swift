// The signed-in user's personal access tokens: list, create (the token is shown once, on the page that answers the
// form, never put in a URL), revoke — through `TokenService`, as the API.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation
import Hummingbird

extension WebPages {
    func registerTokens(on pages: RouterGroup<AgnesRequestContext>) {
        pages.get("/tokens") { request, context in try await tokensPage(request, context, created: nil) }
        pages.post("/tokens") { request, context in
            let fields = try await form(request, context)
            do {
                let days = Int(fields["days"] ?? "") ?? TokenService.defaultDays
                let created = try await services.tokenService.create(CreateTokenRequest(name: fields["name"] ?? "", expiresInDays: .some(days)),
                                                                     for: try context.caller())
                return try await tokensPage(request, context, created: (created.name, created.token))
            } catch let error as ServiceError {
                return Self.redirect("/tokens", error: error.detail)
            }
        }
        pages.post("/tokens/{id}/revoke") { request, context in
            _ = try await form(request, context)
            return try await act(back: "/tokens") {
                try await services.tokenService.revokeMine(try context.pathParameter("id"), for: try context.caller())
                return "Token revoked."
            }
        }
    }

    func tokensPage(_ request: Request, _ context: AgnesRequestContext, created: (name: String, token: String)?) async throws -> Response {
        var chrome = try await chrome(request, context, section: "tokens")
        let identity = try context.requireIdentity()
        if created != nil { chrome.notice = "Token created." }
        let tokens: [[String: Any]] = try await services.personalAccessTokens.list(userId: identity.user.id).map {
            ["id": $0.id, "name": $0.name, "prefix": $0.prefix, "created": Self.time($0.createdAt),
             "expires": $0.expiresAt.map { Self.time($0) } ?? "never", "last_used": Self.time($0.lastUsedAt), "revoked": $0.revokedAt != nil]
        }
        return renderer.page("tokens", title: "Tokens", values: [
            "tokens": tokens, "has_new_token": created != nil, "new_name": created?.name ?? "", "new_token": created?.token ?? "",
            "server_url": services.configuration.serverURL,
        ], chrome: chrome)
    }
}
