// One OpenID Connect provider: its discovery document and signing keys (fetched on first need and cached; the keys
// fetched again when a token names a key not seen yet — the provider rotated them — at most once a minute), the
// authorization URL with PKCE, the code exchange, and the ID token's verification (OpenID Connect Core §3.1.3.7):
// RS256 signature by a published key, issuer, audience (and `azp`), expiry and issue time, nonce, verified email,
// hosted domain.
import Foundation
import JWTKit

/// Who the provider says signed in.
public struct VerifiedIdentity: Sendable, Equatable {
    public var subject: String
    public var email: String
    public var name: String?
}

/// Why an ID token was refused (the reason goes to the audit log; the user sees a plain message).
public struct IDTokenRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

public actor OpenIDProvider {
    struct Discovery: Decodable {
        let issuer: String
        let authorizationEndpoint: String
        let tokenEndpoint: String
        let jwksUri: String
        enum CodingKeys: String, CodingKey {
            case issuer
            case authorizationEndpoint = "authorization_endpoint"
            case tokenEndpoint = "token_endpoint"
            case jwksUri = "jwks_uri"
        }
    }

    public let settings: OpenIDSettings
    /// Seconds of clock difference tolerated on `exp` and `iat`.
    static let leeway: TimeInterval = 60
    private var discovery: Discovery?
    private var keys: JWTKeyCollection?
    private var keyIds: Set<String> = []
    /// When a token naming an unknown key last made the keys be fetched again.
    private var refetchedForUnknownKeyAt: Date?

    public init(settings: OpenIDSettings) { self.settings = settings }

    /// The discovery document (fetched once; its issuer must be the configured one).
    func discovered() async throws -> Discovery {
        if let discovery { return discovery }
        let url = settings.issuer.appendingPathComponent(".well-known/openid-configuration")
        let document = try await ProviderHTTP.get(url, as: Discovery.self, what: "discovery")
        guard document.issuer == settings.issuer.absoluteString || document.issuer + "/" == settings.issuer.absoluteString else {
            throw ProviderError("discovery: the document's issuer \(document.issuer) is not \(settings.issuer.absoluteString)")
        }
        discovery = document
        return document
    }

    /// Where to send the browser: the authorization endpoint with the client, scopes, `state`, `nonce`, the PKCE
    /// challenge of `verifier`, and (with one allowed domain) Google's `hd` hint.
    public func authorizationURL(state: String, nonce: String, verifier: String) async throws -> String {
        let endpoint = try await discovered().authorizationEndpoint
        var fields = [("response_type", "code"), ("client_id", settings.clientId), ("redirect_uri", settings.redirectURI),
                      ("scope", "openid email profile"), ("state", state), ("nonce", nonce),
                      ("code_challenge", PKCE.challenge(of: verifier)), ("code_challenge_method", "S256")]
        if settings.allowedDomains.count == 1 { fields.append(("hd", settings.allowedDomains[0])) }
        return endpoint + (endpoint.contains("?") ? "&" : "?") + ProviderHTTP.formEncoded(fields)
    }

    /// Trades the authorization code for the ID token.
    public func idToken(code: String, verifier: String) async throws -> String {
        struct TokenAnswer: Decodable {
            let idToken: String?
            enum CodingKeys: String, CodingKey { case idToken = "id_token" }
        }
        guard let endpoint = URL(string: try await discovered().tokenEndpoint) else { throw ProviderError("discovery: the token endpoint is not a URL") }
        let answer = try await ProviderHTTP.postForm(endpoint, [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", settings.redirectURI),
            ("client_id", settings.clientId), ("client_secret", settings.clientSecret), ("code_verifier", verifier),
        ], as: TokenAnswer.self, what: "token exchange")
        guard let token = answer.idToken else { throw ProviderError("token exchange: the answer has no id_token") }
        return token
    }

    /// The identity in `token` when every check passes for a sign-in that sent `nonce`.
    public func verify(_ token: String, nonce: String, now: Date = Date()) async throws -> VerifiedIdentity {
        let header = try Self.header(of: token)
        guard header.alg == "RS256" else { throw IDTokenRejection(reason: "the token is signed with \(header.alg ?? "nothing"), not RS256") }
        guard let kid = header.kid else { throw IDTokenRejection(reason: "the token names no signing key") }
        let claims: IDTokenClaims
        do {
            claims = try await signingKeys(including: kid, now: now).verify(token, as: IDTokenClaims.self)
        } catch let rejection as IDTokenRejection {
            throw rejection
        } catch let error as ProviderError {
            throw error
        } catch {
            throw IDTokenRejection(reason: "the signature does not verify")
        }
        let discovery = try await discovered()
        // Google's tokens name the issuer with or without the scheme.
        let issuers = [discovery.issuer] + (discovery.issuer == "https://accounts.google.com" ? ["accounts.google.com"] : [])
        guard issuers.contains(claims.iss) else { throw IDTokenRejection(reason: "the issuer is \(claims.iss)") }
        guard claims.aud.value.contains(settings.clientId) else { throw IDTokenRejection(reason: "the token is for another client") }
        if claims.aud.value.count > 1, claims.azp != settings.clientId { throw IDTokenRejection(reason: "the token was issued to another party") }
        guard claims.exp.addingTimeInterval(Self.leeway) > now else { throw IDTokenRejection(reason: "the token has expired") }
        guard claims.iat.addingTimeInterval(-Self.leeway) <= now else { throw IDTokenRejection(reason: "the token is issued in the future") }
        guard let sent = claims.nonce, SecretComparison.equal(sent, nonce) else { throw IDTokenRejection(reason: "the nonce does not match") }
        guard let email = claims.email?.lowercased(), !email.isEmpty else { throw IDTokenRejection(reason: "the token has no email") }
        guard claims.emailVerified == true else { throw IDTokenRejection(reason: "the email is not verified") }
        if !settings.allowedDomains.isEmpty {
            let domain = String(email.split(separator: "@").last ?? "")
            guard let hosted = claims.hd?.lowercased(), settings.allowedDomains.contains(hosted), hosted == domain else {
                throw IDTokenRejection(reason: "the account is not in an allowed domain (\(claims.hd ?? "no hosted domain"))")
            }
        }
        return VerifiedIdentity(subject: claims.sub, email: email, name: claims.name)
    }

    /// The published keys, fetched again when `kid` is not among them — at most once a minute, so tokens naming made-up
    /// keys cannot make the server hammer the provider.
    private func signingKeys(including kid: String, now: Date) async throws -> JWTKeyCollection {
        if let keys, keyIds.contains(kid) { return keys }
        if keys != nil {
            if let last = refetchedForUnknownKeyAt, now.timeIntervalSince(last) < 60 {
                throw IDTokenRejection(reason: "the token's key \(kid) is not published by the provider")
            }
            refetchedForUnknownKeyAt = now
        }
        guard let url = URL(string: try await discovered().jwksUri) else { throw ProviderError("discovery: jwks_uri is not a URL") }
        let jwks = try await ProviderHTTP.get(url, as: JWKS.self, what: "signing keys")
        let collection = JWTKeyCollection()
        var ids: Set<String> = []
        for key in jwks.keys where key.keyType == .rsa {
            guard let id = key.keyIdentifier?.string else { continue }
            var rsa = key
            rsa.algorithm = .rs256
            _ = try? await collection.add(jwk: rsa)
            ids.insert(id)
        }
        keys = collection
        keyIds = ids
        guard ids.contains(kid) else { throw IDTokenRejection(reason: "the token's key \(kid) is not published by the provider") }
        return collection
    }

    struct Header: Decodable {
        let alg: String?
        let kid: String?
    }

    /// The token's header (unverified: only to choose the key).
    static func header(of token: String) throws -> Header {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Data(base64URLEncoded: String(parts[0])), let header = try? JSONDecoder().decode(Header.self, from: data) else {
            throw IDTokenRejection(reason: "the token is not a JWT")
        }
        return header
    }
}
