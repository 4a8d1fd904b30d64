// Data sources (admins): connector instances with a type, a JSON configuration and the names of the environment
// variables that hold their secrets (never the secrets); a test reads the source as a sync would, writing nothing.
import AgnesAPI
import AgnesData
import AgnesState
import DuckDB
import Foundation
import NIOPosix

/// The use cases of data sources.
public struct SourceService: Sendable {
    let domain: Domain

    var sources: DataSourcesRepository { DataSourcesRepository(store: domain.state) }

    /// Every data source.
    public func list(for caller: Caller) async throws -> [SourceInfo] {
        try caller.requireAdmin()
        return try await sources.list().map(Self.info)
    }

    /// Creates (`name` nil: the body names it; 409 when taken) or replaces (404 when missing) a source; `created` says which.
    public func save(_ request: SourceRequest, name pathName: String?, for caller: Caller) async throws -> (source: SourceInfo, created: Bool) {
        try caller.requireAdmin()
        guard let name = pathName ?? request.name else { throw ServiceError(.unprocessableContent, "Data source name is required") }
        caller.audit.record(pathName == nil ? "source.create" : "source.update", resource: "source:\(name)", params: ["type": request.type])
        guard ExtractLayout.isValidSourceName(name) else {
            throw ServiceError.badRequest("Data source name '\(name)' must start with a letter or _ and contain only letters, digits and _")
        }
        guard case .object = request.config else {
            throw ServiceError.unprocessable([FieldError(type: "dict_type", loc: ["body", "config"], msg: "config must be an object")])
        }
        let secretEnv = request.secretEnv ?? []
        if let bad = secretEnv.first(where: { !Self.isEnvironmentName($0) }) {
            throw ServiceError.badRequest("secret_env holds names of environment variables; '\(bad)' is not one")
        }
        let exists = try await sources.get(name: name) != nil
        if pathName == nil, exists { throw ServiceError.conflict("Data source '\(name)' already exists") }
        if pathName != nil, !exists { throw ServiceError.notFound("Data source not found") }
        let config = String(decoding: try JSONEncoder().encode(request.config), as: UTF8.self)
        do { _ = try Connectors.make(DataSource(name: name, type: request.type, config: config, secretEnv: secretEnv)) } catch let error as ConnectorError {
            throw ServiceError.badRequest(error.description)
        }
        let source = try await sources.upsert(name: name, type: request.type, config: config, secretEnv: secretEnv)
        return (Self.info(source), !exists)
    }

    /// Deletes a source (404 when missing, 409 while tables are registered on it).
    public func delete(_ name: String, for caller: Caller) async throws {
        try caller.requireAdmin()
        caller.audit.record("source.delete", resource: "source:\(name)")
        let users = try await RegistryRepository(store: domain.state).list().filter { $0.sourceName == name }.map(\.id).sorted()
        if !users.isEmpty {
            throw ServiceError.conflict("Data source '\(name)' is in use by \(users.count) table(s): \(users.prefix(10).joined(separator: ", ")); "
                                        + "unregister them or register them on another source first")
        }
        do { try await sources.delete(name: name) } catch StateError.notFound { throw ServiceError.notFound("Data source not found") }
    }

    /// Reads the source as a sync would (without writing anything) and says what it found. Hosts must pass the SSRF
    /// policy (400 otherwise).
    public func test(_ name: String, for caller: Caller) async throws -> SourceTestResult {
        try caller.requireAdmin()
        caller.audit.record("source.test", resource: "source:\(name)")
        guard let source = try await sources.get(name: name) else { throw ServiceError.notFound("Data source not found") }
        let policy = NetworkPolicy(allowPrivateHosts: domain.settings.allowPrivateSourceHosts)
        let result: SourceTestResult
        do {
            let connector = try Connectors.make(source)
            let message = if let staged = connector as? any StagedConnector {
                try await staged.check(policy: policy)
            } else {
                try await NIOThreadPool.singleton.runIfActive { try Database.withScratchConnection { try connector.test(on: $0, policy: policy) } }
            }
            result = SourceTestResult(ok: true, message: message, error: nil)
        } catch let error as ConnectorError where error.description.contains("internal address") || error.description.contains("does not resolve") {
            throw ServiceError.badRequest(error.description)
        } catch let error as ConnectorError {
            result = SourceTestResult(ok: false, message: nil, error: error.description)
        } catch let error as DuckDBError {
            result = SourceTestResult(ok: false, message: nil, error: error.message)
        }
        caller.audit.add(params: ["ok": String(result.ok)])
        return result
    }

    /// The tables a source offers for registration (its API's listing: Keboola's tables, Jira's three); 422 for a
    /// source type that cannot list them.
    public func tables(of name: String, for caller: Caller) async throws -> [SourceTableListing] {
        try caller.requireAdmin()
        caller.audit.record("source.tables", resource: "source:\(name)")
        caller.audit.markRead()
        guard let source = try await sources.get(name: name) else { throw ServiceError.notFound("Data source not found") }
        let connector: any Connector
        do { connector = try Connectors.make(source) } catch let error as ConnectorError { throw ServiceError.badRequest(error.description) }
        guard let staged = connector as? any StagedConnector else {
            throw ServiceError(.unprocessableContent, "a \(source.type) source does not list its tables here: name the table or file in source_table")
        }
        do { return try await staged.listTables() } catch let error as ConnectorError { throw ServiceError.badRequest(error.description) }
    }

    static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("A"..."Z").contains(first), name.count <= 64 else { return false }
        return name.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    static func info(_ source: DataSource) -> SourceInfo {
        SourceInfo(name: source.name, type: source.type, config: (try? JSONDecoder().decode(JSONValue.self, from: Data(source.config.utf8))) ?? .object([:]),
                   secretEnv: source.secretEnv, createdAt: source.createdAt, updatedAt: source.updatedAt)
    }
}
