// The account operations: signing in, the server's health, and personal access tokens.
import AgnesAPI
import Foundation
import NIOCore

extension APIClient {
    /// `POST /auth/token`: a session token for email and password.
    public func signIn(email: String, password: String) async throws -> TokenResponse {
        try await send(.POST, "/auth/token", json: SignInRequest(email: email, password: password))
    }

    /// What `GET /api/health` said, with the HTTP status and the server's clock (its `Date` header).
    public struct ServerHealth: Sendable {
        public let health: HealthStatus?
        public let httpStatus: Int
        public let serverDate: Date?
    }

    /// `GET /api/health`, whatever its status (an unhealthy server answers 503).
    public func health(timeoutSeconds: Int64 = 10) async throws -> ServerHealth {
        let reply = try await send(.GET, "/api/health", timeout: .seconds(timeoutSeconds))
        return ServerHealth(health: try? reply.decode(HealthStatus.self), httpStatus: reply.status,
                            serverDate: reply.headers.first(name: "Date").flatMap(Self.httpDate))
    }

    /// `GET /api/health/detailed` (signed in).
    public func detailedHealth() async throws -> DetailedHealth {
        try await get("/api/health/detailed")
    }

    /// An HTTP date (`Tue, 01 Dec 2026 10:00:00 GMT`).
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }

    /// `POST /auth/tokens`: a new personal access token (shown only in this answer).
    public func createToken(_ request: CreateTokenRequest) async throws -> CreatedToken {
        try await send(.POST, "/auth/tokens", json: request)
    }

    /// `GET /auth/tokens`: the caller's tokens.
    public func myTokens() async throws -> [TokenInfo] {
        try await get("/auth/tokens")
    }

    /// `DELETE /auth/tokens/{id}`.
    public func revokeToken(_ id: String) async throws {
        _ = try await call(.DELETE, "/auth/tokens/\(Self.segment(id))")
    }
}
