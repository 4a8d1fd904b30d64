// Corporate memory: propose, edit (approved items return to review), review, vote, search.
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

    /// Records `userId`'s vote (+1 or −1), replacing an earlier one.
    public func vote(itemId: String, userId: String, vote: Int) async throws {
        guard vote == 1 || vote == -1 else { throw StateError.invalid("a vote is +1 or -1, not \(vote)") }
        try await store.write { connection in
            guard try Self.fetch(connection, id: itemId) != nil else { throw StateError.notFound(what: "knowledge item", id: itemId) }
            let values: [(any DuckDBValueConvertible)?] = [itemId, userId, Int32(vote)]
            try updateOrInsert(connection, update: "UPDATE knowledge_votes SET vote = $3, voted_at = now() WHERE item_id = $1 AND user_id = $2", values,
                               insert: "INSERT INTO knowledge_votes (item_id, user_id, vote) VALUES ($1, $2, $3)", values)
        }
    }

    /// Withdraws `userId`'s vote, if any.
    public func withdrawVote(itemId: String, userId: String) async throws {
        try await store.write { try $0.execute("DELETE FROM knowledge_votes WHERE item_id = $1 AND user_id = $2", itemId, userId) }
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
                WHERE ($1 IS NULL OR title ILIKE $1 ESCAPE '\\' OR content ILIKE $1 ESCAPE '\\'
                       OR list_contains(list_transform(tags, t -> lower(t)), lower($6)))
                  AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR category = $3) AND ($4 IS NULL OR domain = $4)
                  AND ($5 IS NULL OR list_contains(tags, $5))
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

    static func fetch(_ connection: Connection, id: String) throws -> KnowledgeItem? {
        try connection.fetchOne(KnowledgeItem.self, "SELECT * FROM knowledge_items WHERE id = $1", id)
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
