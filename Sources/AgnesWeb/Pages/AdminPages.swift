// Administration pages (administrators only): users, groups and members, grants, the registry, data sources, syncs and
// the audit trail. Every read and change calls the same use case as the API (`UserAdministration`,
// `AccessAdministration`, `RegistryService`, `SourceService`, `SyncService`, `AuditService`), so the web UI validates,
// protects (the last administrator, system groups) and audits as the API does.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation

extension WebUI {
    func adminChrome(_ request: PageRequest) async throws -> PageChrome {
        try request.caller.requireAdmin()
        return try await chrome(request, section: "admin")
    }

    /// `/admin`.
    public func adminHome(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        let caller = request.caller
        let values: [String: Any] = [
            "users": try await domain.users.list(for: caller).count, "groups": try await domain.accessAdmin.groups(for: caller).count,
            "grants": try await domain.accessAdmin.grants(resourceType: nil, groupId: nil, for: caller).count,
            "tables": try await domain.registry.list(for: caller).count, "sources": try await domain.sources.list(for: caller).count,
            "sync_state": try await domain.sync.status().locked ? "running" : "idle",
        ]
        return renderer.page("admin", title: "Administration", values: values, chrome: chrome)
    }

    /// `/admin/users`.
    public func users(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        let users: [[String: Any]] = try await domain.users.list(for: request.caller).map { user in
            ["id": user.id, "email": user.email, "name": user.name ?? "", "groups": user.groups.map(\.name).sorted().joined(separator: ", "),
             "is_admin": user.isAdmin, "status": user.active ? "active" : "inactive",
             "toggle_action": user.active ? "deactivate" : "activate", "toggle_label": user.active ? "Deactivate" : "Activate"]
        }
        return renderer.page("admin_users", title: "Users", values: ["users": users], chrome: chrome)
    }

    /// The add-user form (an invitation is mailed).
    public func addUser(_ fields: [String: String], for caller: Caller) async throws -> String {
        let created = try await domain.users.create(CreateUserRequest(email: fields["email"] ?? "", name: fields["name"] ?? "", sendInvite: true), for: caller)
        return "Added \(created.email)" + (created.inviteEmailSent == true ? "; an invitation was sent." : ".")
    }

    /// The activate and deactivate buttons.
    public func setUserActive(_ id: String, _ active: Bool, for caller: Caller) async throws -> String {
        let user = try await domain.users.setActive(id, active, for: caller)
        return "\(user.email) is \(active ? "active" : "deactivated")."
    }

    /// `/admin/groups`.
    public func groups(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        let groups: [[String: Any]] = try await domain.accessAdmin.groups(for: request.caller).map {
            ["id": $0.id, "name": $0.name, "description": $0.description ?? "", "is_system": $0.isSystem, "member_count": $0.memberCount,
             "grant_count": $0.grantCount]
        }
        return renderer.page("admin_groups", title: "Groups", values: ["groups": groups], chrome: chrome)
    }

    /// The create-group form.
    public func createGroup(_ fields: [String: String], for caller: Caller) async throws -> String {
        let created = try await domain.accessAdmin.createGroup(GroupRequest(name: fields["name"] ?? "", description: fields["description"] ?? ""),
                                                               for: caller)
        return "Created the group \(created.name)."
    }

    /// `/admin/groups/{gid}`.
    public func group(_ id: String, _ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        let admin = domain.accessAdmin
        let group = try await admin.group(id, for: request.caller)
        let everyone = group.name == "Everyone"
        let members: [[String: Any]] = try await admin.members(of: id, for: request.caller).map {
            ["email": $0.email, "user_id": $0.userId, "group_id": id, "added_at": Self.time($0.addedAt), "is_everyone": everyone]
        }
        let grants: [[String: Any]] = try await admin.grants(resourceType: nil, groupId: id, for: request.caller).map {
            ["resource_type": $0.resourceType.rawValue, "resource_id": $0.resourceId]
        }
        return renderer.page("admin_group", title: group.name, values: ["id": id, "name": group.name, "description": group.description ?? "",
                                                                        "members": members, "grants": grants, "is_everyone": everyone], chrome: chrome)
    }

    /// The add-member form of group `id`.
    public func addMember(to id: String, _ fields: [String: String], for caller: Caller) async throws -> String {
        let member = try await domain.accessAdmin.addMember(to: id, AddMemberRequest(email: fields["email"] ?? ""), for: caller)
        return "Added \(member.email)."
    }

    /// The remove button of a member.
    public func removeMember(_ userId: String, from id: String, for caller: Caller) async throws -> String {
        try await domain.accessAdmin.removeMember(userId, from: id, for: caller)
        return "Removed the member."
    }

    /// `/admin/grants`.
    public func grants(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        let groups = try await domain.accessAdmin.groups(for: request.caller)
        let grants: [[String: Any]] = try await domain.accessAdmin.grants(resourceType: nil, groupId: nil, for: request.caller).map {
            ["id": $0.id, "group_name": $0.groupName, "resource_type": $0.resourceType.rawValue, "resource_id": $0.resourceId,
             "required": $0.requirement == .required]
        }
        let values: [String: Any] = [
            "grants": grants, "group_options": groups.map { ["id": $0.id, "name": $0.name] },
            "types": ResourceTypeInfo.all.map { ["key": $0.key, "display_name": $0.displayName] },
            "table_ids": try await domain.registry.list(for: request.caller).tables.map(\.table.id).sorted(),
        ]
        return renderer.page("admin_grants", title: "Grants", values: values, chrome: chrome)
    }

    /// The grant form (fields `group_id`, `resource_type`, `resource_id`, `requirement`).
    public func grant(_ fields: [String: String], for caller: Caller) async throws -> String {
        let request = CreateGrantRequest(groupId: fields["group_id"] ?? "", resourceType: fields["resource_type"] ?? "", resourceId: fields["resource_id"] ?? "",
                                         requirement: fields["requirement"].flatMap { $0.isEmpty ? nil : $0 })
        let grant = try await domain.accessAdmin.grant(request, for: caller)
        return "Granted \(grant.groupName) \(grant.resourceType.rawValue) \(grant.resourceId)."
    }

    /// The revoke button of a grant.
    public func revokeGrant(_ id: String, for caller: Caller) async throws -> String {
        try await domain.accessAdmin.revoke(id, for: caller)
        return "Revoked the grant."
    }

    /// `/admin/tables`.
    public func registry(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        let states = try await domain.catalogSnapshot().states
        var values = try await tableFormValues(nil, for: request.caller)
        values["tables"] = try await domain.registry.list(for: request.caller).tables.sorted { $0.table.id < $1.table.id }.map { entry -> [String: Any] in
            let table = entry.table
            let state = states[table.id]
            return ["id": table.id, "source": table.sourceName ?? "", "source_table": table.sourceTable ?? table.sourceQuery ?? "",
                    "query_mode": table.queryMode.rawValue, "strategy": table.syncStrategy.rawValue, "schedule": table.syncSchedule ?? "—",
                    "status": state?.status.rawValue ?? "never", "error": state?.error ?? ""]
        }
        return renderer.page("admin_tables", title: "Registered tables", values: values, chrome: chrome)
    }

    /// `/admin/sources`.
    public func sources(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        var values = sourceFormValues(nil)
        values["sources"] = try await domain.sources.list(for: request.caller).map { (source: SourceInfo) -> [String: Any] in
            ["name": source.name, "type": source.type,
             "config": (try? JSONCoding.encoder.encode(source.config)).map { String(decoding: $0, as: UTF8.self) } ?? "",
             "secret_env": source.secretEnv.isEmpty ? "—" : source.secretEnv.joined(separator: ", ")]
        }
        return renderer.page("admin_sources", title: "Data sources", values: values, chrome: chrome)
    }

    /// `/admin/sync`.
    public func syncPage(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        let status = try await domain.sync.status()
        let history: [[String: Any]] = try await domain.sync.history(table: nil, limit: 50, for: request.caller).map { entry in
            ["table": entry.tableId, "started": Self.time(entry.startedAt), "status": entry.status.rawValue, "rows": Self.count(entry.rows),
             "duration": entry.durationMs.map { String(format: "%.1f s", Double($0) / 1000) } ?? "—", "error": entry.error ?? ""]
        }
        let values: [String: Any] = [
            "state": status.locked ? "running" : "idle", "state_class": status.locked ? "running" : "ok",
            "running": status.locked ? "(\(status.running.joined(separator: ", ")))" : "", "history": history,
            "table_ids": try await domain.registry.list(for: request.caller).tables.map(\.table.id).sorted(),
        ]
        return renderer.page("admin_sync", title: "Sync", values: values, chrome: chrome)
    }

    /// The sync form: one table (field `table`) or every table.
    public func sync(_ fields: [String: String], for caller: Caller) async throws -> String {
        let table = fields["table"].flatMap { $0.isEmpty ? nil : $0 }
        let started = try await domain.sync.trigger(SyncTriggerRequest(tables: table.map { [$0] }), for: caller).tables
        caller.audit.add(params: ["via": "web"])
        return started.isEmpty ? "No table was due." : "Started syncing \(started.joined(separator: ", "))."
    }

    /// `/admin/audit?user=&action=&since=<hours>&cursor=`.
    public func audit(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        let email = (request.query["user"] ?? "").trimmingCharacters(in: .whitespaces)
        let action = (request.query["action"] ?? "").trimmingCharacters(in: .whitespaces)
        let hours = Double(request.query["since"] ?? "") ?? 24
        let users = try await domain.users.list(for: request.caller)
        var userId: String?
        if !email.isEmpty { userId = users.first { $0.email.lowercased() == email.lowercased() }?.id ?? "no such user" }
        let since = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-hours * 3600))
        let page = try await auditTrail.read(AuditService.Filter(userId: userId, actionPrefix: action.isEmpty ? nil : action, since: since,
                                                                 cursor: request.query["cursor"], limit: 100), for: request.caller)
        let emails = Dictionary(users.map { ($0.id, $0.email) }, uniquingKeysWith: { first, _ in first })
        let rows: [[String: Any]] = page.rows.map {
            ["timestamp": Self.time($0.timestamp), "user": $0.userId.map { emails[$0] ?? $0 } ?? "—", "action": $0.action, "resource": $0.resource ?? "",
             "result": $0.result ?? ""]
        }
        var next: String?
        if let cursor = page.nextCursor {
            var components = URLComponents()
            components.path = "/admin/audit"
            components.queryItems = [URLQueryItem(name: "user", value: email), URLQueryItem(name: "action", value: action),
                                     URLQueryItem(name: "since", value: String(hours)), URLQueryItem(name: "cursor", value: cursor)]
            next = components.string
        }
        return renderer.page("admin_audit", title: "Audit trail", values: ["rows": rows, "user": email, "action": action,
                                                                          "since": String(format: "%g", hours), "has_more": next != nil,
                                                                          "next_link": next ?? ""], chrome: chrome)
    }
}
