// Data packages and memory domains, administered (`/api/admin/data-packages`, `/api/admin/memory-domains`; the web
// admin pages and `agnes admin package|memory-domain` call the same functions): create, edit, soft delete and restore,
// and what each holds.
import AgnesAPI
import AgnesState
import Foundation

public struct PackageAdministration: Sendable {
    let domain: Domain
    var repository: DataPackagesRepository { DataPackagesRepository(store: domain.state) }

    // MARK: - Data packages and memory domains

    /// Every package (`DataPackage.self`) or memory domain (`MemoryDomain.self`), deleted ones only when asked.
    public func list<C: CuratedCollection>(_ type: C.Type, includeDeleted: Bool, for caller: Caller) async throws -> [C] {
        try caller.requireAdmin()
        return try await repository.all(C.self).filter { includeDeleted || !$0.isDeleted }
    }

    public func show<C: CuratedCollection>(_ type: C.Type, _ id: String, for caller: Caller) async throws -> C {
        try caller.requireAdmin()
        return try await existing(C.self, id)
    }

    /// 201: a new one (400 blank name, 409 taken slug, 422 bad status).
    public func create<C: CuratedCollection>(_ type: C.Type, _ request: PackageRequest, for caller: Caller) async throws -> C {
        try caller.requireAdmin()
        let fields = try self.fields(request, over: nil)
        caller.audit.record("\(C.kind.auditNoun).created", resource: "\(C.kind.auditNoun):\(fields.slug)")
        let id = try await writing(C.kind) { try await repository.create(C.kind, fields, by: caller.identity.user.email) }
        return try await existing(C.self, id)
    }

    public func update<C: CuratedCollection>(_ type: C.Type, _ id: String, _ request: PackageRequest, for caller: Caller) async throws -> C {
        try caller.requireAdmin()
        let fields = try self.fields(request, over: try await existing(C.self, id).fields)
        caller.audit.record("\(C.kind.auditNoun).updated", resource: "\(C.kind.auditNoun):\(id)")
        try await writing(C.kind) { try await repository.update(C.kind, id: id, fields) }
        return try await existing(C.self, id)
    }

    /// Soft delete (`deleted: false` restores): a package keeps its tables, grants and subscriptions, a domain its
    /// items, but gives no one anything until restored.
    public func setDeleted<C: CuratedCollection>(_ type: C.Type, _ id: String, deleted: Bool, for caller: Caller) async throws -> C {
        try caller.requireAdmin()
        let noun = C.kind.auditNoun
        caller.audit.record(deleted ? "\(noun).deleted" : "\(noun).restored", resource: "\(noun):\(id)")
        try await writing(C.kind) { try await repository.setDeleted(C.kind, id: id, by: caller.identity.user.email, deleted: deleted) }
        return try await existing(C.self, id)
    }

    // MARK: - Members

    /// Adds a table, metric or memory domain to a package, or an item to a domain (404 for an unknown one).
    public func add(_ link: PackageLink, owner: String, _ request: PackageMemberRequest, for caller: Caller) async throws -> PackageMemberAdded {
        try caller.requireAdmin()
        let member = try await existingMember(link, request)
        caller.audit.record("\(link.kind.auditNoun).member_added", resource: "\(link.kind.auditNoun):\(owner)", params: [Self.field(link): member])
        return PackageMemberAdded(added: try await writing(link.kind) {
            try await repository.add(link, owner: owner, member: member, by: caller.identity.user.email)
        })
    }

    public func remove(_ link: PackageLink, owner: String, member: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        caller.audit.record("\(link.kind.auditNoun).member_removed", resource: "\(link.kind.auditNoun):\(owner)", params: [Self.field(link): member])
        do {
            try await repository.remove(link, owner: owner, member: member)
        } catch StateError.notFound {
            throw ServiceError.notFound("'\(member)' is not in this \(link.kind.noun)")
        }
    }

    // MARK: - Rules

    /// A slug: lower-case letters, digits and hyphens, starting with a letter or digit.
    public static func isValidSlug(_ slug: String) -> Bool {
        slug.range(of: "^[a-z0-9][a-z0-9-]{0,62}$", options: .regularExpression) != nil
    }

    /// The slug made from a name: `Sales & Finance` → `sales-finance`.
    public static func slug(from name: String) -> String {
        let words = name.lowercased().unicodeScalars.map { ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : " " }
        return String(String(words).split(separator: " ").joined(separator: "-").prefix(63))
    }

    /// The fields of a create (`base` nil) or an edit, checked.
    func fields(_ request: PackageRequest, over base: PackageFields?) throws -> PackageFields {
        var fields = base ?? PackageFields(slug: "", name: "")
        if let name = request.name { fields.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard !fields.name.isEmpty else { throw ServiceError.badRequest("name must not be blank") }
        guard fields.name.count <= 200 else { throw ServiceError.badRequest("name is longer than 200 characters") }
        if let slug = request.slug { fields.slug = slug } else if base == nil { fields.slug = Self.slug(from: fields.name) }
        guard Self.isValidSlug(fields.slug) else {
            throw ServiceError.badRequest("slug '\(fields.slug)' must be lower-case letters, digits and hyphens (^[a-z0-9][a-z0-9-]{0,62}$)")
        }
        func text(_ value: String?, _ current: String?) -> String? {
            guard let value else { return current }
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        fields.description = text(request.description, fields.description)
        fields.icon = text(request.icon, fields.icon)
        fields.color = text(request.color, fields.color)
        fields.coverImageURL = text(request.coverImageUrl, fields.coverImageURL)
        fields.category = text(request.category, fields.category)
        if let status = request.status {
            guard let parsed = PackageStatus(rawValue: status) else {
                throw ServiceError.unprocessable([FieldError(type: "enum", loc: ["body", "status"],
                    msg: "status must be one of: \(PackageStatus.allCases.map(\.rawValue).joined(separator: ", "))")])
            }
            fields.status = parsed
        }
        if let tags = request.tags {
            try ServiceError.checkListSize(tags.count, field: "tags", maximum: domain.settings.maximumListItems)
            fields.tags = Array(Set(tags.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
        }
        return fields
    }

    /// The member a request names, checked to exist.
    func existingMember(_ link: PackageLink, _ request: PackageMemberRequest) async throws -> String {
        let field = Self.field(link)
        let given: String? = switch link {
        case .tables: request.tableId
        case .metrics: request.metricId
        case .memoryDomains: request.domainId
        case .items: request.itemId
        }
        guard let member = given?.trimmingCharacters(in: .whitespaces), !member.isEmpty else {
            throw ServiceError.unprocessable([FieldError(type: "missing", loc: ["body", field], msg: "Field required")])
        }
        let exists: Bool = switch link {
        case .tables: try await RegistryRepository(store: domain.state).get(id: member) != nil
        case .metrics: try await MetricsRepository(store: domain.state).get(id: member) != nil
        case .memoryDomains: try await repository.find(MemoryDomain.self, id: member).map { !$0.isDeleted } == true
        case .items: try await KnowledgeRepository(store: domain.state).get(id: member) != nil
        }
        guard exists else { throw ServiceError.notFound("\(Self.memberNoun(link)) '\(member)' not found") }
        return member
    }

    static func field(_ link: PackageLink) -> String {
        switch link {
        case .tables: "table_id"
        case .metrics: "metric_id"
        case .memoryDomains: "domain_id"
        case .items: "item_id"
        }
    }

    static func memberNoun(_ link: PackageLink) -> String {
        switch link {
        case .tables: "Table"
        case .metrics: "Metric"
        case .memoryDomains: "Memory domain"
        case .items: "Knowledge item"
        }
    }

    func existing<C: CuratedCollection>(_ type: C.Type, _ id: String) async throws -> C {
        guard let found = try await repository.find(C.self, id: id) else { throw Self.notFound(C.kind) }
        return found
    }

    static func notFound(_ kind: PackageKind) -> ServiceError {
        .notFound(kind == .dataPackage ? "Data package not found" : "Memory domain not found")
    }

    /// Runs a write, turning the state layer's refusals into the API's.
    func writing<T>(_ kind: PackageKind, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let StateError.conflict(message) {
            throw ServiceError.conflict(message)
        } catch StateError.notFound {
            throw Self.notFound(kind)
        }
    }
}
