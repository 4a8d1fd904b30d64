// One-time tokens and personal access tokens.
@testable import AgnesState
import Foundation
import Testing

@Suite("tokens")
struct TokensRepositoryTests {
    @Test("of two concurrent consumers of a one-time token, exactly one wins", arguments: StateBackendUnderTest.all)
    func atomicConsumption(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let user = try await UsersRepository(store: store).create(email: "fay@example.com")
            let tokens = OneTimeTokensRepository(store: store)
            for round in 0..<20 {
                let hash = "hash-\(round)"
                _ = try await tokens.issue(userId: user.id, purpose: .passwordReset, tokenHash: hash, expiresAt: Date().addingTimeInterval(3600))
                async let first = tokens.consume(tokenHash: hash, purpose: .passwordReset)
                async let second = tokens.consume(tokenHash: hash, purpose: .passwordReset)
                let winners = [try await first, try await second].compactMap { $0 }
                #expect(winners.count == 1, "round \(round)")
                #expect(winners.first?.userId == user.id)
            }
        }
    }

    @Test("a one-time token cannot be consumed when expired, for another purpose, or twice", arguments: StateBackendUnderTest.all)
    func consumptionRules(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let tokens = OneTimeTokensRepository(store: store)
            _ = try await tokens.issue(userId: "u", purpose: .magicLink, tokenHash: "old", expiresAt: Date().addingTimeInterval(-1))
            #expect(try await tokens.consume(tokenHash: "old", purpose: .magicLink) == nil)
            _ = try await tokens.issue(userId: "u", purpose: .magicLink, tokenHash: "fresh", expiresAt: Date().addingTimeInterval(60))
            #expect(try await tokens.consume(tokenHash: "fresh", purpose: .passwordSetup) == nil)
            let consumed = try await tokens.consume(tokenHash: "fresh", purpose: .magicLink)
            #expect(consumed?.consumedAt != nil)
            #expect(try await tokens.consume(tokenHash: "fresh", purpose: .magicLink) == nil)
            #expect(try await tokens.purgeExpired() == 1)
        }
    }

    @Test("a personal access token is found by hash until revoked or expired, and records its last use", arguments: StateBackendUnderTest.all)
    func personalAccessTokens(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let pats = PersonalAccessTokensRepository(store: store)
            let token = try await pats.create(userId: "u1", name: "laptop", tokenHash: "h1", prefix: "agnes_ab", scopes: ["read"],
                                              expiresAt: Date().addingTimeInterval(3600))
            #expect(token.scopes == ["read"] && token.isUsable())
            #expect(try await pats.findUsable(tokenHash: "h1")?.id == token.id)
            #expect(try await pats.findUsable(tokenHash: "h1", at: Date().addingTimeInterval(7200)) == nil)

            try await pats.recordUse(id: token.id, ip: "127.0.0.1")
            let used = try #require(try await pats.get(id: token.id))
            #expect(used.lastUsedIp == "127.0.0.1" && used.lastUsedAt != nil)

            try await pats.revoke(id: token.id)
            #expect(try await pats.findUsable(tokenHash: "h1") == nil)
            #expect(try await pats.get(id: token.id)?.revokedAt != nil)
            await #expect(throws: StateError.notFound(what: "token", id: "nope")) { try await pats.revoke(id: "nope") }

            _ = try await pats.create(userId: "u2", name: "ci", tokenHash: "h2", prefix: "agnes_cd", expiresAt: nil)
            #expect(try await pats.list(userId: "u1").map(\.id) == [token.id])
            #expect(try await pats.list(userId: nil).count == 2)
            await #expect(throws: StateError.self) { try await pats.create(userId: "u3", name: "dup", tokenHash: "h2", prefix: "x", expiresAt: nil) }
        }
    }
}
