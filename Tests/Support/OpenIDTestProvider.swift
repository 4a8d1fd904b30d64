// A local OpenID Connect provider for tests, faithful to the published protocol as Google implements it: a discovery
// document, a JWKS with two published keys (one signs; `rotate()` publishes a new one and signs with it), the
// authorization endpoint (the "browser" is signed in as `signedIn`, consent is automatic: it redirects back with a code
// and the state), and the token endpoint (code single use, redirect URI and client secret checked, PKCE S256 checked),
// answering an ID token signed RS256 with Google's claims (`iss`, `aud`, `azp`, `sub`, `email`, `email_verified`,
// `hd`, `name`, `nonce`, `iat`, `exp`). `defect` makes the next tokens wrong in one way, for the verifier's tests.
// The same server is Google's Directory API (`DirectoryTestServer.swift`).
import AsyncHTTPClient
import Crypto
import CryptoExtras
import Foundation
import Hummingbird
import JWTKit
import Synchronization

/// A person the provider knows.
public struct TestAccount: Sendable {
    public var email: String
    public var subject: String
    public var name: String
    public var hostedDomain: String?
    public var emailVerified = true

    public init(email: String, subject: String, name: String, hostedDomain: String?, emailVerified: Bool = true) {
        self.email = email
        self.subject = subject
        self.name = name
        self.hostedDomain = hostedDomain
        self.emailVerified = emailVerified
    }
}

/// A test provider's exchange that went wrong.
public struct ProviderTestError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One way to make an ID token wrong.
public enum IDTokenDefect: Sendable {
    case none, badSignature, wrongAudience, expired, wrongIssuer, unpublishedKey
}

public final class OpenIDTestProvider: Sendable {
    public static let clientId = "agnes-test.apps.example.com"
    public static let clientSecret = "test-client-secret-9f2c"

    struct PendingCode: Sendable {
        var account: TestAccount
        var redirectURI: String
        var challenge: String
        var nonce: String?
    }

    struct State: Sendable {
        var base = ""
        var accounts: [String: TestAccount] = [:]
        var signedIn: String?
        var codes: [String: PendingCode] = [:]
        var published: [String] = ["key-1", "key-2"]
        var signing = "key-1"
        var defect = IDTokenDefect.none
        var tokenRequests = 0
        var jwksRequests = 0
    }

    let state = Mutex(State())
    /// Private keys by id: the published ones, and one never published (for a forged signature).
    let keys: [String: JWTKit.Insecure.RSA.PrivateKey]
    /// The Directory API's data and its service account (see DirectoryTestServer.swift).
    public let directory = DirectoryTestServer()

    public init() throws {
        var keys: [String: JWTKit.Insecure.RSA.PrivateKey] = [:]
        for id in ["key-1", "key-2", "key-3", "forged"] {
            keys[id] = try JWTKit.Insecure.RSA.PrivateKey(backing: try _RSA.Signing.PrivateKey(keySize: .bits2048))
        }
        self.keys = keys
    }

    /// The issuer URL (known once the server listens).
    public var issuer: String { state.withLock { $0.base } }
    public func add(_ account: TestAccount) { state.withLock { $0.accounts[account.email] = account } }
    /// Who the browser is signed in as at the provider.
    public func signIn(as email: String) { state.withLock { $0.signedIn = email } }
    public func setDefect(_ defect: IDTokenDefect) { state.withLock { $0.defect = defect } }
    public var tokenRequests: Int { state.withLock { $0.tokenRequests } }
    public var jwksRequests: Int { state.withLock { $0.jwksRequests } }

    /// Publishes `key-3` and signs with it from now on; `key-1` is withdrawn.
    public func rotate() {
        state.withLock {
            $0.published = ["key-2", "key-3"]
            $0.signing = "key-3"
        }
    }

    /// What a browser signed in at the provider gets from `authorizationURL`: the `Location` it is sent to.
    public func authorize(_ authorizationURL: String) async throws -> String {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { Task { try? await client.shutdown() } }
        let response = try await client.execute(HTTPClientRequest(url: authorizationURL), timeout: .seconds(10))
        guard response.status == .found, let location = response.headers.first(name: "Location") else {
            throw ProviderTestError("the authorization endpoint answered \(response.status)")
        }
        return location
    }

    /// Runs the provider (and the directory) on 127.0.0.1 while `body` runs.
    public func run(_ body: @Sendable (OpenIDTestProvider) async throws -> Void) async throws {
        let router = Router()
        routes(on: router)
        directory.routes(on: router, provider: self)
        try await LocalHTTPServer.run(router, started: { [self] base in state.withLock { $0.base = base } }, isReady: { [self] in !issuer.isEmpty }) {
            try await body(self)
        }
    }

    func routes(on router: Router<BasicRequestContext>) {
        router.get("/.well-known/openid-configuration") { [self] _, _ in
            let base = issuer
            return try json(["issuer": base, "authorization_endpoint": "\(base)/o/oauth2/v2/auth", "token_endpoint": "\(base)/token",
                             "jwks_uri": "\(base)/oauth2/v3/certs", "response_types_supported": ["code"], "subject_types_supported": ["public"],
                             "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"]])
        }
        router.get("/oauth2/v3/certs") { [self] _, _ in
            let published = state.withLock { state in
                state.jwksRequests += 1
                return state.published
            }
            var list: [[String: String]] = []
            for id in published {
                let (modulus, exponent) = try keys[id]!.publicKey.getKeyPrimitives()
                list.append(["kty": "RSA", "alg": "RS256", "use": "sig", "kid": id, "n": modulus.base64URL, "e": exponent.base64URL])
            }
            return try json(["keys": list])
        }
        router.get("/o/oauth2/v2/auth") { [self] request, _ in
            let query = request.uri.queryParameters
            guard query.get("client_id") == Self.clientId, query.get("response_type") == "code", query.get("code_challenge_method") == "S256",
                  let redirect = query.get("redirect_uri"), let challenge = query.get("code_challenge"),
                  (query.get("scope") ?? "").split(separator: " ").contains("openid") else {
                return Response(status: .badRequest, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "invalid_request")))
            }
            let code = UUID().uuidString
            let account: TestAccount? = state.withLock { state in
                guard let email = state.signedIn, let account = state.accounts[email] else { return nil }
                state.codes[code] = PendingCode(account: account, redirectURI: redirect, challenge: challenge, nonce: query.get("nonce"))
                return account
            }
            let stateParameter = query.get("state").map { "&state=\(Self.encoded($0))" } ?? ""
            let location = account == nil ? "\(redirect)?error=access_denied\(stateParameter)" : "\(redirect)?code=\(code)\(stateParameter)"
            return Response(status: .found, headers: [.location: location])
        }
        router.post("/token") { [self] request, context in
            let form = try await Self.form(request, context)
            state.withLock { $0.tokenRequests += 1 }
            guard form["grant_type"] == "authorization_code" else { return try json(["error": "unsupported_grant_type"], status: .badRequest) }
            guard form["client_id"] == Self.clientId, form["client_secret"] == Self.clientSecret else {
                return try json(["error": "invalid_client"], status: .unauthorized)
            }
            guard let code = form["code"], let pending = state.withLock({ $0.codes.removeValue(forKey: code) }),
                  pending.redirectURI == form["redirect_uri"],
                  Data(SHA256.hash(data: Data((form["code_verifier"] ?? "").utf8))).base64URL == pending.challenge else {
                return try json(["error": "invalid_grant"], status: .badRequest)
            }
            return try json(["access_token": "ya29.\(UUID().uuidString)", "token_type": "Bearer", "expires_in": 3599,
                             "id_token": try await idToken(for: pending.account, nonce: pending.nonce), "scope": "openid email profile"])
        }
    }

    struct Claims: JWTPayload {
        var iss: String, aud: String, azp: String, sub: String, email: String
        var email_verified: Bool
        var hd: String?
        var name: String, nonce: String?
        var iat: Int, exp: Int
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// An ID token for `account`, with the current defect.
    func idToken(for account: TestAccount, nonce: String?) async throws -> String {
        let (base, signing, defect) = state.withLock { ($0.base, $0.signing, $0.defect) }
        let now = Int(Date().timeIntervalSince1970)
        let claims = Claims(iss: defect == .wrongIssuer ? "https://accounts.evil.example" : base,
                            aud: defect == .wrongAudience ? "someone-else.apps.example.com" : Self.clientId, azp: Self.clientId,
                            sub: account.subject, email: account.email, email_verified: account.emailVerified, hd: account.hostedDomain,
                            name: account.name, nonce: nonce, iat: defect == .expired ? now - 7200 : now, exp: defect == .expired ? now - 3600 : now + 3600)
        // A forged token names a published key but is signed by another; an unpublished one names a key never published.
        let (keyId, headerId) = switch defect {
        case .badSignature: ("forged", signing)
        case .unpublishedKey: ("forged", "forged")
        default: (signing, signing)
        }
        let collection = await JWTKeyCollection().add(rsa: keys[keyId]!, digestAlgorithm: .sha256, kid: JWKIdentifier(string: headerId))
        return try await collection.sign(claims, kid: JWKIdentifier(string: headerId))
    }

    func json(_ value: Any, status: HTTPResponse.Status = .ok) throws -> Response { try LocalHTTPServer.json(value, status: status) }

    static func form(_ request: Request, _ context: BasicRequestContext) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: 1 << 20)
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }

    static func encoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

extension Data {
    /// Base64url without padding.
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
