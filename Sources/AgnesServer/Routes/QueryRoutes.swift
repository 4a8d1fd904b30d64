// `POST /api/query`: one SELECT over the tables the caller may see, run on the locked-down engine with a row cap
// and a time limit, audited with a preview of the SQL, the rows returned and the duration.
import AgnesData
import AgnesState
import DuckDB
import Foundation
import HTTPTypes
import Hummingbird

struct QueryRoutes {
    let services: ServerServices

    static let defaultRows = 1_000
    var limits: QueryLimits { services.configuration.queryLimits }

    struct QueryRequest: Decodable {
        var sql: String
        var limit: Int?
    }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.post("/api/query") { request, context in try await query(request, context) }
    }

    func query(_ request: Request, _ context: AgnesRequestContext) async throws -> Response {
        let identity = try context.requireIdentity()
        let body = try await request.decodeJSON(QueryRequest.self, context: context)
        let limit = min(max(body.limit ?? Self.defaultRows, 1), limits.maximumRows)
        context.audit.record("query.local", params: ["sql_preview": String(body.sql.prefix(200)), "limit": String(limit)])
        guard let engine = services.dataPlane.orchestrator.engine else { throw APIError(.serviceUnavailable, "The query engine is not ready") }

        let tables: Set<String>
        do {
            tables = try await engine.withConnection { try QueryGuard.tables(in: body.sql, using: $0) }
        } catch let rejection as QueryRejection {
            if case .qualifiedTable = rejection { throw APIError(.forbidden, rejection.description) }
            throw APIError.badRequest(rejection.description)
        }
        let authorization = Authorization(services: services)
        for table in tables.sorted() {
            guard engine.tables[table] != nil else {
                throw APIError.badRequest("Query error: table '\(table)' does not exist. List the tables you can query with `agnes catalog`; "
                                          + "remote tables need `agnes snapshot create` or `--remote`.")
            }
            guard try await authorization.isGranted(.table, table, to: identity) else {
                throw APIError(.forbidden, "Access denied to table '\(table)'")
            }
        }
        let started = ContinuousClock.now
        do {
            let result = try await QueryRunner.run(body.sql, limit: limit, maximumBytes: limits.maximumResultBytes,
                                                timeoutMilliseconds: limits.timeoutSeconds * 1000, on: engine)
            let data = try JSONCoding.encoder.encode(result)
            context.audit.record("query.local", resource: tables.sorted().joined(separator: ","),
                                 params: ["rows_returned": String(result.rowCount), "bytes": String(data.count),
                                          "engine_ms": String((ContinuousClock.now - started).milliseconds)])
            return data.response(status: .ok)
        } catch let error as QueryTimedOut {
            throw APIError.badRequest("Query error: \(error.description)")
        } catch let error as DuckDBError {
            throw APIError.badRequest("Query error: \(error.message)")
        }
    }
}
