// Access policies are checked and rewritten from DuckDB's parse tree; the caller's values reach them only as bound
// variables, so a group name full of SQL stays a value, and `_` / `%` in group names are plain characters.
@testable import AgnesData
import DuckDB
import Foundation
import Testing

@Suite("access policy SQL")
struct PolicySQLTests {
    let database: Database
    let connection: Connection

    init() throws {
        database = try Database()
        connection = try database.connect()
        try connection.execute("""
            CREATE TABLE orders AS SELECT * FROM (VALUES (1, 'emea', 'alice@x', 10.0), (2, 'us', 'bob@x', 20.0), (3, 'emea_%', 'carol@x', 30.0))
                t(id, unit, owner, secret)
            """)
        try connection.execute("CREATE TABLE owners AS SELECT * FROM (VALUES ('alice@x', 'us')) t(email, unit)")
    }

    func prepare(_ sql: String, mapping: [String] = []) throws -> PreparedPolicy {
        try PolicySQL.prepare(sql, tableId: "orders", mapping: mapping, using: connection)
    }

    /// Rows of the policy's view for `caller`, evaluated as a grant scope does: the variables bound on the connection.
    func visible(_ policy: PreparedPolicy, as caller: PolicyCaller) throws -> [String] {
        let session = try database.connect()
        defer { session.close() }
        try PolicyBinding.bind(caller, on: session)
        return try session.query("SELECT * FROM (\(policy.body)) ORDER BY ALL").rows().map { $0.values.map(\.description).joined(separator: "|") }
    }

    @Test("variables become getvariable calls rendered by DuckDB; the text holds no caller value")
    func rewrite() throws {
        let policy = try prepare("SELECT * EXCLUDE (secret) FROM orders WHERE list_contains($user_groups, unit) OR owner = $user_email")
        #expect(policy.variables == [.userGroups, .userEmail])
        #expect(policy.body.contains("getvariable('agnes_user_groups')") && policy.body.contains("getvariable('agnes_user_email')"))
        #expect(!policy.body.contains("$"))
        #expect(try visible(policy, as: PolicyCaller(email: "bob@x", userId: "u1", groups: ["emea"])) == ["1|emea|alice@x", "2|us|bob@x"])
        // `_` and `%` are characters of a group name, not patterns; SQL in a group name is a value.
        #expect(try visible(policy, as: PolicyCaller(email: "n@x", userId: "u2", groups: ["emea_%"])) == ["3|emea_%|carol@x"])
        #expect(try visible(policy, as: PolicyCaller(email: "' OR true --", userId: "u3", groups: ["') OR true --"])).isEmpty)
    }

    @Test("a caller without bound values sees nothing (fails closed)")
    func unboundSeesNothing() throws {
        let policy = try prepare("SELECT id FROM orders WHERE list_contains($user_groups, unit)")
        #expect(try connection.query("SELECT count(*) FROM (\(policy.body))").rows().first?.values.first?.description == "0")
    }

    @Test("a mapping table may be joined when listed")
    func mapping() throws {
        let sql = "SELECT o.* FROM orders o JOIN owners w ON w.unit = o.unit WHERE w.email = $user_email"
        #expect(throws: PolicyRejection.self) { try prepare(sql) }
        let policy = try prepare(sql, mapping: ["owners"])
        #expect(try visible(policy, as: PolicyCaller(email: "alice@x", userId: "u", groups: [])) == ["2|us|bob@x|20.0"])
    }

    @Test("refuses what a policy may not be, with upstream's reasons", arguments: [
        ("SELECT 1; SELECT 2", "policy_not_single_select"),
        ("DELETE FROM orders", "policy_forbidden_statement"),
        ("SELECT * FROM orders JOIN owners USING (unit)", "policy_unlisted_table_reference"),
        ("SELECT * FROM main.orders", "policy_unlisted_table_reference"),
        ("SELECT * FROM orders WHERE owner LIKE $user_email", "policy_var_in_pattern_position"),
        ("SELECT * FROM orders WHERE owner ILIKE concat($user_email, '%')", "policy_var_in_pattern_position"),
        ("SELECT * FROM orders WHERE regexp_matches(owner, $user_id)", "policy_var_in_pattern_position"),
        ("SELECT COLUMNS($user_email) FROM orders", "policy_var_in_identifier_position"),
        ("SELECT struct_extract({'a': 1}, $user_id) FROM orders", "policy_var_in_identifier_position"),
        ("SELECT * FROM orders WHERE unit = $region", "policy_unknown_variable"),
        ("SELECT * FROM orders WHERE unit = $1", "policy_unknown_variable"),
        ("SELECT * FROM orders WHERE unit = getvariable('agnes_user_id')", "policy_disallowed_construct"),
        ("SELECT * FROM read_csv('/etc/passwd')", "policy_disallowed_construct"),
        ("SELECT getenv('HOME') FROM orders", "policy_disallowed_construct"),
    ])
    func refusals(sql: String, reason: String) {
        #expect { try prepare(sql) } throws: { ($0 as? PolicyRejection)?.reason == reason }
    }

    @Test("output columns must be unique and bind against the table")
    func output() throws {
        #expect { try PolicySQL.checkOutput(of: try prepare("SELECT id, unit AS id FROM orders"), using: connection) } throws: {
            ($0 as? PolicyRejection)?.reason == "policy_duplicate_output_column"
        }
        #expect { try PolicySQL.checkOutput(of: try prepare("SELECT nope FROM orders"), using: connection) } throws: {
            ($0 as? PolicyRejection)?.reason == "policy_invalid"
        }
        try PolicySQL.checkOutput(of: try prepare("SELECT id, md5(owner) AS owner FROM orders"), using: connection)
    }

    @Test("the fingerprint changes with the policy and with the values it reads, not with values it ignores")
    func fingerprint() throws {
        let byGroup = try prepare("SELECT * FROM orders WHERE list_contains($user_groups, unit)")
        let a = PolicyCaller(email: "a@x", userId: "1", groups: ["emea", "us"]), b = PolicyCaller(email: "b@x", userId: "2", groups: ["us", "emea"])
        #expect(byGroup.fingerprint(for: a) == byGroup.fingerprint(for: b))
        #expect(byGroup.fingerprint(for: a) != byGroup.fingerprint(for: PolicyCaller(email: "a@x", userId: "1", groups: ["emea"])))
        let byEmail = try prepare("SELECT * FROM orders WHERE owner = $user_email")
        #expect(byEmail.fingerprint(for: a) != byEmail.fingerprint(for: b) && byEmail.fingerprint(for: a) != byGroup.fingerprint(for: a))
    }
}
