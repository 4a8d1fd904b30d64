// Google's Admin SDK Directory API for tests, as published: a service account trades a JWT assertion (RFC 7523,
// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`, RS256, signed with its key, `iss` = the account, `sub` =
// the administrator it acts for, `scope` = the directory's read-only group scope, `aud` = the token URI) for an access
// token; `GET /admin/directory/v1/groups?userKey=<email>&maxResults=&pageToken=` lists the user's groups a page at a
// time (`pageSize` per page at most, whatever `maxResults` asks, so paging is exercised) with `nextPageToken`.
import CryptoExtras
import Foundation
import Hummingbird
import JWTKit
import Synchronization

public final class DirectoryTestServer: Sendable {
    public static let serviceAccount = "agnes-sync@agnes-test.iam.gserviceaccount.com"
    public static let administrator = "it-admin@example.com"
    static let scope = "https://www.googleapis.com/auth/admin.directory.group.readonly"

    struct State: Sendable {
        var groups: [String: [[String: String]]] = [:]
        var tokens: Set<String> = []
        var groupRequests = 0
    }

    let state = Mutex(State())
    let key: JWTKit.Insecure.RSA.PrivateKey
    /// Groups per page at most.
    public let pageSize = 2

    init() {
        key = try! JWTKit.Insecure.RSA.PrivateKey(backing: try! _RSA.Signing.PrivateKey(keySize: .bits2048))
    }

    /// Makes `email` a member of exactly these groups (`email`, `name`).
    public func setGroups(of email: String, _ groups: [(email: String, name: String)]) {
        state.withLock { $0.groups[email.lowercased()] = groups.map { ["email": $0.email, "name": $0.name, "id": UUID().uuidString] } }
    }

    public var groupRequests: Int { state.withLock { $0.groupRequests } }

    /// The service account's JSON key file, as Google's console downloads it.
    public func keyFile(tokenURI: String) throws -> Data {
        try JSONSerialization.data(withJSONObject: [
            "type": "service_account", "project_id": "agnes-test", "private_key_id": "k1", "private_key": key.pemRepresentation,
            "client_email": Self.serviceAccount, "client_id": "1234567890", "token_uri": tokenURI,
        ])
    }

    struct Assertion: JWTPayload {
        var iss: String, sub: String, scope: String, aud: String
        var iat: Int, exp: Int
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    func routes(on router: Router<BasicRequestContext>, provider: OpenIDTestProvider) {
        router.post("/directory-token") { [self] request, context in
            let form = try await OpenIDTestProvider.form(request, context)
            guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", let assertion = form["assertion"] else {
                return try provider.json(["error": "unsupported_grant_type"], status: .badRequest)
            }
            let keys = await JWTKeyCollection().add(rsa: key.publicKey, digestAlgorithm: .sha256)
            guard let claims = try? await keys.verify(assertion, as: Assertion.self), claims.iss == Self.serviceAccount,
                  claims.sub == Self.administrator, claims.scope == Self.scope, claims.aud == "\(provider.issuer)/directory-token",
                  claims.exp > Int(Date().timeIntervalSince1970) else {
                return try provider.json(["error": "invalid_grant", "error_description": "Invalid JWT Signature."], status: .badRequest)
            }
            let token = "ya29.directory.\(UUID().uuidString)"
            state.withLock { _ = $0.tokens.insert(token) }
            return try provider.json(["access_token": token, "token_type": "Bearer", "expires_in": 3599])
        }
        router.get("/admin/directory/v1/groups") { [self] request, _ in
            let bearer = request.headers[.authorization].map { String($0.dropFirst("Bearer ".count)) } ?? ""
            guard state.withLock({ $0.tokens.contains(bearer) }) else {
                return try provider.json(["error": ["code": 401, "message": "Login Required."]], status: .unauthorized)
            }
            let query = request.uri.queryParameters
            guard let user = query.get("userKey")?.lowercased() else {
                return try provider.json(["error": ["code": 400, "message": "Bad Request"]], status: .badRequest)
            }
            let all = state.withLock { state in
                state.groupRequests += 1
                return state.groups[user] ?? []
            }
            let size = min(Int(query.get("maxResults") ?? "200") ?? 200, pageSize)
            let start = Int(query.get("pageToken") ?? "0") ?? 0
            let page = Array(all.dropFirst(start).prefix(size))
            var answer: [String: Any] = ["kind": "admin#directory#groups", "groups": page]
            if start + size < all.count { answer["nextPageToken"] = String(start + size) }
            return try provider.json(answer)
        }
    }
}
