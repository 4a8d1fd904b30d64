// Corporate memory over HTTP with four kinds of caller — an administrator, a reviewer (a `knowledge_category` grant on
// `revenue`), analysts, and nobody signed in: propose, see (audiences), vote, search (BM25 with `fts`), review with
// reasons, edit (approved items go back to review), the pending queue, stats, and the ETag'd bundle.
@testable import AgnesServer
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("corporate memory routes")
struct MemoryRoutesTests {
    /// Creates a user with a password, in `group` (created when missing), and returns their id and session token.
    static func user(_ email: String, group: String?, _ client: LiveTestClient, admin: String) async throws -> (id: String, token: String) {
        let id = try #require(try await client.send(.post, "/api/users", json: ["email": email], token: admin).string("id"))
        _ = try await client.send(.post, "/api/users/\(id)/set-password", json: ["password": "a long password 1"], token: admin)
        if let group {
            var found = try await client.send(.get, "/api/admin/groups", token: admin).array.first { $0["name"] as? String == group }?["id"] as? String
            if found == nil { found = try await client.send(.post, "/api/admin/groups", json: ["name": group], token: admin).string("id") }
            let groupId = try #require(found)
            _ = try await client.send(.post, "/api/admin/groups/\(groupId)/members", json: ["email": email], token: admin)
        }
        let token = try #require(try await client.send(.post, "/auth/token", json: ["email": email, "password": "a long password 1"]).string("access_token"))
        return (id, token)
    }

    @Test("propose, see, vote, search, review, edit, pending, stats and bundle — for each kind of caller")
    func memory() async throws {
        try await TestServer.run { server, client in
            let admin = try await client.adminToken()
            let ana = try await Self.user("ana@example.com", group: "Analysts", client, admin: admin)
            let bob = try await Self.user("bob@example.com", group: nil, client, admin: admin)
            let rita = try await Self.user("rita@example.com", group: "Reviewers", client, admin: admin)
            let reviewers = try #require(try await client.send(.get, "/api/admin/groups", token: admin).array.first { $0["name"] as? String == "Reviewers" }?["id"] as? String)
            #expect(try await client.send(.post, "/api/admin/grants", json: ["group_id": reviewers, "resource_type": "knowledge_category",
                                                                             "resource_id": "revenue"], token: admin).status == .created)

            // Nobody signed in gets nothing.
            for (method, path) in [(HTTPRequest.Method.get, "/api/memory"), (.post, "/api/memory"), (.get, "/api/memory/bundle"),
                                   (.get, "/api/memory/stats"), (.post, "/api/memory/admin/approve?item_id=x")] {
                #expect(try await client.send(method, path).status == .unauthorized, "\(path)")
            }

            // Proposals.
            let refunds = try await client.send(.post, "/api/memory", json: [
                "title": "Revenue excludes refunds", "content": "Gross revenue counts paid and shipped orders; refunded orders are left out.",
                "category": "revenue", "domain": "finance", "tags": ["kpi", "Revenue", "kpi"]], token: ana.token)
            #expect(refunds.status == .created && refunds.string("status") == "proposed" && refunds["upvotes"] as? Int == 0)
            #expect(refunds["contributors"] as? [String] == [ana.id] && refunds["tags"] as? [String] == ["Revenue", "kpi"])
            let refundsId = try #require(refunds.string("id"))
            let euro = try #require(try await client.send(.post, "/api/memory", json: ["title": "Amounts are in EUR", "content": "order_items.unit_price is EUR",
                                                                                         "category": "data-quality"], token: bob.token).string("id"))
            let secret = try #require(try await client.send(.post, "/api/memory", json: ["title": "Analysts only: churn definition",
                                                                                           "category": "revenue", "audience": "group:Analysts"], token: admin).string("id"))
            #expect(try await client.send(.post, "/api/memory", json: ["title": "x", "domain": "astrology"], token: ana.token).detail?.hasPrefix("Invalid domain") == true)
            #expect(try await client.send(.post, "/api/memory", json: ["content": "no title"], token: ana.token).status == .unprocessableContent)
            #expect(try await client.send(.post, "/api/memory", json: ["title": "x", "audience": "everyone"], token: ana.token).status == .badRequest)

            // Audiences: the Analysts-only item is hidden from bob and rita, visible to ana and the admin.
            #expect(try await client.send(.get, "/api/memory/\(secret)", token: bob.token).status == .notFound)
            #expect(try await client.send(.get, "/api/memory/\(secret)", token: ana.token).string("title") == "Analysts only: churn definition")
            #expect(try await client.send(.get, "/api/memory", token: rita.token)["total_count"] as? Int == 2)
            #expect(try await client.send(.get, "/api/memory", token: admin)["total_count"] as? Int == 3)

            // Votes: one per user, changeable, withdrawable.
            #expect(try await client.send(.post, "/api/memory/\(refundsId)/vote", json: ["vote": 1], token: rita.token)["upvotes"] as? Int == 1)
            let against = try await client.send(.post, "/api/memory/\(refundsId)/vote", json: ["vote": -1], token: ana.token)
            #expect(against["upvotes"] as? Int == 1 && against["downvotes"] as? Int == 1)
            let changed = try await client.send(.post, "/api/memory/\(refundsId)/vote", json: ["vote": 1], token: ana.token)
            #expect(changed["upvotes"] as? Int == 2 && changed["downvotes"] as? Int == 0 && changed["score"] as? Int == 2)
            #expect(try await client.send(.post, "/api/memory/\(refundsId)/vote", json: ["vote": 0], token: ana.token)["upvotes"] as? Int == 1)
            #expect(try await client.send(.post, "/api/memory/\(refundsId)/vote", json: ["vote": 2], token: ana.token).status == .badRequest)
            #expect(try await client.send(.post, "/api/memory/\(secret)/vote", json: ["vote": 1], token: bob.token).status == .notFound)
            let myVotes = try await client.send(.get, "/api/memory/my-votes", token: rita.token).object
            #expect(myVotes.count == 1 && myVotes[refundsId] as? Int == 1)
            #expect(try await client.send(.get, "/api/memory/\(refundsId)", token: rita.token)["my_vote"] as? Int == 1)

            // Search (BM25 over title, content and tags, stemmed), filters and pages.
            let search = try await client.send(.get, "/api/memory?search=refund", token: ana.token)
            #expect(search.string("search_mode") == "fts" && (search["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [refundsId], "\(search.text)")
            #expect(try await client.send(.get, "/api/memory?search=EUR", token: bob.token)["total_count"] as? Int == 1)
            #expect(try await client.send(.get, "/api/memory?search=churn", token: bob.token)["total_count"] as? Int == 0)
            #expect(try await client.send(.get, "/api/memory?tag=kpi&status_filter=pending", token: ana.token)["total_count"] as? Int == 1)
            #expect(try await client.send(.get, "/api/memory?category=data-quality", token: ana.token)["total_count"] as? Int == 1)
            let firstPage = try await client.send(.get, "/api/memory?per_page=1&page=2", token: admin)
            #expect(firstPage["count"] as? Int == 1 && firstPage["total_pages"] as? Int == 3)
            #expect(try await client.send(.get, "/api/memory?per_page=500", token: admin).status == .badRequest)
            #expect(try await client.send(.get, "/api/memory?status_filter=maybe", token: admin).status == .badRequest)

            // Review: the reviewer may review `revenue` only; analysts not at all.
            #expect(try await client.send(.get, "/api/memory/admin/pending", token: ana.token).status == .forbidden)
            let queue = try await client.send(.get, "/api/memory/admin/pending", token: rita.token)
            #expect((queue["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [refundsId], "\(queue.text)")
            #expect(try await client.send(.get, "/api/memory/admin/pending", token: admin)["total_count"] as? Int == 3)
            #expect(try await client.send(.post, "/api/memory/admin/approve?item_id=\(refundsId)", token: ana.token).status == .forbidden)
            #expect(try await client.send(.post, "/api/memory/admin/approve?item_id=\(euro)", token: rita.token).status == .forbidden)
            let approved = try await client.send(.post, "/api/memory/admin/approve?item_id=\(refundsId)", json: ["reason": "matches finance's definition"],
                                                 token: rita.token)
            #expect(approved.status == .ok && approved.string("status") == "approved" && approved.string("id") == refundsId)
            #expect(try await client.send(.post, "/api/memory/admin/approve", token: admin).status == .unprocessableContent)
            #expect(try await client.send(.post, "/api/memory/admin/reject?item_id=nope", token: admin).status == .notFound)
            #expect(try await client.send(.post, "/api/memory/admin/mandate?item_id=\(euro)", json: ["reason": "always true", "audience": "all"],
                                          token: admin).string("status") == "mandatory")
            #expect(try await client.send(.post, "/api/memory/admin/reject?item_id=\(secret)", json: ["reason": "duplicate"], token: admin)
                .string("status") == "rejected")
            try await server.services.audit.flush()
            let audit = try await client.send(.get, "/api/admin/audit?action=corporate_memory.approve", token: admin)
            let entry = try #require((audit["rows"] as? [[String: Any]])?.first)
            #expect(entry["resource"] as? String == "knowledge:\(refundsId)" && String(describing: entry["params"] ?? "").contains("matches finance's definition"))

            // Bundle: mandatory and approved items the caller may see, with an ETag.
            let bundle = try await client.send(.get, "/api/memory/bundle", token: ana.token)
            #expect((bundle["mandatory"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [euro])
            #expect((bundle["approved"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [refundsId])
            #expect(bundle["token_budget"] as? Int == 6000 && (bundle["token_estimate"] as? Int ?? 0) > 0)
            let etag = try #require(bundle.headers[.eTag])
            #expect(try await client.send(.get, "/api/memory/bundle", token: ana.token, headers: [.ifNoneMatch: etag]).status == .notModified)
            #expect(try await client.send(.get, "/api/memory/bundle", token: ana.token, headers: [.ifNoneMatch: "\"other\", W/\(etag)"]).status == .notModified)
            // A vote (written without invalidating the state caches) still changes the kept bundle at once.
            #expect(try await client.send(.post, "/api/memory/\(refundsId)/vote", json: ["vote": -1], token: ana.token).status == .ok)
            let voted = try await client.send(.get, "/api/memory/bundle", token: ana.token, headers: [.ifNoneMatch: etag])
            #expect(voted.status == .ok && (voted["approved"] as? [[String: Any]])?.first?["my_vote"] as? Int == -1)
            #expect(try await client.send(.post, "/api/memory/\(refundsId)/vote", json: ["vote": 0], token: ana.token).status == .ok)
            #expect(try await client.send(.get, "/api/memory/bundle", token: ana.token, headers: [.ifNoneMatch: etag]).status == .notModified)

            // Edits: contributors and reviewers; an approved item goes back to review (and leaves the bundle).
            #expect(try await client.send(.patch, "/api/memory/\(refundsId)", json: ["content": "changed"], token: bob.token).status == .forbidden)
            let edited = try await client.send(.patch, "/api/memory/\(refundsId)", json: ["content": "Refunded orders are excluded; see gross_revenue."],
                                               token: ana.token)
            #expect(edited.status == .ok && edited.string("status") == "proposed" && edited.string("title") == "Revenue excludes refunds")
            #expect(try await client.send(.patch, "/api/memory/\(refundsId)", json: ["title": ""], token: ana.token).status == .unprocessableContent)
            let byAdmin = try await client.send(.patch, "/api/memory/admin/\(euro)", json: ["tags": ["currency"]], token: admin)
            #expect(byAdmin.string("status") == "proposed" && byAdmin["tags"] as? [String] == ["currency"])
            let changedBundle = try await client.send(.get, "/api/memory/bundle", token: ana.token, headers: [.ifNoneMatch: etag])
            #expect(changedBundle.status == .ok && (changedBundle["approved"] as? [Any])?.isEmpty == true)
            #expect(try await client.send(.get, "/api/memory?search=gross_revenue", token: ana.token)["total_count"] as? Int == 1)

            let stats = try await client.send(.get, "/api/memory/stats", token: admin)
            let byStatus = stats["by_status"] as? [String: Any] ?? [:]
            #expect(stats["total"] as? Int == 3 && byStatus.count == 2 && byStatus["proposed"] as? Int == 2 && byStatus["rejected"] as? Int == 1)
            #expect(stats["categories"] as? [String] == ["data-quality", "revenue"])
            #expect(try await client.send(.get, "/api/memory/stats", token: bob.token)["total"] as? Int == 2)
        }
    }
    @Test("list fields are capped: 51 tags on a memory item or 51 synonyms on a metric are a 422 naming the field")
    func listCaps() async throws {
        try await TestServer.run { _, client in
            let admin = try await client.adminToken()
            let tags = (0..<51).map { "tag\($0)" }
            let tooMany = try await client.send(.post, "/api/memory", json: ["title": "Too many tags", "tags": tags], token: admin)
            #expect(tooMany.status == .unprocessableContent && tooMany.text.contains("\"tags\"") && tooMany.text.contains("at most 50"), "\(tooMany.text)")
            #expect(try await client.send(.post, "/api/memory", json: ["title": "Enough tags", "tags": Array(tags.prefix(50))], token: admin).status == .created)
            let metric = try await client.send(.post, "/api/admin/metrics", json: ["name": "m", "category": "c", "sql": "SELECT 1",
                                                                                   "synonyms": tags], token: admin)
            #expect(metric.status == .unprocessableContent && metric.text.contains("synonyms"), "\(metric.text)")
        }
    }
}
