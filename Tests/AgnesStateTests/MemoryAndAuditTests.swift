// Corporate memory (votes, search, review) and the batched audit trail.
import AgnesAPI
@testable import AgnesState
import Foundation
import Testing

@Suite("knowledge and audit")
struct MemoryAndAuditTests {
    @Test("a vote is inserted, replaced and withdrawn, and counts follow; votes leave the caches' generation alone", arguments: StateBackendUnderTest.all)
    func votes(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let knowledge = KnowledgeRepository(store: store)
            let item = try await knowledge.propose(KnowledgeDraft(title: "Revenue excludes VAT"), by: "u1")
            // On PostgreSQL the proposal's own notification comes back to this store a moment later and moves its
            // generation: wait for it before counting.
            let generation = try await settledGeneration(of: store)
            try await knowledge.vote(itemId: item.id, userId: "u1", vote: 1)
            try await knowledge.vote(itemId: item.id, userId: "u2", vote: 1)
            #expect(try await knowledge.votes(itemId: item.id) == VoteCounts(upvotes: 2, downvotes: 0))
            try await knowledge.vote(itemId: item.id, userId: "u2", vote: -1)
            #expect(try await knowledge.votes(itemId: item.id) == VoteCounts(upvotes: 1, downvotes: 1))
            try await knowledge.withdrawVote(itemId: item.id, userId: "u1")
            #expect(try await knowledge.votes(itemId: item.id) == VoteCounts(upvotes: 0, downvotes: 1))
            // Nothing cached reads votes: casting one must not make every cached manifest and grant be rebuilt.
            #expect(store.generation == generation)
            await #expect(throws: StateError.invalid("a vote is +1 or -1, not 2")) { try await knowledge.vote(itemId: item.id, userId: "u1", vote: 2) }
            await #expect(throws: StateError.notFound(what: "knowledge item", id: "missing")) { try await knowledge.vote(itemId: "missing", userId: "u1", vote: 1) }
        }
    }

    @Test("an edit to an approved item returns it to proposed and credits the editor", arguments: StateBackendUnderTest.all)
    func editReturnsToReview(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let knowledge = KnowledgeRepository(store: store)
            let item = try await knowledge.propose(KnowledgeDraft(title: "Churn", content: "Monthly", category: "metrics"), by: "u1")
            #expect(item.status == .proposed && item.contributors == ["u1"])
            let approved = try await knowledge.review(id: item.id, status: .approved, by: "admin")
            #expect(approved.status == .approved && approved.reviewedBy == "admin")
            let edited = try await knowledge.edit(id: item.id, KnowledgeDraft(title: "Churn", content: "Monthly, logo churn", category: "metrics"), by: "u2")
            #expect(edited.status == .proposed && edited.contributors == ["u1", "u2"] && edited.content == "Monthly, logo churn")
            let rejected = try await knowledge.review(id: item.id, status: .rejected, by: "admin")
            #expect(try await knowledge.edit(id: item.id, KnowledgeDraft(title: "Churn v2"), by: "u1").status == rejected.status)
        }
    }

    @Test("search matches title, content and tags ignoring case, and filters by status, category, domain and tag", arguments: StateBackendUnderTest.all)
    func search(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let knowledge = KnowledgeRepository(store: store)
            let vat = try await knowledge.propose(KnowledgeDraft(title: "Revenue excludes VAT", category: "finance", domain: "sales", tags: ["Revenue"]), by: nil)
            let churn = try await knowledge.propose(KnowledgeDraft(title: "Churn", content: "count of lost REVENUE-paying logos", category: "cs", tags: ["kpi"]), by: nil)
            _ = try await knowledge.propose(KnowledgeDraft(title: "100% of orders have a customer", tags: ["quality"]), by: nil)
            try await knowledge.review(id: vat.id, status: .mandatory, by: "admin")
            #expect(Set(try await knowledge.search(text: "revenue").map(\.id)) == [vat.id, churn.id])
            #expect(try await knowledge.search(text: "revenue", status: .mandatory).map(\.id) == [vat.id])
            #expect(try await knowledge.search(category: "cs").map(\.id) == [churn.id])
            #expect(try await knowledge.search(domain: "sales").map(\.id) == [vat.id])
            #expect(try await knowledge.search(tag: "kpi").map(\.id) == [churn.id])
            #expect(try await knowledge.search(text: "100%").count == 1)
            #expect(try await knowledge.search(text: "%").count == 1)
            #expect(try await knowledge.bundle().map(\.id) == [vat.id])
        }
    }

    @Test("concurrent votes by one user on one item all succeed and leave one vote", arguments: StateBackendUnderTest.all)
    func concurrentVotes(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let knowledge = KnowledgeRepository(store: store)
            let item = try await knowledge.propose(KnowledgeDraft(title: "Contested"), by: nil)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for index in 0..<16 {
                    tasks.addTask { try await knowledge.vote(itemId: item.id, userId: "u1", vote: index % 2 == 0 ? 1 : -1) }
                }
                try await tasks.waitForAll()
            }
            let counts = try await knowledge.votes(itemId: item.id)
            #expect(counts.upvotes + counts.downvotes == 1)
        }
    }

    @Test("pages: audiences, the ILIKE fallback, a ranking, votes and the viewer's vote, totals; full-text search with fts", arguments: StateBackendUnderTest.all)
    func pages(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let knowledge = KnowledgeRepository(store: store)
            let open = try await knowledge.propose(KnowledgeDraft(title: "Refunds are excluded from revenue", tags: ["kpi"]), by: "u1")
            let team = try await knowledge.propose(KnowledgeDraft(title: "Team-only revenue note", audience: "group:Finance"), by: "u2")
            let mine = try await knowledge.propose(KnowledgeDraft(title: "My private revenue draft", audience: "group:Nobody"), by: "u3")
            try await knowledge.vote(itemId: open.id, userId: "u3", vote: 1)
            try await knowledge.vote(itemId: open.id, userId: "u1", vote: -1)
            let outsider = KnowledgeViewer(userId: "u3", groupNames: ["Everyone"], isAdmin: false)
            let finance = KnowledgeViewer(userId: "u4", groupNames: ["Everyone", "Finance"], isAdmin: false)
            let admin = KnowledgeViewer(userId: "u5", groupNames: [], isAdmin: true)
            let seen = try await knowledge.page(KnowledgeFilter(), viewer: outsider, offset: 0, limit: 10)
            #expect(Set(seen.items.map(\.item.id)) == [open.id, mine.id] && seen.total == 2)
            // Totals and the viewer's own vote, for every item of a page (counted together) and for one item.
            let tallies = Dictionary(uniqueKeysWithValues: seen.items.map { ($0.item.id, [$0.upvotes, $0.downvotes, $0.myVote]) })
            #expect(tallies == [open.id: [1, 1, 1], mine.id: [0, 0, 0]])
            #expect(try await knowledge.page(KnowledgeFilter(), viewer: finance, offset: 0, limit: 10).total == 2)
            #expect(try await knowledge.page(KnowledgeFilter(), viewer: admin, offset: 0, limit: 10).total == 3)
            let listing = try #require(try await knowledge.listing(id: open.id, viewer: outsider))
            #expect(listing.upvotes == 1 && listing.downvotes == 1 && listing.myVote == 1)
            #expect(try await knowledge.listing(id: team.id, viewer: outsider) == nil)
            // The fallback search, escaping LIKE wildcards; a given ranking orders the page.
            #expect(try await knowledge.page(KnowledgeFilter(text: "REVENUE"), viewer: admin, offset: 0, limit: 10).total == 3)
            #expect(try await knowledge.page(KnowledgeFilter(text: "%"), viewer: admin, offset: 0, limit: 10).total == 0)
            #expect(try await knowledge.page(KnowledgeFilter(text: "KPI"), viewer: admin, offset: 0, limit: 10).items.map(\.item.id) == [open.id])
            let ranked = try await knowledge.page(KnowledgeFilter(ids: [mine.id, open.id]), viewer: admin, ranking: [mine.id, open.id], offset: 0, limit: 10)
            #expect(ranked.items.map(\.item.id) == [mine.id, open.id])
            let second = try await knowledge.page(KnowledgeFilter(), viewer: admin, offset: 2, limit: 2)
            #expect(second.items.count == 1 && second.total == 3)
            #expect(try await knowledge.votes(ofUser: "u1") == [open.id: -1])
            let stats = try await knowledge.stats(viewer: admin)
            #expect(stats.total == 3 && stats.byStatus == ["proposed": 3])
            // BM25 with English stemming over title, content and tags.
            let index = KnowledgeSearchIndex()
            #expect(try await index.matches("refund", in: knowledge) == [open.id])
            #expect(try await index.matches("kpi", in: knowledge) == [open.id])
            let later = try await knowledge.propose(KnowledgeDraft(title: "Refund windows are 30 days"), by: nil)
            #expect(Set(try await index.matches("refunds", in: knowledge) ?? []) == [open.id, later.id])
        }
    }

    @Test("audit entries are written within the flush interval and all of them on close")
    func auditBatching() async throws {
        try await withDataDirectory { directory in
            let store = try StateStore.open(dataDirectory: directory)
            let audit = AuditLog(store: store)
            try audit.start()
            audit.record(AuditEntry(userId: "u1", action: "login", clientIp: "127.0.0.1"))
            let deadline = Date().addingTimeInterval(2)
            var written = 0
            while written == 0 && Date() < deadline {
                try await Task.sleep(for: .milliseconds(20))
                written = try await audit.query(AuditQuery()).entries.count
            }
            #expect(written == 1)
            for index in 0..<500 { audit.record(AuditEntry(userId: "u2", action: "query", resource: "t\(index % 5)")) }
            try await audit.close()
            #expect(audit.pendingCount == 0)
            try await store.close()

            // Nothing was lost: reopen and count.
            let reopened = try StateStore.open(dataDirectory: directory)
            #expect(try await reopened.read { try $0.scalar(Int64.self, "SELECT count(*) FROM audit_log") } == 501)
            try await reopened.close()
        }
    }

    @Test("a durable audit entry is in the database when recordDurably returns; concurrent ones are group-committed, none lost")
    func durableAudit() async throws {
        try await withDataDirectory { directory in
            let store = try StateStore.open(dataDirectory: directory)
            // A batch interval far longer than the test: only the durable path can have written these.
            let audit = AuditLog(store: store, flushInterval: .seconds(3600))
            try audit.start()
            try await audit.recordDurably(AuditEntry(userId: "u1", action: "group.create", clientIp: "127.0.0.1"))
            #expect(try await store.read { try $0.scalar(Int64.self, "SELECT count(*) FROM audit_log WHERE action = 'group.create'") } == 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    group.addTask { try await audit.recordDurably(AuditEntry(userId: "u\(index)", action: "grant.create")) }
                }
                try await group.waitForAll()
            }
            #expect(try await store.read { try $0.scalar(Int64.self, "SELECT count(*) FROM audit_log WHERE action = 'grant.create'") } == 200)
            #expect(audit.pendingCount == 0)
            try await audit.close()
            try await store.close()
        }
    }

    @Test("audit queries filter by user, action, resource and time, with bounded pages and a cursor", arguments: StateBackendUnderTest.all)
    func auditQueries(_ backend: StateBackendUnderTest) async throws {
        try await withStore(backend) { store in
            let audit = AuditLog(store: store)
            let base = Date(timeIntervalSince1970: 1_700_000_000)
            for index in 0..<2_500 {
                audit.record(AuditEntry(timestamp: base.addingTimeInterval(Double(index)), userId: index % 2 == 0 ? "even" : "odd",
                                        action: index % 3 == 0 ? "query" : "download", resource: "table\(index % 4)",
                                        params: #"{"n": \#(index)}"#))
            }
            try await audit.flush()
            let newest = try await audit.query(AuditQuery(limit: 1))
            #expect(newest.entries.first?.params == #"{"n": 2499}"#)
            #expect(try await audit.query(AuditQuery(limit: 50_000)).entries.count == AuditQuery.maximumLimit)

            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await audit.query(AuditQuery(userId: "even", action: "query", limit: 100, cursor: cursor))
                seen += page.entries.map(\.id)
                #expect(page.entries.allSatisfy { $0.userId == "even" && $0.action == "query" })
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen.count == (0..<2_500).filter { $0 % 2 == 0 && $0 % 3 == 0 }.count)
            #expect(Set(seen).count == seen.count)

            let window = try await audit.query(AuditQuery(resource: "table1", since: base.addingTimeInterval(100), until: base.addingTimeInterval(200), limit: 1_000))
            #expect(window.entries.count == 25)
            #expect(window.nextCursor == nil)
            await #expect(throws: StateError.self) { try await audit.query(AuditQuery(cursor: "garbage")) }
        }
    }
}
