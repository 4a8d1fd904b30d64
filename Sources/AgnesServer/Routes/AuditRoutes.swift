// `GET /api/admin/audit` (admin): the audit trail, newest first, filtered by user, action prefix, resource, result
// and time range, in pages of at most 1,000 rows with a cursor. Reading the trail is itself audited.
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct AuditRoutes {
    let services: ServerServices

    struct AuditResponse: ResponseEncodable {
        var rows: [AuditEntry]
        var nextCursor: String?
        var limit: Int

        enum CodingKeys: String, CodingKey {
            case rows, limit
            case nextCursor = "next_cursor"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(rows, forKey: .rows)
            try container.encode(nextCursor, forKey: .nextCursor)
            try container.encode(limit, forKey: .limit)
        }
    }

    static let defaultLimit = 100

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/admin/audit") { request, context in try await list(request, context) }
    }

    func list(_ request: Request, _ context: AgnesRequestContext) async throws -> AuditResponse {
        try context.requireIdentity().requireAdmin()
        context.audit.record("audit.read")
        let parameters = request.uri.queryParameters
        var limit = Self.defaultLimit
        if let text = parameters.get("limit") {
            guard let value = Int(text), value > 0 else { throw ServiceError.badRequest("limit must be a positive integer") }
            limit = min(value, AuditQuery.maximumLimit)
        }
        let query = AuditQuery(userId: parameters.get("user_id"), action: parameters.get("action"),
                               actionPrefix: parameters.get("action_prefix"), resource: parameters.get("resource"),
                               result: parameters.get("result"), since: try Self.date(parameters.get("since"), name: "since"),
                               until: try Self.date(parameters.get("until"), name: "until"), limit: limit, cursor: parameters.get("cursor"))
        do {
            let page = try await services.audit.query(query)
            return AuditResponse(rows: page.entries, nextCursor: page.nextCursor, limit: limit)
        } catch let StateError.invalid(message) {
            throw ServiceError.badRequest(message)
        }
    }

    static func date(_ text: String?, name: String) throws -> Date? {
        guard let text else { return nil }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        throw ServiceError.badRequest("\(name) must be an ISO-8601 timestamp such as 2026-11-22T10:00:00Z")
    }
}
