// Signed tokens: session JWTs (HS256, 24 h) and personal access tokens, which are JWTs too (claim `typ: pat`, `jti` =
// the token's row id) so upstream's CLI can read its own token. A PAT is only valid while its row says so: the server
// stores the SHA-256 of the token, never the token.
import AgnesState
import Foundation
import JWTKit

/// The claims of an Agnes JWT (upstream's names).
public struct AccessTokenClaims: JWTPayload, Equatable {
    public enum TokenType: String, Codable, Sendable { case session, pat }

    public var sub: SubjectClaim
    public var email: String
    public var typ: TokenType
    public var iat: IssuedAtClaim
    public var jti: IDClaim
    public var exp: ExpirationClaim?
    public var scope: String?
    /// The user's session epoch when a session was issued (absent in PATs and in sessions of before epochs: 0).
    public var sv: Int?

    /// Only the signature is checked by JWTKit; expiry is checked by `AccessTokens.verify` so it can say why.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Issues and verifies Agnes JWTs with the server's HS256 key. A session token is for the user's current session epoch
/// (`sv`): issue it from the user as stored after a password change, or it is over at once.
public struct AccessTokens: Sendable {
    public static let sessionLifetime: TimeInterval = 24 * 3600

    private let keys: JWTKeyCollection

    public init(secret: String) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
    }

    /// A session token for `user`, valid for 24 hours.
    public func issueSession(for user: User, now: Date = Date()) async throws -> String {
        let claims = AccessTokenClaims(sub: .init(value: user.id), email: user.email, typ: .session, iat: .init(value: now),
                                       jti: .init(value: UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()),
                                       exp: .init(value: now.addingTimeInterval(Self.sessionLifetime)), scope: nil,
                                       sv: user.sessionEpoch)
        return try await keys.sign(claims)
    }

    /// The JWT of a personal access token with row id `id`; no `exp` when `expiresAt` is nil.
    public func issuePersonalAccessToken(id: String, for user: User, scope: String, expiresAt: Date?, now: Date = Date()) async throws -> String {
        let claims = AccessTokenClaims(sub: .init(value: user.id), email: user.email, typ: .pat, iat: .init(value: now),
                                       jti: .init(value: id), exp: expiresAt.map { .init(value: $0) }, scope: scope, sv: nil)
        return try await keys.sign(claims)
    }

    /// The verified claims of `token`, or nil when the signature is wrong, the token is malformed or it has expired.
    public func verify(_ token: String, now: Date = Date()) async -> AccessTokenClaims? {
        guard let claims = try? await keys.verify(token, as: AccessTokenClaims.self) else { return nil }
        if let exp = claims.exp, exp.value <= now { return nil }
        return claims
    }
}
