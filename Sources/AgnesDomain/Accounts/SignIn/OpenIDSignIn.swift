// Sign-in with an OpenID provider (`GET /auth/google/login` and `/auth/google/callback`, upstream's paths): the
// authorization code flow with PKCE, `state` and `nonce`. `begin` remembers a pending sign-in under a fresh `state`
// (10 minutes, single use — a replayed `state` finds nothing) that the browser also carries in a cookie; `complete`
// checks both, trades the code for the ID token, verifies it, and resolves the user: the one linked to the provider's
// subject, else the one with the same verified email (then linked), else a new user. A deactivated user is refused.
// The directory's groups are synced before the session is issued.
import AgnesAPI
import AgnesState
import Foundation
import Synchronization

/// Sign-ins waiting for the provider to send the browser back.
public final class PendingSignIns: Sendable {
    struct Pending: Sendable {
        var nonce: String
        var verifier: String
        var next: String?
    }

    /// How long a sign-in may take at the provider.
    public static let lifetime: TimeInterval = 600
    private let entries = Mutex(ExpiringEntries<Pending>(capacity: 10_000))

    public init() {}

    func add(_ pending: Pending, state: String, now: Date = Date()) {
        entries.withLock { $0.insert(pending, for: state, expiresAt: now.addingTimeInterval(Self.lifetime), now: now) }
    }

    /// Removes and returns the sign-in started with `state` (a `state` is answered once).
    func take(_ state: String, now: Date = Date()) -> Pending? {
        entries.withLock { $0.take(state, now: now) }
    }
}

/// A sign-in the server refuses: `message` for the person, `reason` for the audit log.
public struct SignInRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let reason: String
    public var description: String { reason }
}

public struct OpenIDSignIn: Sendable {
    let domain: Domain

    /// Where to send the browser, and the `state` it must bring back (set it in a cookie).
    public struct Start: Sendable {
        public let authorizationURL: String
        public let state: String
    }

    /// A finished sign-in: the user, and where they wanted to go.
    public struct Finish: Sendable {
        public let user: User
        public let next: String?
        public let groupChanges: DirectoryLinksRepository.Reconciliation?
    }

    var provider: OpenIDProvider {
        get throws {
            guard let provider = domain.openID else { throw ServiceError.notFound("Google sign-in is not configured on this server") }
            return provider
        }
    }

    /// Starts a sign-in that returns to `next` (a same-site path the caller has checked).
    public func begin(next: String?) async throws -> Start {
        let provider = try provider
        let state = SecretComparison.randomToken(), nonce = SecretComparison.randomToken(), verifier = SecretComparison.randomToken(byteCount: 48)
        let url: String
        do { url = try await provider.authorizationURL(state: state, nonce: nonce, verifier: verifier) } catch {
            domain.logger.warning("OpenID discovery failed", metadata: ["error": .string(String(describing: error))])
            throw ServiceError(.serviceUnavailable, "Google sign-in is unavailable right now; try again or sign in another way")
        }
        domain.signIns.add(.init(nonce: nonce, verifier: verifier, next: next), state: state)
        return Start(authorizationURL: url, state: state)
    }

    /// Completes the sign-in the provider sent back: `state` from the query, `browserState` from the cookie.
    public func complete(code: String?, state: String?, browserState: String?, providerError: String?) async throws -> Finish {
        let provider = try provider
        let failed = "Google sign-in did not complete. Try again."
        guard let state, !state.isEmpty, let browserState, SecretComparison.equal(state, browserState) else {
            throw SignInRefusal(message: failed, reason: "state_mismatch")
        }
        guard let pending = domain.signIns.take(state) else { throw SignInRefusal(message: failed, reason: "state_unknown_or_used") }
        if let providerError { throw SignInRefusal(message: failed, reason: "provider_error:\(providerError.prefix(64))") }
        guard let code, !code.isEmpty else { throw SignInRefusal(message: failed, reason: "no_code") }
        let identity: VerifiedIdentity
        do {
            let token = try await provider.idToken(code: code, verifier: pending.verifier)
            identity = try await provider.verify(token, nonce: pending.nonce)
        } catch let rejection as IDTokenRejection {
            let message = rejection.reason.hasPrefix("the account is not in an allowed domain")
                ? "This Google account is not in a domain allowed to sign in here." : failed
            throw SignInRefusal(message: message, reason: "id_token: \(rejection.reason)")
        } catch let error as ProviderError {
            throw SignInRefusal(message: failed, reason: error.description)
        }
        let user = try await resolve(identity)
        guard user.active else { throw SignInRefusal(message: "This account is deactivated.", reason: "deactivated") }
        var changes: DirectoryLinksRepository.Reconciliation?
        do {
            changes = try await DirectoryGroupSync(domain: domain).sync(user)
        } catch {
            // The memberships stay as the last sync left them; the scheduled sync tries again.
            domain.logger.warning("directory groups not synced at sign-in", metadata: ["user": .string(user.email), "error": .string(String(describing: error))])
        }
        try await UsersRepository(store: domain.state).recordLogin(id: user.id)
        return Finish(user: try await UsersRepository(store: domain.state).get(id: user.id) ?? user, next: pending.next, groupChanges: changes)
    }

    /// The user the provider's identity is: linked by subject, else by verified email (and linked), else new.
    private func resolve(_ identity: VerifiedIdentity) async throws -> User {
        let links = DirectoryLinksRepository(store: domain.state), users = UsersRepository(store: domain.state)
        if let linked = try await links.user(subject: identity.subject) { return linked }
        let user: User
        if let existing = try await users.find(email: identity.email) {
            if let other = try await links.subject(ofUser: existing.id), other != identity.subject {
                throw SignInRefusal(message: "This email is linked to another Google account.", reason: "subject_mismatch")
            }
            user = existing
        } else {
            do {
                user = try await users.create(email: identity.email, name: identity.name)
            } catch StateError.conflict {
                guard let raced = try await users.find(email: identity.email) else { throw SignInRefusal(message: "Try again.", reason: "create_race") }
                user = raced
            }
        }
        try await links.link(userId: user.id, subject: identity.subject)
        return user
    }
}
