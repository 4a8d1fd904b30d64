// How the server signs users in with an OpenID Connect provider (Google first) and reads their groups from its
// directory. Set from `auth.google.*` (docs/configuration.md); nil when no client id is configured.
import Foundation

/// Sign-in with an OpenID provider.
public struct OpenIDSettings: Sendable, Equatable {
    /// The provider's issuer; its discovery document is `<issuer>/.well-known/openid-configuration`.
    public var issuer: URL
    public var clientId: String
    /// The client secret (from an environment variable; never stored or logged).
    public var clientSecret: String
    /// Where the provider sends the browser back (`<server>/auth/google/callback`).
    public var redirectURI: String
    /// Hosted domains (`hd`) whose accounts may sign in; empty: any verified email.
    public var allowedDomains: [String]
    /// The directory to read groups from; nil: no group sync.
    public var directory: DirectorySettings?

    public init(issuer: URL, clientId: String, clientSecret: String, redirectURI: String, allowedDomains: [String], directory: DirectorySettings?) {
        self.issuer = issuer
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.allowedDomains = allowedDomains.map { $0.lowercased() }
        self.directory = directory
    }

    /// Google's issuer.
    public static let googleIssuer = URL(string: "https://accounts.google.com")!
}

/// Google's Admin SDK Directory API, read with a service account's domain-wide delegation.
public struct DirectorySettings: Sendable, Equatable {
    /// `https://admin.googleapis.com` (another base in tests).
    public var baseURL: URL
    /// The service account's email (`client_email` of its key file).
    public var serviceAccount: String
    /// Its RSA private key (PEM; `private_key` of its key file). Never logged.
    public var privateKeyPEM: String
    /// Where its signed assertion is traded for an access token (`token_uri` of its key file).
    public var tokenURI: URL
    /// The Workspace administrator the service account acts as (`sub` of the assertion).
    public var administrator: String
    /// Minutes between syncs of every linked user's groups (0: at sign-in only).
    public var syncIntervalMinutes: Int

    public init(baseURL: URL, serviceAccount: String, privateKeyPEM: String, tokenURI: URL, administrator: String, syncIntervalMinutes: Int) {
        self.baseURL = baseURL
        self.serviceAccount = serviceAccount
        self.privateKeyPEM = privateKeyPEM
        self.tokenURI = tokenURI
        self.administrator = administrator
        self.syncIntervalMinutes = syncIntervalMinutes
    }

    /// The settings from a service account's JSON key file.
    public static func keyFile(_ data: Data, baseURL: URL, administrator: String, syncIntervalMinutes: Int) throws -> DirectorySettings {
        struct KeyFile: Decodable {
            let clientEmail: String
            let privateKey: String
            let tokenUri: String?
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let key = try decoder.decode(KeyFile.self, from: data)
        return DirectorySettings(baseURL: baseURL, serviceAccount: key.clientEmail, privateKeyPEM: key.privateKey,
                                 tokenURI: URL(string: key.tokenUri ?? "https://oauth2.googleapis.com/token")!, administrator: administrator,
                                 syncIntervalMinutes: syncIntervalMinutes)
    }
}
