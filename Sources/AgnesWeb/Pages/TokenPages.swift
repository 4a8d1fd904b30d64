// The signed-in user's personal access tokens: list, create (the token is shown once, on the page that answers the
// form, never put in a URL), revoke — through `TokenService`, as the API.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation

extension WebUI {
    /// `/tokens`, with the token just created (`created`) shown once.
    public func tokensPage(_ request: PageRequest, created: CreatedToken? = nil) async throws -> WebAnswer {
        var chrome = try await chrome(request, section: "tokens")
        if created != nil { chrome.notice = "Token created." }
        let list: [[String: Any]] = try await tokens.mine(for: request.caller).map {
            ["id": $0.id, "name": $0.name, "prefix": $0.prefix, "created": Self.time($0.createdAt),
             "expires": $0.expiresAt.map { Self.time($0) } ?? "never", "last_used": Self.time($0.lastUsedAt), "revoked": $0.revokedAt != nil]
        }
        return renderer.page("tokens", title: "Tokens", values: [
            "tokens": list, "has_new_token": created != nil, "new_name": created?.name ?? "", "new_token": created?.token ?? "",
            "server_url": domain.settings.serverURL,
        ], chrome: chrome)
    }

    /// The creation form (fields `name`, `days`): the page showing the new token.
    public func createToken(_ fields: [String: String], _ request: PageRequest) async throws -> WebAnswer {
        let days = Int(fields["days"] ?? "") ?? TokenService.defaultDays
        let created = try await tokens.create(CreateTokenRequest(name: fields["name"] ?? "", expiresInDays: .some(days)), for: request.caller)
        return try await tokensPage(request, created: created)
    }

    /// Revokes one of the caller's tokens.
    public func revokeToken(_ id: String, for caller: Caller) async throws -> String {
        try await tokens.revokeMine(id, for: caller)
        return "Token revoked."
    }
}
