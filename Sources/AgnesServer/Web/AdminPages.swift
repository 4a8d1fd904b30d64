// Administration pages (administrators only): users, groups and members, grants, the registry, data sources, syncs and
// the audit trail. Every change calls the same use case as the API (`UserAdministration`, `AccessAdministration`,
// `SyncService`), so the web UI validates, protects (the last administrator, system groups) and audits as the API does.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

extension WebPages {
    var accessAdmin: AccessAdministration { services.domain.accessAdmin }

    func registerAdmin(on pages: RouterGroup<AgnesRequestContext>) {
        pages.get("/admin") { request, context in try await adminHome(request, context) }
        pages.get("/admin/users") { request, context in try await usersPage(request, context) }
        pages.post("/admin/users") { request, context in
            let fields = try await adminForm(request, context)
            return try await act(back: "/admin/users") {
                let created = try await services.domain.users.create(CreateUserRequest(email: fields["email"] ?? "", name: fields["name"] ?? "", sendInvite: true),
                                                                     for: try context.caller())
                return "Added \(created.email)" + (created.inviteEmailSent == true ? "; an invitation was sent." : ".")
            }
        }
        for (action, active) in [("activate", true), ("deactivate", false)] {
            pages.post("/admin/users/{id}/\(action)") { request, context in
                _ = try await adminForm(request, context)
                return try await act(back: "/admin/users") {
                    let user = try await services.domain.users.setActive(try context.pathParameter("id"), active, for: try context.caller())
                    return "\(user.email) is \(active ? "active" : "deactivated")."
                }
            }
        }
        pages.get("/admin/groups") { request, context in try await groupsPage(request, context) }
        pages.post("/admin/groups") { request, context in
            let fields = try await adminForm(request, context)
            return try await act(back: "/admin/groups") {
                let created = try await accessAdmin.createGroup(GroupRequest(name: fields["name"] ?? "", description: fields["description"] ?? ""),
                                                                for: try context.caller())
                return "Created the group \(created.name)."
            }
        }
        pages.get("/admin/groups/{gid}") { request, context in try await groupPage(request, context) }
        pages.post("/admin/groups/{gid}/members") { request, context in
            let fields = try await adminForm(request, context)
            let gid = try context.pathParameter("gid")
            return try await act(back: "/admin/groups/\(gid)") {
                let member = try await accessAdmin.addMember(to: gid, AddMemberRequest(email: fields["email"] ?? ""), for: try context.caller())
                return "Added \(member.email)."
            }
        }
        pages.post("/admin/groups/{gid}/members/{uid}/remove") { request, context in
            _ = try await adminForm(request, context)
            let gid = try context.pathParameter("gid")
            return try await act(back: "/admin/groups/\(gid)") {
                try await accessAdmin.removeMember(try context.pathParameter("uid"), from: gid, for: try context.caller())
                return "Removed the member."
            }
        }
        pages.get("/admin/grants") { request, context in try await grantsPage(request, context) }
        pages.post("/admin/grants") { request, context in
            let fields = try await adminForm(request, context)
            return try await act(back: "/admin/grants") {
                let request = CreateGrantRequest(groupId: fields["group_id"] ?? "", resourceType: fields["resource_type"] ?? "",
                                                 resourceId: fields["resource_id"] ?? "")
                let grant = try await accessAdmin.grant(request, for: try context.caller())
                return "Granted \(grant.groupName) \(grant.resourceType.rawValue) \(grant.resourceId)."
            }
        }
        pages.post("/admin/grants/{id}/delete") { request, context in
            _ = try await adminForm(request, context)
            return try await act(back: "/admin/grants") {
                try await accessAdmin.revoke(try context.pathParameter("id"), for: try context.caller())
                return "Revoked the grant."
            }
        }
        pages.get("/admin/tables") { request, context in try await registryPage(request, context) }
        pages.get("/admin/sources") { request, context in try await sourcesPage(request, context) }
        pages.get("/admin/sync") { request, context in try await syncPage(request, context) }
        pages.post("/admin/sync") { request, context in
            let fields = try await adminForm(request, context)
            return try await act(back: "/admin/sync") {
                let table = fields["table"].flatMap { $0.isEmpty ? nil : $0 }
                let started = try await services.domain.sync.trigger(SyncTriggerRequest(tables: table.map { [$0] }), for: try context.caller()).tables
                context.audit.add(params: ["via": "web"])
                return started.isEmpty ? "No table was due." : "Started syncing \(started.joined(separator: ", "))."
            }
        }
        pages.get("/admin/audit") { request, context in try await auditPage(request, context) }
    }

    /// The fields of an administrator's form (403 for anyone else, or without a valid CSRF token).
    func adminForm(_ request: Request, _ context: AgnesRequestContext) async throws -> [String: String] {
        try context.requireIdentity().requireAdmin()
        return try await form(request, context)
    }

    func adminChrome(_ request: Request, _ context: AgnesRequestContext) async throws -> WebRenderer.Chrome {
        try context.requireIdentity().requireAdmin()
        return try await chrome(request, context, section: "admin")
    }

    func adminHome(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await adminChrome(request, context)
        let values: [String: Any] = [
            "users": try await services.users.counts().total, "groups": try await services.groups.list().count,
            "grants": try await services.grants.list(groupId: nil).count, "tables": try await services.catalogSnapshot().tables.count,
            "sources": try await DataSourcesRepository(store: services.state).list().count,
            "sync_state": services.dataPlane.runningTables == nil ? "idle" : "running",
        ]
        return renderer.page("admin", title: "Administration", values: values, chrome: chrome)
    }

    func usersPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await adminChrome(request, context)
        let memberships = try await services.groups.membershipsByUser()
        let users: [[String: Any]] = try await services.users.list().map { user in
            let groups = (memberships[user.id] ?? []).map(\.groupName)
            return ["id": user.id, "email": user.email, "name": user.name ?? "", "groups": groups.sorted().joined(separator: ", "),
                    "is_admin": groups.contains(Group.adminName), "status": user.active ? "active" : "inactive",
                    "toggle_action": user.active ? "deactivate" : "activate", "toggle_label": user.active ? "Deactivate" : "Activate"]
        }
        return renderer.page("admin_users", title: "Users", values: ["users": users], chrome: chrome)
    }

    func groupsPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await adminChrome(request, context)
        let groups: [[String: Any]] = try await services.groups.summaries().map {
            ["id": $0.id, "name": $0.name, "description": $0.description ?? "", "is_system": $0.isSystem, "member_count": $0.memberCount,
             "grant_count": $0.grantCount]
        }
        return renderer.page("admin_groups", title: "Groups", values: ["groups": groups], chrome: chrome)
    }

    func groupPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await adminChrome(request, context)
        let id = try context.pathParameter("gid")
        guard let group = try await services.groups.summary(id: id) else { throw ServiceError.notFound("Group not found") }
        let everyone = group.name == Group.everyoneName
        let members: [[String: Any]] = try await services.groups.memberDetails(groupId: id).map {
            ["email": $0.email, "user_id": $0.userId, "group_id": id, "added_at": Self.time($0.addedAt), "is_everyone": everyone]
        }
        let grants: [[String: Any]] = try await services.grants.list(groupId: id).map { ["resource_type": $0.resourceType.rawValue, "resource_id": $0.resourceId] }
        return renderer.page("admin_group", title: group.name, values: ["id": id, "name": group.name, "description": group.description ?? "",
                                                                        "members": members, "grants": grants, "is_everyone": everyone], chrome: chrome)
    }

    func grantsPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await adminChrome(request, context)
        let groups = try await services.groups.list()
        let names = Dictionary(groups.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let grants: [[String: Any]] = try await services.grants.list(groupId: nil).map {
            ["id": $0.id, "group_name": names[$0.groupId] ?? $0.groupId, "resource_type": $0.resourceType.rawValue, "resource_id": $0.resourceId]
        }
        let values: [String: Any] = [
            "grants": grants, "group_options": groups.map { ["id": $0.id, "name": $0.name] },
            "types": ResourceTypeInfo.all.map { ["key": $0.key, "display_name": $0.displayName] },
            "table_ids": try await services.catalogSnapshot().tables.map(\.id),
        ]
        return renderer.page("admin_grants", title: "Grants", values: values, chrome: chrome)
    }

    func registryPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await adminChrome(request, context)
        let snapshot = try await services.catalogSnapshot()
        let states = snapshot.states
        let tables: [[String: Any]] = snapshot.tables.map { table in
            let state = states[table.id]
            return ["id": table.id, "source": table.sourceName ?? "", "source_table": table.sourceTable ?? table.sourceQuery ?? "",
                    "query_mode": table.queryMode.rawValue, "strategy": table.syncStrategy.rawValue, "schedule": table.syncSchedule ?? "—",
                    "status": state?.status.rawValue ?? "never", "error": state?.error ?? ""]
        }
        return renderer.page("admin_tables", title: "Registered tables", values: ["tables": tables], chrome: chrome)
    }

    func sourcesPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await adminChrome(request, context)
        let sources: [[String: Any]] = try await DataSourcesRepository(store: services.state).list().map {
            ["name": $0.name, "type": $0.type, "config": $0.config, "secret_env": $0.secretEnv.isEmpty ? "—" : $0.secretEnv.joined(separator: ", ")]
        }
        return renderer.page("admin_sources", title: "Data sources", values: ["sources": sources], chrome: chrome)
    }

    func syncPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await adminChrome(request, context)
        let running = services.dataPlane.runningTables
        let history: [[String: Any]] = try await SyncStateRepository(store: services.state).history(limit: 50).map { entry in
            ["table": entry.tableId, "started": Self.time(entry.startedAt), "status": entry.status.rawValue, "rows": Self.count(entry.rows),
             "duration": entry.durationMs.map { String(format: "%.1f s", Double($0) / 1000) } ?? "—", "error": entry.error ?? ""]
        }
        let values: [String: Any] = [
            "state": running == nil ? "idle" : "running", "state_class": running == nil ? "ok" : "running",
            "running": running.map { "(\($0.joined(separator: ", ")))" } ?? "", "history": history,
            "table_ids": try await services.catalogSnapshot().tables.map(\.id),
        ]
        return renderer.page("admin_sync", title: "Sync", values: values, chrome: chrome)
    }

    func auditPage(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let chrome = try await adminChrome(request, context)
        let parameters = request.uri.queryParameters
        let email = (parameters.get("user") ?? "").trimmingCharacters(in: .whitespaces)
        let action = (parameters.get("action") ?? "").trimmingCharacters(in: .whitespaces)
        let hours = Double(parameters.get("since") ?? "") ?? 24
        var userId: String?
        if !email.isEmpty { userId = try await services.users.find(email: email)?.id ?? "no such user" }
        let query = AuditQuery(userId: userId, action: nil, actionPrefix: action.isEmpty ? nil : action, resource: nil, result: nil,
                               since: Date().addingTimeInterval(-hours * 3600), until: nil, limit: 100, cursor: parameters.get("cursor"))
        let page: AuditPage
        do { page = try await services.audit.query(query) } catch let StateError.invalid(message) { throw ServiceError.badRequest(message) }
        let emails = Dictionary(try await services.users.list().map { ($0.id, $0.email) }, uniquingKeysWith: { first, _ in first })
        let rows: [[String: Any]] = page.entries.map {
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
