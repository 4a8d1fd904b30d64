// `POST /api/query`: one SELECT over the tables the caller may see, run in the caller's grant scope (a DuckDB holding
// only those tables) with a row cap, a byte cap, a time limit and a per-user concurrency limit, interrupted when the
// client goes away, audited with a preview of the SQL, the tables it read, the rows returned and the duration.
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
        // The scope holds every table the caller may read, so callers with the same grants share one.
        let readable = Set(try await Authorization(services: services).readableTables(for: identity).map(\.id))
        for table in tables.sorted() {
            guard engine.tables[table] != nil else {
                throw APIError.badRequest("Query error: table '\(table)' does not exist. List the tables you can query with `agnes catalog`; "
                                          + "remote tables need `agnes snapshot create` or `--remote`.")
            }
            guard readable.contains(table) else { throw APIError(.forbidden, "Access denied to table '\(table)'") }
        }
        let started = ContinuousClock.now
        let deadline = QueryDeadline(milliseconds: limits.timeoutSeconds * 1000)
        do {
            let result = try await context.untilClientLeaves({ deadline.cancel() }) {
                try await services.queryConcurrency.run(for: identity.user.id) {
                    try await QueryRunner.run(body.sql, limit: limit, maximumBytes: limits.maximumResultBytes, deadline: deadline,
                                              on: engine, readable: readable)
                }
            }
            let data = try JSONCoding.encoder.encode(result)
            context.audit.record("query.local", resource: tables.sorted().joined(separator: ","),
                                 params: ["rows_returned": String(result.rowCount), "bytes": String(data.count),
                                          "engine_ms": String((ContinuousClock.now - started).milliseconds)])
            return data.response(status: .ok)
        } catch let error as QueryTimedOut {
            throw APIError.badRequest("Query error: \(error.description)")
        } catch let error as RowTooLarge {
            throw APIError.badRequest("Query error: \(error.description)")
        } catch let error as QueryCancelled {
            throw APIError.badRequest("Query error: \(error.description)")
        } catch let error as DuckDBError {
            services.logger.info("query failed", metadata: ["request_id": .string(context.requestId), "error": .string(error.message)])
            throw APIError.badRequest("Query error: \(PublicErrorMessage.of(error))")
        }
    }
}
