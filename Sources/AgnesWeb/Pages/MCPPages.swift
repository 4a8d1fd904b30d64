// The MCP pages: the consent page an MCP client's OAuth flow sends the signed-in user to (allow or deny, through
// `MCPAuthorization`), and the administrators' list of registered MCP clients, with who authorized each and its last
// use, where a client's tokens are revoked.
import AgnesAPI
import AgnesDomain
import Foundation

extension WebUI {
    /// `/api/mcp/oauth/consent?pending=…`.
    public func mcpConsent(_ request: PageRequest) async throws -> WebAnswer {
        let id = request.query["pending"] ?? ""
        let pending = try domain.mcpAuthorization.pending(id)
        let chrome = try await chrome(request, section: "tokens")
        let redirect = URL(string: pending.redirectURI)
        return renderer.page("mcp_consent", title: "Connect \(pending.clientName)", values: [
            "pending": id, "client": pending.clientName, "redirect_host": redirect?.host ?? redirect?.scheme ?? pending.redirectURI,
            "email": request.caller.identity.user.email, "is_admin": request.caller.identity.isAdmin,
        ], chrome: chrome)
    }

    /// The consent form's answer: where to send the browser (back to the client).
    public func decideMCPConsent(_ fields: [String: String], for caller: Caller) throws -> String {
        try domain.mcpAuthorization.decide(fields["pending"] ?? "", approve: fields["decision"] == "allow", for: caller)
    }

    /// `/admin/mcp`.
    public func mcpClients(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        let clients: [[String: Any]] = try await domain.mcpAuthorization.clients(for: request.caller).map { client in
            ["id": client.clientId, "name": client.name, "registered": Self.time(client.registeredAt), "from": client.registeredFrom ?? "—",
             "users": client.users.isEmpty ? "—" : client.users.joined(separator: ", "), "tokens": client.activeTokens,
             "last_used": Self.time(client.lastUsedAt), "redirects": client.redirectURIs.joined(separator: " "), "has_tokens": client.activeTokens > 0]
        }
        return renderer.page("admin_mcp", title: "MCP clients", values: ["clients": clients, "mcp_url": domain.mcpAuthorization.resource],
                             chrome: chrome)
    }

    /// Revokes every token of an MCP client.
    public func revokeMCPClient(_ id: String, for caller: Caller) async throws -> String {
        let revoked = try await domain.mcpAuthorization.revokeClient(id, for: caller)
        return "Revoked \(revoked.tokensRevoked) token\(revoked.tokensRevoked == 1 ? "" : "s") of the MCP client."
    }
}
