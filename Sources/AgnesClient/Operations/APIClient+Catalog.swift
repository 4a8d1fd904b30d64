// The catalog operations: what tables the caller may read, their schema, profile and a sample, and scans.
import AgnesAPI
import Foundation
import NIOCore

extension APIClient {
    /// `GET /api/catalog/tables`.
    public func catalogTables() async throws -> CatalogTableList {
        try await get("/api/catalog/tables")
    }

    /// `GET /api/v2/catalog`.
    public func catalog() async throws -> Catalog {
        try await get("/api/v2/catalog")
    }

    /// `GET /api/v2/schema/{id}`.
    public func schema(of table: String) async throws -> TableSchema {
        try await get("/api/v2/schema/\(Self.segment(table))")
    }

    /// `GET /api/v2/sample/{id}?n=`.
    public func sample(of table: String, rows: Int) async throws -> TableSample {
        try await get("/api/v2/sample/\(Self.segment(table))?n=\(rows)")
    }

    /// `GET /api/catalog/profile/{id}`; nil when the table has no profile yet.
    public func profile(of table: String) async throws -> CatalogProfile? {
        let reply = try await call(.GET, "/api/catalog/profile/\(Self.segment(table))", accepting: [404])
        return reply.status == 404 ? nil : try reply.decode()
    }

    /// `POST /api/v2/scan/estimate`.
    public func estimateScan(_ request: ScanRequest) async throws -> ScanEstimate {
        try await send(.POST, "/api/v2/scan/estimate", json: request)
    }

    /// `POST /api/v2/scan` as parquet (`Accept`; the server's default is an Arrow stream): streams it into `sink`;
    /// returns the rows the server reports (`X-Agnes-Rows`).
    public func scan(_ request: ScanRequest, into sink: (ByteBuffer) throws -> Void) async throws -> Int64? {
        let (_, headers) = try await stream("/api/v2/scan", method: .POST, body: try Self.json(request),
                                            headers: [("Accept", "application/vnd.apache.parquet")], timeout: .hours(1), into: sink)
        return headers.first(name: "X-Agnes-Rows").flatMap { Int64($0) }
    }
}
