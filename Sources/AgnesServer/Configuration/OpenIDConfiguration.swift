// `auth.google.*`: sign-in with Google (or another OpenID Connect provider at `auth.google.issuer`) and group sync from
// Google's directory. On when a client id is set; the client secret must then be set too (from the environment),
// and the directory needs a service account key file and the administrator it acts as.
import AgnesData
import AgnesDomain
import Foundation

extension ConfigurationKey {
    public static let googleClientId = ConfigurationKey("auth.google.client_id", "GOOGLE_CLIENT_ID")
    public static let googleClientSecret = ConfigurationKey("auth.google.client_secret", "GOOGLE_CLIENT_SECRET", secret: true)
    public static let googleAllowedDomains = ConfigurationKey("auth.google.allowed_domains", "AGNES_GOOGLE_ALLOWED_DOMAINS")
    public static let googleIssuer = ConfigurationKey("auth.google.issuer", "AGNES_GOOGLE_ISSUER")
    public static let googleDirectoryKeyFile = ConfigurationKey("auth.google.directory_key_file", "AGNES_GOOGLE_DIRECTORY_KEY_FILE")
    public static let googleDirectoryAdmin = ConfigurationKey("auth.google.directory_admin", "AGNES_GOOGLE_DIRECTORY_ADMIN")
    public static let googleDirectoryURL = ConfigurationKey("auth.google.directory_url", "AGNES_GOOGLE_DIRECTORY_URL")
    public static let googleGroupSyncMinutes = ConfigurationKey("auth.google.group_sync_minutes", "AGNES_GOOGLE_GROUP_SYNC_MINUTES")

    static let openIDKeys: [ConfigurationKey] = [
        .googleClientId, .googleClientSecret, .googleAllowedDomains, .googleIssuer, .googleDirectoryKeyFile, .googleDirectoryAdmin,
        .googleDirectoryURL, .googleGroupSyncMinutes,
    ]
}

extension AgnesConfiguration {
    /// The OpenID sign-in settings, or nil when no client id is configured.
    static func openID(_ resolver: Resolver, serverURL: String) throws -> OpenIDSettings? {
        guard let clientId = resolver.string(.googleClientId) else { return nil }
        guard let secret = resolver.string(.googleClientSecret) else {
            throw ConfigurationError.missing(key: resolver.source(.googleClientSecret), reason: "Google sign-in needs the client secret")
        }
        let issuer = try url(resolver, .googleIssuer) ?? OpenIDSettings.googleIssuer
        let domains = (resolver.string(.googleAllowedDomains) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var directory: DirectorySettings?
        if let keyFile = resolver.string(.googleDirectoryKeyFile) {
            guard let administrator = resolver.string(.googleDirectoryAdmin) else {
                throw ConfigurationError.missing(key: resolver.source(.googleDirectoryAdmin), reason: "group sync acts as a Workspace administrator")
            }
            let minutes = try resolver.int(.googleGroupSyncMinutes, range: 0...10_080, reason: "must be minutes between 0 and 10080 (0: at sign-in only)") ?? 60
            do {
                directory = try DirectorySettings.keyFile(try Data(contentsOf: URL(fileURLWithPath: keyFile)),
                                                          baseURL: try url(resolver, .googleDirectoryURL) ?? URL(string: "https://admin.googleapis.com")!,
                                                          administrator: administrator, syncIntervalMinutes: minutes)
            } catch let error as ConfigurationError {
                throw error
            } catch {
                throw ConfigurationError.invalid(key: resolver.source(.googleDirectoryKeyFile), value: keyFile,
                                                 reason: "must be a service account's JSON key file (client_email, private_key)")
            }
        }
        let base = serverURL.hasSuffix("/") ? String(serverURL.dropLast()) : serverURL
        return OpenIDSettings(issuer: issuer, clientId: clientId, clientSecret: secret, redirectURI: base + "/auth/google/callback",
                              allowedDomains: domains, directory: directory)
    }

    /// An https URL (http only to this machine, for a provider under test).
    private static func url(_ resolver: Resolver, _ key: ConfigurationKey) throws -> URL? {
        guard let text = resolver.string(key) else { return nil }
        guard let url = NetworkPolicy.apiURL(text) else {
            throw ConfigurationError.invalid(key: resolver.source(key), value: text, reason: "must be an https URL")
        }
        return url
    }
}
