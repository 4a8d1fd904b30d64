// The legacy file layout and how each file's records map onto state tables.
import AgnesAPI
import DuckDB
import Foundation

/// Rows read from one legacy file, shaped for one state table.
struct StagedTable {
    let file: String
    let table: String
    let columns: [String]
    let keyColumns: [String]
    var rows: [[DuckDBValue]] = []
    /// For each row, where it came from (for validation messages).
    var labels: [String] = []
    /// Fields present in the file that no column holds.
    var ignoredFields: Set<String> = []

    mutating func add(_ values: [DuckDBValue], label: String, record: LegacyRecord) {
        precondition(values.count == columns.count)
        rows.append(values)
        labels.append(label)
        ignoredFields.formUnion(record.unusedFields)
    }

    /// The key of row `index`, as text.
    func key(of row: [DuckDBValue]) -> String {
        keyColumns.map { row[columns.firstIndex(of: $0)!].description }.joined(separator: "\u{1F}")
    }
}

/// The files the older Agnes kept, relative to its data directory, in the order they are imported.
enum LegacyFile: String, CaseIterable, Sendable {
    case users = "auth/users.json"
    case registry = "table_registry.json"
    case syncState = "src_data/metadata/sync_state.json"
    case profiles = "src_data/metadata/profiles.json"
    case knowledge = "corporate-memory/knowledge.json"
    case votes = "corporate-memory/votes.json"
    case telegram = "notifications/telegram_users.json"
    case syncSettings = "notifications/sync_settings.json"
}

/// Turns parsed legacy files into staged rows.
struct LegacyMapper {
    /// Existing users by email, so a legacy user with a known email keeps the existing id.
    var userIdsByEmail: [String: String]
    /// Emails of legacy users with `role: admin`: they become members of `Admin`.
    var administrators: [String] = []
    /// Legacy table ids that were not valid ids, with the ids they became.
    var renamedTables: [String: String] = [:]

    /// The registry id a legacy table id becomes: the same when it is valid, else lower-cased with every character
    /// that is not a letter, digit or `_` (a `.` or `-` of the older ids) replaced by `_`, prefixed `t_` when it does
    /// not start with a letter. The same in every file, so sync state and profiles follow their table.
    static func tableId(forLegacy id: String) -> String {
        if RegisteredTable.isValidId(id) { return id }
        var mapped = String(id.lowercased().unicodeScalars.map { scalar -> Character in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" ? Character(scalar) : "_"
        })
        if mapped.first.map({ !("a"..."z").contains($0) }) ?? true { mapped = "t_" + mapped }
        return String(mapped.prefix(63))
    }

    mutating func stage(_ file: LegacyJSONFile, as kind: LegacyFile) throws -> StagedTable {
        switch kind {
        case .users: return try users(file)
        case .registry: return try registry(file)
        case .syncState: return try syncState(file)
        case .profiles: return try profiles(file)
        case .knowledge: return try knowledge(file)
        case .votes: return try votes(file)
        case .telegram: return try telegram(file)
        case .syncSettings: return try syncSettings(file)
        }
    }

    /// Records of a file that holds a list, `{"<key>": [list]}`, or an object keyed by an id.
    private func records(_ file: LegacyJSONFile, listKey: String, idField: String) throws -> [LegacyRecord] {
        var elements: [(String?, Any)] = []
        switch file.root {
        case let list as [Any]: elements = list.map { (nil, $0) }
        case let object as [String: Any]:
            if let list = object[listKey] as? [Any] { elements = list.map { (nil, $0) } }
            else { elements = object.keys.sorted().map { ($0, object[$0]!) } }
        default: throw StateError.invalid("\(file.name): expected a list or an object of records")
        }
        return try elements.enumerated().map { index, element in
            guard var fields = element.1 as? [String: Any] else {
                throw StateError.invalid("\(file.name) record \(index + 1): expected an object")
            }
            if let key = element.0, fields[idField] == nil { fields[idField] = key }
            return LegacyRecord(fields, label: "\(file.name) record \(index + 1)")
        }
    }

    private func timestamp(_ date: Date?) -> DuckDBValue { date.map { .timestampTZ(DuckDBTimestamp($0)) } ?? .null }
    private func text(_ value: String?) -> DuckDBValue { value.map(DuckDBValue.string) ?? .null }

    mutating func users(_ file: LegacyJSONFile) throws -> StagedTable {
        var staged = StagedTable(file: file.name, table: "users", columns: ["id", "email", "name", "password_hash", "active", "deactivated_at",
                                                                           "deactivated_by", "created_at", "updated_at"], keyColumns: ["id"])
        var seen: Set<String> = []
        for var record in try records(file, listKey: "users", idField: "email") {
            let email = User.normalize(email: try record.requiredString("email"))
            guard UsersRepository.looksLikeEmail(email) else { throw StateError.invalid("\(record.label): '\(email)' is not an email address") }
            guard seen.insert(email).inserted else { throw StateError.invalid("\(record.label): email \(email) appears twice") }
            let legacyId = try record.string("id")
            let id = userIdsByEmail[email] ?? legacyId ?? "legacy:\(email)"
            if try record.string("role")?.lowercased() == "admin" { administrators.append(email) }
            let created = try record.date("created_at") ?? file.modified
            staged.add([.string(id), .string(email), text(try record.string("name")), text(try record.string("password_hash")),
                        .bool(try record.bool("active") ?? true), timestamp(try record.date("deactivated_at")),
                        text(try record.string("deactivated_by")), timestamp(created), timestamp(try record.date("updated_at") ?? created)],
                       label: "\(record.label) (\(email))", record: record)
        }
        return staged
    }

    mutating func registry(_ file: LegacyJSONFile) throws -> StagedTable {
        var staged = StagedTable(file: file.name, table: "table_registry", columns: [
            "id", "name", "source_name", "source_type", "bucket", "source_table", "source_query", "query_mode", "sync_strategy",
            "sync_schedule", "primary_key", "incremental_column", "partition_by", "folder", "description", "registered_by",
            "registered_at", "updated_at"], keyColumns: ["id"])
        var names: Set<String> = []
        var ids: [String: String] = [:]
        for var record in try records(file, listKey: "tables", idField: "id") {
            let legacyId = try record.requiredString("id")
            let id = Self.tableId(forLegacy: legacyId)
            if let other = ids[id] {
                throw StateError.invalid("\(record.label): table ids '\(other)' and '\(legacyId)' both become '\(id)'; rename one in \(file.name)")
            }
            ids[id] = legacyId
            if id != legacyId { renamedTables[legacyId] = id }
            // A renamed table keeps the id it had as its display name, so its users still find it.
            let givenName = try record.string("name")
            let name = id == legacyId ? givenName ?? id : legacyId
            guard names.insert(name).inserted else { throw StateError.invalid("\(record.label): table name \(name) appears twice") }
            let queryMode = try record.string("query_mode") ?? "local"
            guard QueryMode(rawValue: queryMode) != nil else { throw StateError.invalid("\(record.label): unknown query_mode '\(queryMode)'") }
            let strategy = try record.string("sync_strategy") ?? "full_refresh"
            guard SyncStrategy(rawValue: strategy) != nil else { throw StateError.invalid("\(record.label): unknown sync_strategy '\(strategy)'") }
            let registered = try record.date("registered_at") ?? file.modified
            let values: [DuckDBValue] = [
                .string(id), .string(name), text(try record.string("source_name")), text(try record.string("source_type")),
                text(try record.string("bucket")), text(try record.string("source_table")), text(try record.string("source_query")),
                .string(queryMode), .string(strategy), text(try record.string("sync_schedule")),
                .list((try record.strings("primary_key") ?? []).map(DuckDBValue.string)), text(try record.string("incremental_column")),
                text(try record.string("partition_by")), text(try record.string("folder")), text(try record.string("description")),
                text(try record.string("registered_by")), timestamp(registered), timestamp(try record.date("updated_at") ?? registered),
            ]
            staged.add(values, label: "\(record.label) (\(id))", record: record)
        }
        return staged
    }

    func syncState(_ file: LegacyJSONFile) throws -> StagedTable {
        guard let object = file.root as? [String: Any], let tables = object["tables"] as? [String: Any] else {
            throw StateError.invalid("\(file.name): expected {\"tables\": {<table id>: {…}}}")
        }
        var staged = StagedTable(file: file.name, table: "sync_state", columns: ["table_id", "last_sync", "rows", "file_size_bytes", "columns",
                                                                                "md5", "status"], keyColumns: ["table_id"])
        for (index, id) in tables.keys.sorted().enumerated() {
            guard let fields = tables[id] as? [String: Any] else { throw StateError.invalid("\(file.name) table \(id): expected an object") }
            var record = LegacyRecord(fields, label: "\(file.name) record \(index + 1) (\(id))")
            let lastSync = try record.date("last_sync")
            let columns = try record.int("columns")
            staged.add([.string(Self.tableId(forLegacy: id)), timestamp(lastSync), (try record.int("rows")).map(DuckDBValue.int64) ?? .null,
                        (try record.int("file_size_bytes")).map(DuckDBValue.int64) ?? .null,
                        columns.map { .int32(Int32(clamping: $0)) } ?? .null, text(try record.string("hash")),
                        .string(lastSync == nil ? "never" : "ok")], label: record.label, record: record)
        }
        return staged
    }

    func profiles(_ file: LegacyJSONFile) throws -> StagedTable {
        guard let object = file.root as? [String: Any] else { throw StateError.invalid("\(file.name): expected {<table id>: profile}") }
        var staged = StagedTable(file: file.name, table: "table_profiles", columns: ["table_id", "profile", "profiled_at"], keyColumns: ["table_id"])
        for (index, id) in object.keys.sorted().enumerated() {
            guard let profile = object[id] as? [String: Any] else { throw StateError.invalid("\(file.name) table \(id): expected an object") }
            // The whole profile is kept, unknown fields included.
            let json = String(decoding: try JSONSerialization.data(withJSONObject: profile, options: [.sortedKeys]), as: UTF8.self)
            var record = LegacyRecord(profile, label: "\(file.name) record \(index + 1) (\(id))")
            let profiled = try record.date("profiled_at") ?? file.modified
            record = LegacyRecord([:], label: record.label)
            staged.add([.string(Self.tableId(forLegacy: id)), .string(json), timestamp(profiled)], label: record.label, record: record)
        }
        return staged
    }

    func knowledge(_ file: LegacyJSONFile) throws -> StagedTable {
        var staged = StagedTable(file: file.name, table: "knowledge_items", columns: [
            "id", "title", "content", "category", "domain", "tags", "status", "audience", "sensitivity", "source_user", "source_type",
            "source_ref", "contributors", "confidence", "supersedes", "valid_from", "valid_until", "created_at", "updated_at"],
            keyColumns: ["id"])
        for var record in try records(file, listKey: "items", idField: "id") {
            let id = try record.requiredString("id")
            let legacyStatus = try record.string("status") ?? "proposed"
            let status: KnowledgeStatus
            switch legacyStatus {
            case "pending", "proposed", "new": status = .proposed
            default:
                guard let known = KnowledgeStatus(rawValue: legacyStatus) else {
                    throw StateError.invalid("\(record.label) (\(id)): unknown status '\(legacyStatus)'")
                }
                status = known
            }
            let created = try record.date("created_at") ?? file.modified
            staged.add([
                .string(id), .string(try record.requiredString("title")), text(try record.string("content")), text(try record.string("category")),
                text(try record.string("domain")), .list((try record.strings("tags") ?? []).map(DuckDBValue.string)), .string(status.rawValue),
                text(try record.string("audience")), text(try record.string("sensitivity")), text(try record.string("source_user")),
                text(try record.string("source_type")), text(try record.string("source_ref")),
                .list((try record.strings("contributors") ?? []).map(DuckDBValue.string)), (try record.double("confidence")).map(DuckDBValue.double) ?? .null,
                text(try record.string("supersedes")), timestamp(try record.date("valid_from")), timestamp(try record.date("valid_until")),
                timestamp(created), timestamp(try record.date("updated_at") ?? created),
            ], label: "\(record.label) (\(id))", record: record)
        }
        return staged
    }

    func votes(_ file: LegacyJSONFile) throws -> StagedTable {
        var staged = StagedTable(file: file.name, table: "knowledge_votes", columns: ["item_id", "user_id", "vote", "voted_at"], keyColumns: ["item_id", "user_id"])
        func add(_ record: inout LegacyRecord, item: String, user: String) throws {
            guard let vote = try record.int("vote"), vote == 1 || vote == -1 else { throw StateError.invalid("\(record.label): vote must be 1 or -1") }
            staged.add([.string(item), .string(user), .int32(Int32(vote)), timestamp(try record.date("voted_at") ?? file.modified)],
                       label: record.label, record: record)
        }
        switch file.root {
        case let list as [Any]:
            for (index, element) in list.enumerated() {
                guard let fields = element as? [String: Any] else { throw StateError.invalid("\(file.name) record \(index + 1): expected an object") }
                var record = LegacyRecord(fields, label: "\(file.name) record \(index + 1)")
                let item = try record.requiredString("item_id")
                let userId = try record.string("user_id")
                let user = try userId ?? record.requiredString("user")
                try add(&record, item: item, user: user)
            }
        case let object as [String: Any]:
            // {"<item id>": {"<user>": 1 | -1 | {"vote": …, "voted_at": …}}}
            var index = 0
            for item in object.keys.sorted() {
                guard let byUser = object[item] as? [String: Any] else { throw StateError.invalid("\(file.name) item \(item): expected an object of votes") }
                for user in byUser.keys.sorted() {
                    index += 1
                    let fields: [String: Any] = (byUser[user] as? [String: Any]) ?? ["vote": byUser[user] as Any]
                    var record = LegacyRecord(fields, label: "\(file.name) record \(index) (\(item), \(user))")
                    try add(&record, item: item, user: user)
                }
            }
        default: throw StateError.invalid("\(file.name): expected a list of votes or {item: {user: vote}}")
        }
        return staged
    }

    func telegram(_ file: LegacyJSONFile) throws -> StagedTable {
        guard let object = file.root as? [String: Any] else { throw StateError.invalid("\(file.name): expected {<email>: {chat_id, linked_at}}") }
        var staged = StagedTable(file: file.name, table: "notification_links", columns: ["user_id", "channel", "address", "linked_at"],
                                 keyColumns: ["user_id", "channel"])
        for (index, email) in object.keys.sorted().enumerated() {
            guard let fields = object[email] as? [String: Any] else { throw StateError.invalid("\(file.name) \(email): expected an object") }
            var record = LegacyRecord(fields, label: "\(file.name) record \(index + 1) (\(email))")
            let normalized = User.normalize(email: email)
            let user = userIdsByEmail[normalized] ?? normalized
            let chat = try record.requiredString("chat_id")
            staged.add([.string(user), .string("telegram"), .string(chat), timestamp(try record.date("linked_at") ?? file.modified)],
                       label: record.label, record: record)
        }
        return staged
    }

    func syncSettings(_ file: LegacyJSONFile) throws -> StagedTable {
        guard let object = file.root as? [String: Any] else { throw StateError.invalid("\(file.name): expected {<user>: {datasets: {…}}}") }
        var staged = StagedTable(file: file.name, table: "user_dataset_settings", columns: ["user_ref", "dataset", "enabled", "updated_at"],
                                 keyColumns: ["user_ref", "dataset"])
        var index = 0
        for user in object.keys.sorted() {
            guard let fields = object[user] as? [String: Any] else { throw StateError.invalid("\(file.name) \(user): expected an object") }
            var record = LegacyRecord(fields, label: "\(file.name) user \(user)")
            _ = record.isPresent("datasets")
            guard let datasets = fields["datasets"] as? [String: Any] else { throw StateError.invalid("\(record.label): field datasets is missing") }
            let updated = try record.date("updated_at") ?? file.modified
            for dataset in datasets.keys.sorted() {
                index += 1
                guard let enabled = datasets[dataset] as? NSNumber else { throw StateError.invalid("\(record.label): dataset \(dataset) should be true or false") }
                staged.add([.string(user), .string(dataset), .bool(enabled.boolValue), timestamp(updated)],
                           label: "\(file.name) record \(index) (\(user), \(dataset))", record: record)
            }
        }
        return staged
    }
}
