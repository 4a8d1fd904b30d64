// Upstream's named connections over our data sources: the same sources, rules and checks (`SourceService`), read and
// written with upstream's fields. `token_env` is the connector's secret variable (`token_env` for Keboola,
// `password_env` for the database servers), kept in the source's configuration and its `secret_env`.
import AgnesAPI
import AgnesState
import Foundation

extension SourceService {
    /// The configuration key that names a connector type's secret variable.
    static func secretKey(of type: String) -> String? {
        switch type {
        case "keboola": "token_env"
        case "postgres", "mysql": "password_env"
        default: nil
        }
    }

    /// Every data source as a named connection.
    public func connections(for caller: Caller) async throws -> [SourceConnection] {
        try caller.requireAdmin()
        let all = try await sources.list()
        let usage = try await tablesBySource()
        return all.map { connection($0, of: all, tables: usage[$0.name] ?? 0) }
    }

    /// One connection (404 when missing).
    public func connection(_ id: String, for caller: Caller) async throws -> SourceConnection {
        try caller.requireAdmin()
        let all = try await sources.list()
        guard let source = all.first(where: { $0.name == id }) else { throw ServiceError.notFound("Connection not found") }
        return connection(source, of: all, tables: try await tablesBySource()[id] ?? 0)
    }

    /// Creates (409 when the name is taken) or replaces (404 when missing) a connection, as `save` does a source.
    public func saveConnection(_ request: SourceConnectionRequest, id: String?, for caller: Caller) async throws -> (SourceConnection, created: Bool) {
        var config = request.config ?? .object([:])
        var secretEnv: [String] = []
        if let variable = request.tokenEnv {
            guard let key = Self.secretKey(of: request.sourceType) else {
                throw ServiceError.badRequest("a \(request.sourceType) connection has no secret: leave token_env out")
            }
            guard case var .object(fields) = config else {
                throw ServiceError.unprocessable([FieldError(type: "dict_type", loc: ["body", "config"], msg: "config must be an object")])
            }
            fields[key] = .string(variable)
            config = .object(fields)
            secretEnv = [variable]
        }
        let saved = try await save(SourceRequest(name: request.name, type: request.sourceType, config: config, secretEnv: secretEnv), name: id, for: caller)
        return (try await connection(saved.source.name, for: caller), saved.created)
    }

    /// Tables registered per source name.
    private func tablesBySource() async throws -> [String: Int] {
        try await RegistryRepository(store: domain.state).list().reduce(into: [:]) { counts, table in
            if let name = table.sourceName { counts[name, default: 0] += 1 }
        }
    }

    private func connection(_ source: DataSource, of all: [DataSource], tables: Int) -> SourceConnection {
        let info = Self.info(source)
        let variable = Self.secretKey(of: source.type).flatMap { key -> String? in
            if case let .string(name)? = info.config[key] { return name }
            return nil
        } ?? source.secretEnv.first
        return SourceConnection(name: source.name, sourceType: source.type, config: info.config, tokenEnv: variable,
                                isDefault: all.filter { $0.type == source.type }.count == 1, tables: tables,
                                createdAt: source.createdAt, updatedAt: source.updatedAt)
    }
}
