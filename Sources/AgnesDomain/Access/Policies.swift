// Access policies in the domain: who reads through them (everyone but an administrator with full credentials), the
// values a caller binds, and the checks a policy passes before it is stored. The engine applies them (`GrantScope`);
// every surface asks `enforcement(for:)` and hands the answer to the engine, so the rule lives here once.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation
import NIOPosix

/// A caller's slices of one policied table.
public struct PolicySliceSet: Sendable {
    public struct File: Sendable {
        /// The part of a partitioned table; nil for a plain table's one file.
        public let part: String?
        public let slice: PolicySlices.Slice
    }

    public let files: [File]

    /// The one file of a plain table.
    public var whole: PolicySlices.Slice? { files.count == 1 && files[0].part == nil ? files[0].slice : nil }
}

/// The use cases of access policies.
public struct Policies: Sendable {
    let domain: Domain

    /// How the tables' policies apply to `identity`: the raw tables for an administrator with full credentials,
    /// otherwise the policies, with the caller's email, id and group names.
    public func enforcement(for identity: Identity) async throws -> PolicyEnforcement {
        if identity.bypassesPolicies { return .bypass }
        let groups = try await domain.grants(ofUser: identity.user.id).memberships.map(\.groupName)
        return .enforce(PolicyCaller(email: identity.user.email, userId: identity.user.id, groups: groups))
    }

    /// For a caller who reads through policies: 503 while the registry holds a policy on one of `ids` that `engine`
    /// does not apply yet (the rebuild after the change is under way) — the window in which the raw rows would show.
    public func requireApplied(_ ids: some Sequence<String>, on engine: QueryEngine, _ policies: PolicyEnforcement) async throws {
        guard case .enforce = policies else { return }
        let registered = Dictionary(try await domain.catalogSnapshot().tables.map { ($0.id, $0.hasPolicy) }, uniquingKeysWith: { $1 })
        for id in ids where registered[id] == true && engine.policy(of: id) == .none {
            throw ServiceError(.serviceUnavailable, "policy_pending: the access policy of '\(id)' is being applied; try again in a moment")
        }
    }

    /// Whether `identity` reads `table` through a policy.
    public func isPolicied(_ table: RegisteredTable, for identity: Identity) -> Bool {
        table.hasPolicy && !identity.bypassesPolicies
    }

    /// Checks the registration's policy and distribution settings before it is stored (422 with upstream's reasons).
    func check(_ table: RegisteredTable) async throws {
        if table.serverOnly, table.queryMode == .remote {
            throw ServiceError(.unprocessableContent,
                               "server_only_remote_conflict: a remote table is never distributed already; server_only applies to synced tables")
        }
        guard let sql = table.accessPolicySQL else { return }
        guard let note = table.accessPolicyNote, !note.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ServiceError(.unprocessableContent, "policy_note_required: say in access_policy_note why the policy is what it is")
        }
        let registered = Set(try await domain.catalogSnapshot().tables.map(\.id))
        if let unknown = table.policyMapping.first(where: { !registered.contains($0.lowercased()) }) {
            throw ServiceError(.unprocessableContent, "policy_unlisted_table_reference: policy_mapping names '\(unknown)', which is not registered")
        }
        let engine = domain.dataPlane.orchestrator.engine
        let served = engine.map { engine in ([table.id] + table.policyMapping).allSatisfy { engine.tables[$0.lowercased()] != nil } } ?? false
        do {
            let check: @Sendable (Connection) throws -> Void = { connection in
                let policy = try PolicySQL.prepare(sql, tableId: table.id, mapping: table.policyMapping, using: connection)
                // Bound against the tables themselves when they are served: unknown columns and duplicate output names.
                if served { try PolicySQL.checkOutput(of: policy, using: connection) }
            }
            if let engine {
                try await engine.withScope(readable: Self.tablesRead(by: table.id, mapping: table.policyMapping), policies: .bypass, check)
            } else {
                try await NIOThreadPool.singleton.runIfActive { try Database.withScratchConnection(check) }
            }
        } catch let rejection as PolicyRejection {
            throw ServiceError(.unprocessableContent, rejection.description)
        }
    }

    /// `POST /api/admin/registry/{id}/policy/preview`: what the policy under trial (or the stored one) shows one
    /// persona, next to the table as it is; audited.
    public func preview(_ id: String, _ request: PolicyPreviewRequest, for caller: Caller) async throws -> PolicyPreview {
        try caller.requireAdmin()
        caller.audit.record("table_policy.preview", resource: "table:\(id)",
                            params: ["as": request.asUser ?? (request.asGroups.map { "groups:" + $0.joined(separator: ",") } ?? "")])
        guard let table = try await RegistryRepository(store: domain.state).get(id: id) else { throw ServiceError.notFound("Table not found") }
        guard let sql = request.sql ?? table.accessPolicySQL else {
            throw ServiceError(.unprocessableContent, "policy_missing: the table has no policy; send one in sql to try it")
        }
        let persona = try await persona(request)
        guard let engine = domain.dataPlane.orchestrator.engine, engine.tables[table.id] != nil else {
            throw ServiceError.notFound("table '\(table.id)' has no data yet (it is served after its first sync)")
        }
        do {
            let mapping = request.policyMapping ?? table.policyMapping
            let policy = try await engine.withScope(readable: Self.tablesRead(by: table.id, mapping: mapping), policies: .bypass) { connection in
                let policy = try PolicySQL.prepare(sql, tableId: table.id, mapping: mapping, using: connection)
                try PolicySQL.checkOutput(of: policy, using: connection)
                return policy
            }
            let run = try await engine.preview(policy, of: table.id, as: persona, rows: 10)
            let visible = Set(run.policyColumns)
            return PolicyPreview(columns: run.baseColumns.map { PolicyPreview.Column(name: $0, hidden: !visible.contains($0)) },
                                 sampleRows: run.sample.rows.map { SampleRow(columns: run.sample.columns, cells: $0) },
                                 baseSampleRows: run.baseSample.rows.map { SampleRow(columns: run.baseSample.columns, cells: $0) },
                                 baseSampleComparable: run.policyColumns == run.baseColumns, rowsVisible: run.rowsVisible, rowsTotal: run.rowsTotal)
        } catch let rejection as PolicyRejection {
            throw ServiceError(.unprocessableContent, rejection.description)
        } catch let error as DuckDBError {
            throw ServiceError(.unprocessableContent, "policy_error: \(error.message)")
        }
    }

    /// The tables a policy of `id` may read (itself and its mapping tables): a policy is checked in the grant scope of
    /// just those, with no policy applied, not in the scope of every table.
    private static func tablesRead(by id: String, mapping: [String]) -> Set<String> {
        Set(([id] + mapping).map { $0.lowercased() })
    }

    /// The persona of a preview: exactly one of a user (email or id) and a set of group names.
    private func persona(_ request: PolicyPreviewRequest) async throws -> PolicyCaller {
        switch (request.asUser, request.asGroups) {
        case let (user?, nil):
            let users = UsersRepository(store: domain.state)
            var found = try await users.find(email: user)
            if found == nil { found = try await users.get(id: user) }
            guard let found else { throw ServiceError.notFound("User '\(user)' not found") }
            let groups = try await domain.grants(ofUser: found.id).memberships.map(\.groupName)
            return PolicyCaller(email: found.email, userId: found.id, groups: groups)
        case let (nil, groups?):
            return PolicyCaller(email: "", userId: "", groups: groups)
        default:
            throw ServiceError(.unprocessableContent, "persona_required: give exactly one of as_user and as_groups")
        }
    }

    /// `POST /api/admin/registry/{id}/policy/compile`: the SQL of a structured policy (checked like a written one) and
    /// warnings. Nothing is stored.
    public func compile(_ id: String, _ request: PolicyCompileRequest, for caller: Caller) async throws -> CompiledPolicy {
        try caller.requireAdmin()
        guard try await RegistryRepository(store: domain.state).get(id: id) != nil else { throw ServiceError.notFound("Table not found") }
        guard let engine = domain.dataPlane.orchestrator.engine, engine.tables[id] != nil else {
            throw ServiceError.notFound("table '\(id)' has no data yet: its columns are known after its first sync")
        }
        do {
            let compiled = try PolicyCompiler.compile(request, tableId: id, columns: try await engine.columns(of: id))
            try await engine.withScope(readable: Self.tablesRead(by: id, mapping: []), policies: .bypass) { connection in
                try PolicySQL.checkOutput(of: try PolicySQL.prepare(compiled.sql, tableId: id, mapping: [], using: connection), using: connection)
            }
            return compiled
        } catch let rejection as PolicyRejection {
            throw ServiceError(.unprocessableContent, rejection.description)
        }
    }

    /// The slices `caller` downloads of policied `table`: parquet files of exactly what the policy shows them — one for
    /// a plain table, one per part for a partitioned one — shared with every caller bound to the same values, made on
    /// first need and again after the table, a mapping table or the policy changes. Nil when the table cannot be sliced
    /// here (remote, or not served yet); throws when its policy cannot be applied. With `whole`, a partitioned table is
    /// sliced as one file over all its parts (what a client that downloads whole tables gets).
    public func slices(of table: RegisteredTable, for caller: PolicyCaller, whole: Bool = false) async throws -> PolicySliceSet? {
        guard table.queryMode != .remote, let engine = domain.dataPlane.orchestrator.engine, let served = engine.tables[table.id],
              case let .parquet(files) = served.rows else { return nil }
        guard case let .applied(policy) = engine.policy(of: table.id) else {
            throw ServiceError(.internalServerError, "policy_error: the access policy of '\(table.id)' cannot be applied")
        }
        let states = try await domain.catalogSnapshot().states
        // The version: the policy as the engine applies it and the synced data of every table it reads.
        let read = [table.id] + policy.mapping.map { $0.lowercased() }.filter { $0 != table.id }
        let version = PolicySlices.hash(([policy.sql, policy.mapping.joined(separator: ",")] + read.map { id in
            let state = states[id]
            return "\(id):\(state?.sha256 ?? ""):\(state?.files ?? ""):\(state?.lastSync?.timeIntervalSince1970 ?? 0)"
        }).joined(separator: "|"))
        let values = PolicySlices.hash(policy.fingerprint(for: caller))
        // A partitioned table's parts, by name, with their files; a plain table is one unnamed part.
        let stored = (try? JSONDecoder().decode([ExtractFile].self, from: Data((states[table.id]?.files ?? "[]").utf8))) ?? []
        var parts: [(name: String?, files: [String])] = [(nil, files)]
        if stored.contains(where: { $0.part != nil }), !whole {
            let layout = try ExtractLayout(extractsDirectory: domain.dataPlane.extractsDirectory, source: served.source)
            parts = stored.compactMap { file in file.part.map { ($0, [layout.directory.appendingPathComponent(file.path).standardizedFileURL.path]) } }
        }
        // The whole of a partitioned table is a slice of its own, named apart from the plain table's.
        let wholeOfParts = whole && stored.contains(where: { $0.part != nil })
        var made: [PolicySliceSet.File] = []
        do {
            for part in parts {
                let name = part.name.map { "\(values)-\(PolicySlices.hash($0).prefix(12))" } ?? (wholeOfParts ? "\(values)-whole" : values)
                if let existing = domain.slices.existing(tableId: table.id, version: version, values: name) {
                    made.append(.init(part: part.name, slice: existing))
                    continue
                }
                guard let source = try engine.policiedScanSource(of: table.id, files: part.files, for: caller) else { return nil }
                let slices = domain.slices
                let slice = try await NIOThreadPool.singleton.runIfActive {
                    try slices.slice(tableId: table.id, version: version, values: name, source: source)
                }
                made.append(.init(part: part.name, slice: slice))
            }
        } catch let rejection as PolicyRejection {
            throw ServiceError(.internalServerError, rejection.description)
        }
        return PolicySliceSet(files: made)
    }
}
