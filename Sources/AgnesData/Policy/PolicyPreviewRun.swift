// Trying a policy before it is stored: the rows and columns a persona would see, next to the table as it is. The
// policied side runs in a one-off grant scope built exactly as a caller's would be (with the policy under trial);
// the base side runs in the table's own scope, the rows as they are.
import AgnesAPI
import DuckDB
import Foundation
import NIOPosix

/// What a policy shows a persona of a table, and the table as it is.
public struct PolicyPreviewRun: Sendable {
    public let policyColumns: [String]
    public let sample: QueryResult
    public let baseColumns: [String]
    public let baseSample: QueryResult
    public let rowsVisible: Int64
    public let rowsTotal: Int64
}

extension QueryEngine {
    /// The columns of served table `id` as they are, with their DuckDB types.
    public func columns(of id: String) async throws -> [PolicyCompiler.Column] {
        struct Described: Decodable { let column_name: String; let column_type: String }
        return try await withConnection { connection in
            try connection.query("DESCRIBE SELECT * FROM main.\(SQL.identifier(id))").decode(Described.self).map { ($0.column_name, $0.column_type) }
        }
    }

    /// Runs `policy` on served table `id` for `caller`: up to `rows` sample rows on each side, and the row counts.
    public func preview(_ policy: PreparedPolicy, of id: String, as caller: PolicyCaller, rows: Int) async throws -> PolicyPreviewRun {
        guard var table = tables[id] else { throw PolicyRejection("policy_error", "table '\(id)' is not served yet (it is served after its first sync)") }
        table.policy = .applied(policy)
        let trial = table
        let quoted = SQL.identifier(id)
        return try await NIOThreadPool.singleton.runIfActive { [self] in
            let scope = try GrantScope(tables: [trial], enforcing: true, engine: tables, settings: settings)
            let policied = try scope.database.connect()
            defer { policied.close() }
            try PolicyBinding.bind(caller, on: policied)
            let asItIs = try self.scope(of: [id], enforcing: false)
            let base = try asItIs.database.connect()
            defer { base.close() }
            func count(_ connection: Connection) throws -> Int64 { try connection.scalar(Int64.self, "SELECT count(*) FROM main.\(quoted)") ?? 0 }
            let sample = try QueryRunner.collect(try policied.query("SELECT * FROM main.\(quoted) LIMIT \(rows)"), limit: rows, maximumBytes: 1 << 20)
            let baseSample = try QueryRunner.collect(try base.query("SELECT * FROM main.\(quoted) LIMIT \(rows)"), limit: rows, maximumBytes: 1 << 20)
            return PolicyPreviewRun(policyColumns: sample.columns, sample: sample, baseColumns: baseSample.columns, baseSample: baseSample,
                                    rowsVisible: try count(policied), rowsTotal: try count(base))
        }
    }
}
