// Corporate memory: knowledge items with review status, and one vote per user per item.
import AgnesAPI
import Foundation

/// The fields of a knowledge item a contributor provides.
public struct KnowledgeDraft: Sendable, Equatable {
    public var title: String
    public var content: String?
    public var category: String?
    public var domain: String?
    public var tags: [String]
    public var audience: String?
    public var sensitivity: String?
    public var sourceType: String?
    public var sourceRef: String?
    public var confidence: Double?

    public init(title: String, content: String? = nil, category: String? = nil, domain: String? = nil, tags: [String] = [],
                audience: String? = nil, sensitivity: String? = nil, sourceType: String? = nil, sourceRef: String? = nil,
                confidence: Double? = nil) {
        self.title = title
        self.content = content
        self.category = category
        self.domain = domain
        self.tags = tags
        self.audience = audience
        self.sensitivity = sensitivity
        self.sourceType = sourceType
        self.sourceRef = sourceRef
        self.confidence = confidence
    }
}

extension KnowledgeDraft {
    /// The editable fields of `item`, to change some of them.
    public init(_ item: KnowledgeItem) {
        self.init(title: item.title, content: item.content, category: item.category, domain: item.domain, tags: item.tags,
                  audience: item.audience, sensitivity: item.sensitivity, sourceType: item.sourceType, sourceRef: item.sourceRef,
                  confidence: item.confidence)
    }
}

/// Who is looking at corporate memory: administrators see every item; everyone else sees items without an audience
/// (or `all`), items for one of their groups (`group:<name>`), and items they contributed to.
public struct KnowledgeViewer: Sendable, Equatable {
    public var userId: String
    public var groupNames: [String]
    public var isAdmin: Bool

    public init(userId: String, groupNames: [String], isAdmin: Bool) {
        self.userId = userId
        self.groupNames = groupNames
        self.isAdmin = isAdmin
    }

    /// The `audience` values this viewer may see (nil: all of them).
    var audiences: [String]? { isAdmin ? nil : ["all"] + groupNames.map { "group:\($0)" } }
}

/// Filters of a memory listing; `ids` restricts it to the given items (a full-text search's hits).
public struct KnowledgeFilter: Sendable, Equatable {
    public var status: KnowledgeStatus?
    public var category: String?
    public var domain: String?
    public var tag: String?
    public var text: String?
    public var ids: [String]?

    public init(status: KnowledgeStatus? = nil, category: String? = nil, domain: String? = nil, tag: String? = nil,
                text: String? = nil, ids: [String]? = nil) {
        self.status = status
        self.category = category
        self.domain = domain
        self.tag = tag
        self.text = text
        self.ids = ids
    }
}
