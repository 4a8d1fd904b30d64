// The groups a user belongs to in the directory. Google's Admin SDK Directory API (`groups.list?userKey=`), read as a
// service account acting for a Workspace administrator: a JWT assertion signed with the account's RSA key is traded for
// an access token (RFC 7523, cached until shortly before it expires), and the list is read page by page.
import Foundation
import JWTKit

/// A group of the directory.
public struct DirectoryGroup: Sendable, Equatable, Decodable {
    public var email: String
    public var name: String?
    public var description: String?

    public init(email: String, name: String?, description: String? = nil) {
        self.email = email
        self.name = name
        self.description = description
    }
}

/// Where group memberships come from.
public protocol DirectoryGroupSource: Sendable {
    /// Every group `email` is a direct member of.
    func groups(of email: String) async throws -> [DirectoryGroup]
}

/// Google's Directory API.
public actor GoogleDirectory: DirectoryGroupSource {
    static let scope = "https://www.googleapis.com/auth/admin.directory.group.readonly"
    /// Pages at most per user (200 groups each): a runaway `nextPageToken` stops here.
    static let maximumPages = 50
    let settings: DirectorySettings
    private var accessToken: (value: String, expiresAt: Date)?

    public init(settings: DirectorySettings) { self.settings = settings }

    public func groups(of email: String) async throws -> [DirectoryGroup] {
        struct Page: Decodable {
            let groups: [DirectoryGroup]?
            let nextPageToken: String?
        }
        var groups: [DirectoryGroup] = [], pageToken: String?
        for _ in 0..<Self.maximumPages {
            var components = URLComponents(url: settings.baseURL.appendingPathComponent("admin/directory/v1/groups"), resolvingAgainstBaseURL: false)!
            components.queryItems = [URLQueryItem(name: "userKey", value: email), URLQueryItem(name: "maxResults", value: "200")]
                + (pageToken.map { [URLQueryItem(name: "pageToken", value: $0)] } ?? [])
            let page = try await ProviderHTTP.get(components.url!, bearer: try await token(), as: Page.self, what: "directory groups")
            groups += page.groups ?? []
            guard let next = page.nextPageToken, !next.isEmpty else { return groups }
            pageToken = next
        }
        throw ProviderError("directory groups: more than \(Self.maximumPages) pages for \(email)")
    }

    /// An access token for the directory, signed for and cached.
    private func token(now: Date = Date()) async throws -> String {
        if let accessToken, accessToken.expiresAt > now.addingTimeInterval(60) { return accessToken.value }
        struct Assertion: JWTPayload {
            let iss: String, sub: String, scope: String, aud: String
            let iat: Int, exp: Int
            func verify(using algorithm: some JWTAlgorithm) async throws {}
        }
        struct Answer: Decodable {
            let accessToken: String
            let expiresIn: Int?
            enum CodingKeys: String, CodingKey {
                case accessToken = "access_token"
                case expiresIn = "expires_in"
            }
        }
        let keys = JWTKeyCollection()
        do {
            await keys.add(rsa: try Insecure.RSA.PrivateKey(pem: settings.privateKeyPEM), digestAlgorithm: .sha256)
        } catch {
            throw ProviderError("directory: the service account's private key cannot be read")
        }
        let issued = Int(now.timeIntervalSince1970)
        let assertion = try await keys.sign(Assertion(iss: settings.serviceAccount, sub: settings.administrator, scope: Self.scope,
                                                      aud: settings.tokenURI.absoluteString, iat: issued, exp: issued + 3600))
        let answer = try await ProviderHTTP.postForm(settings.tokenURI, [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)],
                                                     as: Answer.self, what: "directory token")
        accessToken = (answer.accessToken, now.addingTimeInterval(TimeInterval(answer.expiresIn ?? 3600)))
        return answer.accessToken
    }
}
