// Editing the registry and the data sources from the web UI: register, edit and unregister a table; add, edit and
// test a source — through `RegistryService` and `SourceService`, as the API and `agnes admin` do.
import AgnesAPI
import AgnesDomain
import AgnesState
import Foundation

extension WebUI {
    /// The values the table form shows: the table's fields, or empty ones for a new registration.
    func tableFormValues(_ table: RegisteredTable?, for caller: Caller) async throws -> [String: Any] {
        let sources = try await domain.sources.list(for: caller).map(\.name)
        func options<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ current: T?) -> [[String: Any]] where T.RawValue == String {
            T.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == current?.rawValue] }
        }
        return [
            "source_options": sources.map { ["name": $0, "selected": $0 == table?.sourceName] },
            "mode_options": options(QueryMode.self, table?.queryMode), "strategy_options": options(SyncStrategy.self, table?.syncStrategy),
            "name": table?.name ?? "", "source_table": table?.sourceTable ?? "", "source_query": table?.sourceQuery ?? "",
            "sync_schedule": table?.syncSchedule ?? "", "primary_key": table?.primaryKey.joined(separator: ", ") ?? "",
            "incremental_column": table?.incrementalColumn ?? "", "partition_by": table?.partitionBy ?? "", "folder": table?.folder ?? "",
            "description": table?.description ?? "",
        ]
    }

    /// The registry fields a form gives; an empty field leaves the value as it is.
    static func tableFields(_ fields: [String: String]) throws -> TableFields {
        func value(_ name: String) -> String? { fields[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 } }
        func choice<T: RawRepresentable>(_ name: String, _ type: T.Type) throws -> T? where T.RawValue == String {
            guard let text = value(name) else { return nil }
            guard let choice = T(rawValue: text) else { throw ServiceError.badRequest("'\(text)' is not a valid \(name.replacingOccurrences(of: "_", with: " "))") }
            return choice
        }
        return TableFields(name: value("name"), sourceName: value("source_name"), sourceTable: value("source_table"), sourceQuery: value("source_query"),
                           queryMode: try choice("query_mode", QueryMode.self), syncStrategy: try choice("sync_strategy", SyncStrategy.self),
                           syncSchedule: value("sync_schedule"),
                           primaryKey: value("primary_key").map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } },
                           incrementalColumn: value("incremental_column"), partitionBy: value("partition_by"), folder: value("folder"),
                           description: value("description"))
    }

    /// `/admin/tables/{id}`: the edit form.
    public func tableEditor(_ id: String, _ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        guard let entry = try await domain.registry.list(for: request.caller).tables.first(where: { $0.table.id == id }) else {
            throw ServiceError.notFound("Table not found")
        }
        var values = try await tableFormValues(entry.table, for: request.caller)
        values["id"] = id
        return renderer.page("admin_table", title: id, values: values, chrome: chrome)
    }

    /// The registration form.
    public func registerTable(_ fields: [String: String], for caller: Caller) async throws -> String {
        let registered = try await domain.registry.register(try Self.tableFields(fields), for: caller)
        return "Registered \(registered.id); sync it from the Sync page to load it now."
    }

    /// The edit form of table `id`.
    public func updateTable(_ id: String, _ fields: [String: String], for caller: Caller) async throws -> String {
        let updated = try await domain.registry.update(id, try Self.tableFields(fields), for: caller)
        return "Saved \(updated.id)."
    }

    /// The unregister button of table `id`.
    public func unregisterTable(_ id: String, for caller: Caller) async throws -> String {
        try await domain.registry.unregister(id, for: caller)
        return "Unregistered \(id); analysts lose it at their next pull."
    }

    /// The values the source form shows.
    func sourceFormValues(_ source: SourceInfo?) -> [String: Any] {
        let config = source.flatMap { try? JSONCoding.encoder.encode($0.config) }.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let current = source?.type ?? ""
        let types: [[String: Any]] = ["files", "sqlite", "postgres", "mysql"].map { type in ["value": type, "selected": type == current] }
        return ["type_options": types,
                "config": config, "secret_env": source?.secretEnv.joined(separator: ", ") ?? ""]
    }

    /// `/admin/sources/{name}`: the edit form.
    public func sourceEditor(_ name: String, _ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        guard let source = try await domain.sources.list(for: request.caller).first(where: { $0.name == name }) else {
            throw ServiceError.notFound("Data source not found")
        }
        var values = sourceFormValues(source)
        values["name"] = name
        return renderer.page("admin_source", title: name, values: values, chrome: chrome)
    }

    /// The add form (`name` nil) or the edit form of source `name`.
    public func saveSource(_ fields: [String: String], name: String?, for caller: Caller) async throws -> String {
        guard let config = try? JSONCoding.decoder.decode(JSONValue.self, from: Data((fields["config"] ?? "").utf8)), case .object = config else {
            throw ServiceError.badRequest("The configuration must be a JSON object, for example {\"directory\": \"/srv/exports\"}")
        }
        let secretEnv = (fields["secret_env"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let request = SourceRequest(name: name ?? fields["name"], type: fields["type"] ?? "", config: config, secretEnv: secretEnv)
        let saved = try await domain.sources.save(request, name: name, for: caller)
        return "\(saved.created ? "Added" : "Saved") the source \(saved.source.name); test it to see what it reads."
    }

    /// The test button of source `name`: what a read found, or why it failed.
    public func testSource(_ name: String, for caller: Caller) async throws -> String {
        let result = try await domain.sources.test(name, for: caller)
        guard result.ok else { throw ServiceError.badRequest("\(name): \(result.error ?? "the test failed")") }
        return "\(name): \(result.message ?? "ok")"
    }
}
