// Personal access tokens: create (session only; the token is shown once, its SHA-256 stored), list, show and revoke
// one's own; administrators list and revoke everyone's.
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct TokenRoutes {
    let services: ServerServices

    /// Longest lifetime a token may ask for.
    static let maximumDays = 3650
    static let defaultDays = 90
    /// Tokens with the `bootstrap-analyst` scope live at most an hour.
    static let bootstrapScopeLifetime: TimeInterval = 3600

    struct CreateRequest: Decodable {
        var name: String
        /// nil: the field was absent (90 days); `.some(nil)`: explicitly null (no expiry, administrators only).
        var expiresInDays: Int??
        var scope: String?
        var ttlSeconds: Int?

        enum CodingKeys: String, CodingKey {
            case name, scope
            case expiresInDays = "expires_in_days"
            case ttlSeconds = "ttl_seconds"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            if container.contains(.expiresInDays) {
                expiresInDays = .some(try container.decodeIfPresent(Int.self, forKey: .expiresInDays))
            }
            scope = try container.decodeIfPresent(String.self, forKey: .scope)
            ttlSeconds = try container.decodeIfPresent(Int.self, forKey: .ttlSeconds)
        }
    }

    /// The answer to a create: the only time the token itself is shown.
    struct CreatedToken: ResponseEncodable {
        var id: String
        var name: String
        var prefix: String
        var token: String
        var expiresAt: Date?
        var createdAt: Date

        enum CodingKeys: String, CodingKey {
            case id, name, prefix, token
            case expiresAt = "expires_at"
            case createdAt = "created_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(prefix, forKey: .prefix)
            try container.encode(token, forKey: .token)
            try container.encode(expiresAt, forKey: .expiresAt)
            try container.encode(createdAt, forKey: .createdAt)
        }
    }

    /// A token as listed (never the token itself).
    struct TokenItem: ResponseEncodable {
        var token: PersonalAccessToken
        var owner: User?

        enum CodingKeys: String, CodingKey {
            case id, name, prefix, scopes
            case createdAt = "created_at"
            case expiresAt = "expires_at"
            case lastUsedAt = "last_used_at"
            case revokedAt = "revoked_at"
            case userId = "user_id"
            case userEmail = "user_email"
            case lastUsedIp = "last_used_ip"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(token.id, forKey: .id)
            try container.encode(token.name, forKey: .name)
            try container.encode(token.prefix, forKey: .prefix)
            try container.encode(token.scopes, forKey: .scopes)
            try container.encode(token.createdAt, forKey: .createdAt)
            try container.encode(token.expiresAt, forKey: .expiresAt)
            try container.encode(token.lastUsedAt, forKey: .lastUsedAt)
            try container.encode(token.revokedAt, forKey: .revokedAt)
            if let owner {
                try container.encode(owner.id, forKey: .userId)
                try container.encode(owner.email, forKey: .userEmail)
                try container.encode(token.lastUsedIp, forKey: .lastUsedIp)
            }
        }
    }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.post("/auth/tokens") { request, context in try await create(request, context) }
        router.get("/auth/tokens") { _, context in try await listOwn(context) }
        router.get("/auth/tokens/{id}") { _, context in try await showOwn(context) }
        router.delete("/auth/tokens/{id}") { _, context in try await revokeOwn(context) }
        router.get("/auth/admin/tokens") { _, context in try await listAll(context) }
        router.delete("/auth/admin/tokens/{id}") { _, context in try await revokeAny(context) }
    }

    func create(_ request: Request, _ context: AgnesRequestContext) async throws -> EditedResponse<CreatedToken> {
        let identity = try context.requireIdentity()
        context.audit.record("token.create")
        guard identity.kind == .session || identity.kind == .localDevelopment else {
            throw ServiceError(.forbidden, "This endpoint requires an interactive session, not a PAT")
        }
        let body = try await request.decodeJSON(CreateRequest.self, context: context)
        let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw ServiceError.badRequest("Token name must not be blank") }
        let scope = body.scope ?? "general"
        var lifetime: TimeInterval?
        if let ttl = body.ttlSeconds {
            guard ttl > 0, ttl <= Self.maximumDays * 86_400 else { throw ServiceError.badRequest("ttl_seconds must be between 1 and \(Self.maximumDays * 86_400)") }
            lifetime = TimeInterval(ttl)
        } else {
            switch body.expiresInDays {
            case .none: lifetime = TimeInterval(Self.defaultDays * 86_400)
            case let .some(.some(days)):
                guard days > 0, days <= Self.maximumDays else { throw ServiceError.badRequest("expires_in_days must be between 1 and \(Self.maximumDays)") }
                lifetime = TimeInterval(days * 86_400)
            case .some(.none):
                guard identity.isAdmin else { throw ServiceError.badRequest("Only administrators may create tokens without expiry; set expires_in_days") }
                lifetime = nil
            }
        }
        if scope == "bootstrap-analyst" { lifetime = min(lifetime ?? Self.bootstrapScopeLifetime, Self.bootstrapScopeLifetime) }
        let now = Date()
        let id = Identifier.make()
        let expiresAt = lifetime.map { now.addingTimeInterval($0) }
        let token = try await services.tokens.issuePersonalAccessToken(id: id, for: identity.user, scope: scope, expiresAt: expiresAt, now: now)
        let prefix = String(id.replacingOccurrences(of: "-", with: "").prefix(8))
        let row = try await services.personalAccessTokens.create(id: id, userId: identity.user.id, name: name,
                                                                 tokenHash: SecretComparison.sha256Hex(token), prefix: prefix,
                                                                 scopes: [scope], expiresAt: expiresAt)
        context.audit.record("token.create", resource: "token:\(id)", params: ["name": name, "scope": scope])
        return EditedResponse(status: .created, response: CreatedToken(id: id, name: name, prefix: prefix, token: token,
                                                                       expiresAt: row.expiresAt, createdAt: row.createdAt))
    }

    func listOwn(_ context: AgnesRequestContext) async throws -> [TokenItem] {
        let identity = try context.requireIdentity()
        return try await services.personalAccessTokens.list(userId: identity.user.id).map { TokenItem(token: $0) }
    }

    func showOwn(_ context: AgnesRequestContext) async throws -> TokenItem {
        TokenItem(token: try await ownToken(context))
    }

    func revokeOwn(_ context: AgnesRequestContext) async throws -> HTTPResponse.Status {
        let token = try await ownToken(context)
        context.audit.record("token.revoke", resource: "token:\(token.id)")
        try await services.personalAccessTokens.revoke(id: token.id)
        return .noContent
    }

    func listAll(_ context: AgnesRequestContext) async throws -> [TokenItem] {
        try context.requireIdentity().requireAdmin()
        let tokens = try await services.personalAccessTokens.list(userId: nil)
        let users = Dictionary(uniqueKeysWithValues: try await services.users.list().map { ($0.id, $0) })
        return tokens.map { TokenItem(token: $0, owner: users[$0.userId] ?? Self.unknownOwner(id: $0.userId)) }
    }

    func revokeAny(_ context: AgnesRequestContext) async throws -> HTTPResponse.Status {
        try context.requireIdentity().requireAdmin()
        let id = try context.pathParameter("id")
        context.audit.record("token.admin_revoke", resource: "token:\(id)")
        guard try await services.personalAccessTokens.get(id: id) != nil else { throw ServiceError.notFound("Token not found") }
        try await services.personalAccessTokens.revoke(id: id)
        return .noContent
    }

    /// The caller's token named in the path; 404 for someone else's, so ids of other users' tokens are not confirmed.
    private func ownToken(_ context: AgnesRequestContext) async throws -> PersonalAccessToken {
        let identity = try context.requireIdentity()
        let id = try context.pathParameter("id")
        guard let token = try await services.personalAccessTokens.get(id: id), token.userId == identity.user.id else {
            throw ServiceError.notFound("Token not found")
        }
        return token
    }

    private static func unknownOwner(id: String) -> User {
        User(id: id, email: "", name: nil, passwordHash: nil, active: false, deactivatedAt: nil, deactivatedBy: nil,
             createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), lastLoginAt: nil)
    }
}
