// Corporate memory: propose, edit (approved items return to review), review, vote, search.
import AgnesAPI
import DuckDB
import Foundation

/// Reads and writes `knowledge_items` and `knowledge_votes`.
public struct KnowledgeRepository: Sendable {
    let store: StateStore

    public init(store: StateStore) { self.store = store }

    /// Proposes a new item (status `proposed`) by `userId`.
    public func propose(_ draft: KnowledgeDraft, by userId: String?) async throws -> KnowledgeItem {
        guard !draft.title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw StateError.invalid("a knowledge item needs a title") }
        let id = Identifier.make()
        return try await store.write { connection in
            try connection.execute("""
                INSERT INTO knowledge_items (id, title, content, category, domain, tags, audience, sensitivity, source_user,
                    source_type, source_ref, contributors, confidence)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                """, parameters: [id, draft.title, draft.content, draft.category, draft.domain, draft.tags, draft.audience,
                                  draft.sensitivity, userId, draft.sourceType, draft.sourceRef, userId.map { [$0] } ?? [String](),
                                  draft.confidence])
            return try Self.fetch(connection, id: id)!
        }
    }

    public func get(id: String) async throws -> KnowledgeItem? {
        try await store.read { try Self.fetch($0, id: id) }
    }

    /// Replaces an item's content. An edit to an approved or mandatory item returns it to `proposed` for review;
    /// the editor is added to the contributors.
    public func edit(id: String, _ draft: KnowledgeDraft, by userId: String?) async throws -> KnowledgeItem {
        try await store.write { connection in
            guard let item = try Self.fetch(connection, id: id) else { throw StateError.notFound(what: "knowledge item", id: id) }
            let status: KnowledgeStatus = [.approved, .mandatory].contains(item.status) ? .proposed : item.status
            var contributors = item.contributors
            if let userId, !contributors.contains(userId) { contributors.append(userId) }
            try connection.execute("""
                UPDATE knowledge_items SET title = $2, content = $3, category = $4, domain = $5, tags = $6, audience = $7,
                    sensitivity = $8, source_type = $9, source_ref = $10, confidence = $11, status = $12, contributors = $13,
                    updated_at = now()
                WHERE id = $1
                """, parameters: [id, draft.title, draft.content, draft.category, draft.domain, draft.tags, draft.audience,
                                  draft.sensitivity, draft.sourceType, draft.sourceRef, draft.confidence, status.rawValue, contributors])
            return try Self.fetch(connection, id: id)!
        }
    }

    /// Sets the review status (approve, mark mandatory, reject, archive, or back to proposed).
    @discardableResult
    public func review(id: String, status: KnowledgeStatus, by reviewer: String) async throws -> KnowledgeItem {
        try await store.write { connection in
            guard try connection.execute("UPDATE knowledge_items SET status = $2, reviewed_by = $3, reviewed_at = now(), updated_at = now() WHERE id = $1",
                                         id, status.rawValue, reviewer) == 1 else {
                throw StateError.notFound(what: "knowledge item", id: id)
            }
            return try Self.fetch(connection, id: id)!
        }
    }

    /// Records `userId`'s vote (+1 or −1), replacing an earlier one. Votes are read live, never through a
    /// `StateCache`, so casting one keeps the caches (a vote a second would otherwise rebuild every cached manifest).
    public func vote(itemId: String, userId: String, vote: Int) async throws {
        guard vote == 1 || vote == -1 else { throw StateError.invalid("a vote is +1 or -1, not \(vote)") }
        let votedAt = Date()
        do {
            // A first vote: a point read of the item and a VALUES insert, which DuckDB plans once and keeps (an
            // INSERT … SELECT that checks the item and the key is planned again at every execution, at four times the cost).
            try await store.writeKeepingCaches { connection in
                guard try Self.exists(connection, itemId: itemId) else { throw StateError.notFound(what: "knowledge item", id: itemId) }
                try connection.execute(Self.insertVote, itemId, userId, vote, votedAt)
            }
        } catch let error as DuckDBError where error.isUniqueViolation {
            // The user had voted (that transaction wrote nothing): replace the vote — or cast it, if it was withdrawn since.
            try await store.writeKeepingCaches { connection in
                guard try connection.execute("UPDATE knowledge_votes SET vote = $3, voted_at = $4 WHERE item_id = $1 AND user_id = $2",
                                             itemId, userId, vote, votedAt) == 0 else { return }
                guard try Self.exists(connection, itemId: itemId) else { throw StateError.notFound(what: "knowledge item", id: itemId) }
                try mapConcurrentInsert {
                    try connection.execute(Self.insertVote, itemId, userId, vote, votedAt)
                }
            }
        }
    }

    /// A vote as a VALUES insert (the vote binds as the column's INTEGER; see `PreparedStatement.integer(_:as:)`).
    static let insertVote = "INSERT INTO knowledge_votes (item_id, user_id, vote, voted_at) VALUES ($1, $2, $3, $4)"

    /// True when the knowledge item exists.
    static func exists(_ connection: any StateConnection, itemId: String) throws -> Bool {
        try connection.scalar(Int32.self, "SELECT 1 FROM knowledge_items WHERE id = $1", itemId) != nil
    }

    /// Withdraws `userId`'s vote, if any (keeping the caches, as `vote`).
    public func withdrawVote(itemId: String, userId: String) async throws {
        try await store.writeKeepingCaches { try $0.execute("DELETE FROM knowledge_votes WHERE item_id = $1 AND user_id = $2", itemId, userId) }
    }

    /// The vote totals of an item.
    public func votes(itemId: String) async throws -> VoteCounts {
        try await store.read { connection in
            try connection.fetchOne(VoteCounts.self, """
                SELECT count(*) FILTER (WHERE vote = 1)::INTEGER AS upvotes, count(*) FILTER (WHERE vote = -1)::INTEGER AS downvotes
                FROM knowledge_votes WHERE item_id = $1
                """, itemId) ?? VoteCounts(upvotes: 0, downvotes: 0)
        }
    }

    /// Items matching every given filter; `text` matches title, content or tags, ignoring case. Newest first.
    public func search(text: String? = nil, status: KnowledgeStatus? = nil, category: String? = nil, domain: String? = nil,
                       tag: String? = nil, limit: Int = 100) async throws -> [KnowledgeItem] {
        let limit = max(1, min(limit, 1_000))
        let pattern = text.map { "%" + Self.escapeLike($0) + "%" }
        return try await store.read { connection in
            try connection.fetchAll(KnowledgeItem.self, """
                SELECT * FROM knowledge_items
                WHERE ($1::VARCHAR IS NULL OR title ILIKE $1 ESCAPE '\\' OR content ILIKE $1 ESCAPE '\\'
                       OR EXISTS (SELECT 1 FROM unnest(tags) AS t(tag) WHERE lower(t.tag) = lower($6)))
                  AND ($2::VARCHAR IS NULL OR status = $2) AND ($3::VARCHAR IS NULL OR category = $3) AND ($4::VARCHAR IS NULL OR domain = $4)
                  AND ($5::VARCHAR IS NULL OR list_contains(tags, $5))
                ORDER BY updated_at DESC, id LIMIT $7
                """, pattern, status?.rawValue, category, domain, tag, text, limit)
        }
    }

    /// Mandatory and approved items, for the workspace rules file.
    public func bundle() async throws -> [KnowledgeItem] {
        try await store.read { connection in
            try connection.fetchAll(KnowledgeItem.self, """
                SELECT * FROM knowledge_items WHERE status IN ('mandatory', 'approved')
                ORDER BY status = 'mandatory' DESC, category NULLS LAST, title
                """)
        }
    }

    /// The `WHERE` clause of what `viewer` may see matching `filter`, over parameters $1…$9 (see `parameters`).
    /// The text search's tag match is a correlated subquery, which DuckDB runs as a join with hash tables of its own
    /// (2 MiB each, allocated up front), so the clause has it only when `filter` searches text.
    static func visibleMatching(_ filter: KnowledgeFilter) -> String {
        // Without text, $7 and $8 (both NULL) are still named: a statement takes exactly the parameters it names.
        let text = filter.text == nil ? "($7::VARCHAR IS NULL AND $8::VARCHAR IS NULL)" : """
            (k.title ILIKE $7 ESCAPE '\\' OR k.content ILIKE $7 ESCAPE '\\'
                   OR EXISTS (SELECT 1 FROM unnest(k.tags) AS t(tag) WHERE lower(t.tag) = lower($8)))
            """
        return """
            ($1::VARCHAR[] IS NULL OR k.audience IS NULL OR list_contains($1, k.audience) OR list_contains(k.contributors, $2))
              AND ($3::VARCHAR IS NULL OR k.status = $3) AND ($4::VARCHAR IS NULL OR k.category = $4) AND ($5::VARCHAR IS NULL OR k.domain = $5)
              AND ($6::VARCHAR IS NULL OR list_contains(k.tags, $6))
              AND \(text)
              AND ($9::VARCHAR[] IS NULL OR list_contains($9, k.id))
            """
    }

    static func parameters(_ viewer: KnowledgeViewer, _ filter: KnowledgeFilter) -> [(any DuckDBValueConvertible)?] {
        [viewer.audiences, viewer.userId, filter.status?.rawValue, filter.category, filter.domain, filter.tag,
         filter.text.map { "%" + escapeLike($0) + "%" }, filter.text, filter.ids]
    }

    /// One page of what `viewer` may see, with vote totals and the viewer's vote, and the number of all matches.
    /// Without `ranking` newest first (or oldest first); with it, in the order of the given ids (a search's best hits first).
    public func page(_ filter: KnowledgeFilter, viewer: KnowledgeViewer, ranking: [String]? = nil, oldestFirst: Bool = false,
                     offset: Int, limit: Int) async throws
        -> (items: [KnowledgeListing], total: Int) {
        try await store.read { connection in
            let total = try connection.scalar(Int64.self, "SELECT count(*) FROM knowledge_items k WHERE \(Self.visibleMatching(filter))",
                                              parameters: Self.parameters(viewer, filter)) ?? 0
            let items = try Self.listings(connection, filter, viewer: viewer, ranking: ranking, oldestFirst: oldestFirst, offset: offset, limit: limit)
            return (items, Int(total))
        }
    }

    /// The items of one page, with their vote totals and the viewer's vote (what `page` lists, without the count).
    static func listings(_ connection: any StateConnection, _ filter: KnowledgeFilter, viewer: KnowledgeViewer, ranking: [String]? = nil,
                         oldestFirst: Bool = false, offset: Int, limit: Int) throws -> [KnowledgeListing] {
        let limit = max(1, min(limit, 1_000))
        let offset = max(0, offset)
        let items = try connection.fetchAll(KnowledgeItem.self, """
            SELECT k.* FROM knowledge_items k
            WHERE \(visibleMatching(filter))
            ORDER BY coalesce(list_position($10::VARCHAR[], k.id), 0), \(oldestFirst ? "k.created_at" : "k.updated_at DESC"), k.id
            LIMIT $11 OFFSET $12
            """, parameters: parameters(viewer, filter) + [ranking, limit, offset])
        let tallies = try tallies(connection, itemIds: items.map(\.id), userId: viewer.userId)
        return items.map { item in
            let tally = tallies[item.id]
            return KnowledgeListing(item: item, upvotes: tally?.upvotes ?? 0, downvotes: tally?.downvotes ?? 0, myVote: tally?.myVote ?? 0)
        }
    }

    /// Vote totals and `userId`'s own vote of each of `itemIds` that has votes: one aggregate over the votes of those
    /// items (three subqueries per item would each be a join with a 2 MiB hash table of its own in DuckDB).
    static func tallies(_ connection: any StateConnection, itemIds: [String], userId: String) throws -> [String: VoteTally] {
        guard !itemIds.isEmpty else { return [:] }
        let rows = try connection.fetchAll(VoteTally.self, """
            SELECT item_id, count(*) FILTER (WHERE vote = 1)::INTEGER AS upvotes, count(*) FILTER (WHERE vote = -1)::INTEGER AS downvotes,
                   coalesce(max(vote) FILTER (WHERE user_id = $2), 0)::INTEGER AS my_vote
            FROM knowledge_votes WHERE list_contains($1, item_id) GROUP BY item_id
            """, itemIds, userId)
        return Dictionary(rows.map { ($0.itemId, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// One item's vote totals and a user's own vote.
    struct VoteTally: Decodable {
        let itemId: String
        let upvotes: Int
        let downvotes: Int
        let myVote: Int

        enum CodingKeys: String, CodingKey {
            case itemId = "item_id", upvotes, downvotes, myVote = "my_vote"
        }
    }

    /// The items among `ids` that `viewer` may see (no votes, no count: for resolving search hits).
    public func visible(ids: [String], viewer: KnowledgeViewer) async throws -> [KnowledgeItem] {
        let filter = KnowledgeFilter(ids: ids)
        let parameters = Self.parameters(viewer, filter)
        return try await store.read { connection in
            try connection.fetchAll(KnowledgeItem.self, "SELECT k.* FROM knowledge_items k WHERE \(Self.visibleMatching(filter))", parameters: parameters)
        }
    }

    /// One item as `viewer` sees it (nil when it does not exist or is not theirs to see).
    public func listing(id: String, viewer: KnowledgeViewer) async throws -> KnowledgeListing? {
        try await store.read { try Self.listings($0, KnowledgeFilter(ids: [id]), viewer: viewer, offset: 0, limit: 1).first }
    }

    /// Mandatory and approved items `viewer` may see, mandatory first, then by votes and recency.
    public func bundle(viewer: KnowledgeViewer) async throws -> [KnowledgeListing] {
        var listings: [KnowledgeListing] = []
        for status in [KnowledgeStatus.mandatory, .approved] {
            var offset = 0
            while true {
                let page = try await page(KnowledgeFilter(status: status), viewer: viewer, offset: offset, limit: 1_000)
                listings += page.items
                offset += page.items.count
                if page.items.isEmpty || offset >= page.total { break }
            }
        }
        return listings
    }

    /// `item id → vote` for `userId`'s votes.
    public func votes(ofUser userId: String) async throws -> [String: Int] {
        struct Row: Decodable { let item_id: String; let vote: Int }
        let rows = try await store.read { try $0.fetchAll(Row.self, "SELECT item_id, vote FROM knowledge_votes WHERE user_id = $1", userId) }
        return Dictionary(rows.map { ($0.item_id, $0.vote) }, uniquingKeysWith: { _, last in last })
    }

    /// Counts of what `viewer` may see, by status, category and domain.
    public func stats(viewer: KnowledgeViewer) async throws -> (total: Int, byStatus: [String: Int], byCategory: [String: Int], byDomain: [String: Int]) {
        struct Row: Decodable { let axis: String; let value: String?; let n: Int64 }
        let filter = KnowledgeFilter()
        let parameters = Self.parameters(viewer, filter)
        let matching = Self.visibleMatching(filter)
        let rows = try await store.read { connection in
            try connection.fetchAll(Row.self, """
                SELECT 'status' AS axis, status AS value, count(*) AS n FROM knowledge_items k WHERE \(matching) GROUP BY status
                UNION ALL SELECT 'category', category, count(*) FROM knowledge_items k WHERE \(matching) GROUP BY category
                UNION ALL SELECT 'domain', domain, count(*) FROM knowledge_items k WHERE \(matching) GROUP BY domain
                """, parameters: parameters)
        }
        func counts(_ axis: String) -> [String: Int] {
            Dictionary(rows.filter { $0.axis == axis && $0.value != nil }.map { ($0.value!, Int($0.n)) }, uniquingKeysWith: +)
        }
        let byStatus = counts("status")
        return (byStatus.values.reduce(0, +), byStatus, counts("category"), counts("domain"))
    }

    /// A marker that changes whenever an item is added or changed (for search indexes and ETags).
    public func generation() async throws -> String {
        try await store.read { connection in
            try connection.scalar(String.self, "SELECT count(*)::VARCHAR || '/' || coalesce(epoch_us(max(updated_at))::VARCHAR, '0') FROM knowledge_items") ?? "0/0"
        }
    }

    /// Id, title, content and tags of every item (for the full-text index).
    public func searchable() async throws -> [(id: String, title: String, content: String, tags: String)] {
        struct Row: Decodable { let id: String; let title: String; let content: String; let tags: String }
        return try await store.read { connection in
            try connection.fetchAll(Row.self, "SELECT id, title, coalesce(content, '') AS content, array_to_string(tags, ' ') AS tags FROM knowledge_items")
        }.map { ($0.id, $0.title, $0.content, $0.tags) }
    }

    static func fetch(_ connection: any StateConnection, id: String) throws -> KnowledgeItem? {
        try connection.fetchOne(KnowledgeItem.self, "SELECT * FROM knowledge_items WHERE id = $1", id)
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
