// Jira Cloud's issue search for tests, as documented (`GET /rest/api/3/search/jql`): basic authentication with an
// account's email and API token (else 401), `jql`, `fields`, `maxResults` (at most `pageSize` served, so paging is
// exercised) and `nextPageToken`; pages answer `{"issues": [{id, key, fields}], "nextPageToken", "isLast"}`.
import Foundation
import Hummingbird
import Synchronization

public final class JiraTestServer: Sendable {
    public static let email = "bot@example.com", token = "jira-api-token-42"
    public let pageSize = 2
    /// Each issue as JSON.
    let issues: [Data]
    let state = Mutex((base: "", searches: [String]()))

    /// A site with `count` issues `OLD-1` … in project OLD.
    public init(count: Int) {
        issues = (1...count).map { number in
            try! JSONSerialization.data(withJSONObject: [
                "id": String(20_000 + number), "key": "OLD-\(number)",
                "fields": ["summary": "Old issue \(number)", "status": ["name": "Done"], "project": ["key": "OLD"], "issuetype": ["name": "Task"],
                           "created": "2025-0\(1 + number % 9)-15T12:00:00.000+0000", "updated": "2025-12-01T12:00:00.000+0000"] as [String: Any],
            ])
        }
    }

    public var base: String { state.withLock { $0.base } }
    /// The JQL of each search request, in order.
    public var searches: [String] { state.withLock { $0.searches } }

    public func run(_ body: @Sendable (JiraTestServer) async throws -> Void) async throws {
        let router = Router()
        router.get("rest/api/3/search/jql") { [self] request, _ in
            let expected = "Basic " + Data("\(Self.email):\(Self.token)".utf8).base64EncodedString()
            guard request.headers[.authorization] == expected else { return Response(status: .unauthorized) }
            let query = request.uri.queryParameters
            state.withLock { $0.searches.append(query.get("jql") ?? "") }
            let start = Int(query.get("nextPageToken") ?? "0") ?? 0
            let size = min(Int(query.get("maxResults") ?? "50") ?? 50, pageSize)
            let page = try issues.dropFirst(start).prefix(size).map { try JSONSerialization.jsonObject(with: $0) }
            let last = start + size >= issues.count
            var answer: [String: Any] = ["issues": page, "isLast": last]
            if !last { answer["nextPageToken"] = String(start + size) }
            return try LocalHTTPServer.json(answer)
        }
        try await LocalHTTPServer.run(router, started: { [self] base in state.withLock { $0.base = base } }, isReady: { [self] in !base.isEmpty }) {
            try await body(self)
        }
    }
}
