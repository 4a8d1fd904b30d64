// Data packages and memory domains, administered (`/api/admin/data-packages`, `/api/admin/memory-domains`; the web
// admin pages and `agnes admin package|memory-domain` call the same functions): create, edit, soft delete and restore,
// and what each holds.
import AgnesAPI
import AgnesState
import Foundation

public struct PackageAdministration: Sendable {
    let domain: Domain
    var repository: DataPackagesRepository { DataPackagesRepository(store: domain.state) }

    // MARK: - Data packages

    public func packages(includeDeleted: Bool, for caller: Caller) async throws -> DataPackageList {
        try caller.requireAdmin()
        return DataPackageList(packages: try await repository.packages().filter { includeDeleted || !$0.isDeleted })
    }

    public func package(_ id: String, for caller: Caller) async throws -> DataPackage {
        try caller.requireAdmin()
        return try await existingPackage(id)
    }

    /// 201: a new package (400 blank name, 409 taken slug, 422 bad status).
    public func createPackage(_ request: PackageRequest, for caller: Caller) async throws -> DataPackage {
        try caller.requireAdmin()
        let fields = try self.fields(request, over: nil)
        caller.audit.record("data_package.created", resource: "data_package:\(fields.slug)")
        let id = try await writing(.dataPackage) { try await repository.create(.dataPackage, fields, by: caller.identity.user.email) }
        return try await existingPackage(id)
    }

    public func updatePackage(_ id: String, _ request: PackageRequest, for caller: Caller) async throws -> DataPackage {
        try caller.requireAdmin()
        let existing = try await existingPackage(id)
        let fields = try self.fields(request, over: PackageFields(slug: existing.slug, name: existing.name, description: existing.description,
                                                                   icon: existing.icon, color: existing.color, coverImageURL: existing.coverImageUrl,
                                                                   status: existing.status, category: existing.category, tags: existing.tags))
        caller.audit.record("data_package.updated", resource: "data_package:\(id)")
        try await writing(.dataPackage) { try await repository.update(.dataPackage, id: id, fields) }
        return try await existingPackage(id)
    }

    /// Soft delete (`deleted: false` restores): the package keeps its tables, grants and subscriptions but gives no one
    /// anything until restored.
    public func setPackageDeleted(_ id: String, deleted: Bool, for caller: Caller) async throws -> DataPackage {
        try caller.requireAdmin()
        caller.audit.record(deleted ? "data_package.deleted" : "data_package.restored", resource: "data_package:\(id)")
        try await writing(.dataPackage) { try await repository.setDeleted(.dataPackage, id: id, by: caller.identity.user.email, deleted: deleted) }
        return try await existingPackage(id)
    }

    // MARK: - Memory domains

    public func domains(includeDeleted: Bool, for caller: Caller) async throws -> MemoryDomainList {
        try caller.requireAdmin()
        return MemoryDomainList(domains: try await repository.domains().filter { includeDeleted || !$0.isDeleted })
    }

    public func memoryDomain(_ id: String, for caller: Caller) async throws -> MemoryDomain {
        try caller.requireAdmin()
        return try await existingDomain(id)
    }

    public func createDomain(_ request: PackageRequest, for caller: Caller) async throws -> MemoryDomain {
        try caller.requireAdmin()
        let fields = try self.fields(request, over: nil)
        caller.audit.record("memory_domain.created", resource: "memory_domain:\(fields.slug)")
        let id = try await writing(.memoryDomain) { try await repository.create(.memoryDomain, fields, by: caller.identity.user.email) }
        return try await existingDomain(id)
    }

    public func updateDomain(_ id: String, _ request: PackageRequest, for caller: Caller) async throws -> MemoryDomain {
        try caller.requireAdmin()
        let existing = try await existingDomain(id)
        let fields = try self.fields(request, over: PackageFields(slug: existing.slug, name: existing.name, description: existing.description,
                                                                   icon: existing.icon, color: existing.color, category: existing.category,
                                                                   tags: existing.tags))
        caller.audit.record("memory_domain.updated", resource: "memory_domain:\(id)")
        try await writing(.memoryDomain) { try await repository.update(.memoryDomain, id: id, fields) }
        return try await existingDomain(id)
    }

    public func setDomainDeleted(_ id: String, deleted: Bool, for caller: Caller) async throws -> MemoryDomain {
        try caller.requireAdmin()
        caller.audit.record(deleted ? "memory_domain.deleted" : "memory_domain.restored", resource: "memory_domain:\(id)")
        try await writing(.memoryDomain) { try await repository.setDeleted(.memoryDomain, id: id, by: caller.identity.user.email, deleted: deleted) }
        return try await existingDomain(id)
    }

    // MARK: - Members

    /// Adds a table, metric or memory domain to a package, or an item to a domain (404 for an unknown one).
    public func add(_ link: PackageLink, owner: String, _ request: PackageMemberRequest, for caller: Caller) async throws -> PackageMemberAdded {
        try caller.requireAdmin()
        let member = try await existingMember(link, request)
        caller.audit.record("\(Self.auditNoun(link)).member_added", resource: "\(Self.auditNoun(link)):\(owner)", params: [Self.field(link): member])
        return PackageMemberAdded(added: try await writing(link == .items ? .memoryDomain : .dataPackage) {
            try await repository.add(link, owner: owner, member: member, by: caller.identity.user.email)
        })
    }

    public func remove(_ link: PackageLink, owner: String, member: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        caller.audit.record("\(Self.auditNoun(link)).member_removed", resource: "\(Self.auditNoun(link)):\(owner)", params: [Self.field(link): member])
        do {
            try await repository.remove(link, owner: owner, member: member)
        } catch StateError.notFound {
            throw ServiceError.notFound("'\(member)' is not in \(link == .items ? "this memory domain" : "this data package")")
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
        case .memoryDomains: try await repository.domain(id: member).map { !$0.isDeleted } == true
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

    static func auditNoun(_ link: PackageLink) -> String { link == .items ? "memory_domain" : "data_package" }

    func existingPackage(_ id: String) async throws -> DataPackage {
        guard let package = try await repository.package(id: id) else { throw ServiceError.notFound("Data package not found") }
        return package
    }

    func existingDomain(_ id: String) async throws -> MemoryDomain {
        guard let found = try await repository.domain(id: id) else { throw ServiceError.notFound("Memory domain not found") }
        return found
    }

    /// Runs a write, turning the state layer's refusals into the API's.
    func writing<T>(_ kind: PackageKind, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let StateError.conflict(message) {
            throw ServiceError.conflict(message)
        } catch StateError.notFound {
            throw ServiceError.notFound(kind == .dataPackage ? "Data package not found" : "Memory domain not found")
        }
    }
}
