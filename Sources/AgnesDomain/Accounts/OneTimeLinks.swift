// Links that carry a single-use secret: password setup (7 days), password reset (24 hours), magic sign-in (1 hour).
// The secret goes into the link only; the database keeps its SHA-256.
import AgnesState
import Foundation

/// Issues, consumes and mails single-use links.
public struct OneTimeLinks: Sendable {
    let domain: Domain

    static func lifetime(of purpose: OneTimeTokenPurpose) -> TimeInterval {
        switch purpose {
        case .passwordSetup: 7 * 24 * 3600
        case .passwordReset: 24 * 3600
        case .magicLink: 3600
        }
    }

    static func path(of purpose: OneTimeTokenPurpose) -> String {
        switch purpose {
        case .passwordSetup: "/auth/password/setup"
        case .passwordReset: "/auth/password/reset"
        case .magicLink: "/auth/email/verify"
        }
    }

    /// Issues a token for `user` and returns the link that carries it.
    public func issue(_ purpose: OneTimeTokenPurpose, for user: User) async throws -> String {
        let secret = SecretComparison.randomToken()
        _ = try await OneTimeTokensRepository(store: domain.state).issue(userId: user.id, purpose: purpose, tokenHash: SecretComparison.sha256Hex(secret),
                                                   expiresAt: Date().addingTimeInterval(Self.lifetime(of: purpose)))
        var components = URLComponents(string: domain.settings.serverURL.trimmingCharacters(in: CharacterSet(charactersIn: "/")))!
        components.path += Self.path(of: purpose)
        components.queryItems = [URLQueryItem(name: "email", value: user.email), URLQueryItem(name: "token", value: secret)]
        // URLComponents leaves "+" alone in queries; encode it so the email survives form decoding.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string!
    }

    /// Why a token could not be consumed.
    public enum Failure: Error { case invalid, expired }

    /// Consumes `secret` for `purpose` if it was issued to `user`, is unexpired and unused. Exactly one of concurrent
    /// consumers of one token succeeds.
    public func consume(_ purpose: OneTimeTokenPurpose, secret: String, for user: User) async throws -> Result<Void, Failure> {
        let hash = SecretComparison.sha256Hex(secret)
        if try await OneTimeTokensRepository(store: domain.state).consume(tokenHash: hash, purpose: purpose, userId: user.id) != nil { return .success(()) }
        if let token = try await OneTimeTokensRepository(store: domain.state).find(tokenHash: hash, purpose: purpose), token.userId == user.id,
           token.consumedAt == nil, token.expiresAt <= Date() {
            return .failure(.expired)
        }
        return .failure(.invalid)
    }

    /// Sends `message`, logging (without the link) when delivery fails; returns whether it was sent.
    public func deliver(_ message: MailMessage) async -> Bool {
        do {
            try await domain.mailer.send(message)
            return true
        } catch {
            domain.logger.error("could not send mail to \(message.to): \(error)")
            return false
        }
    }
}
