// The pure parts of the MCP tools: arguments read with errors a model can act on, query results fitted into the caps
// with a note that says so, close matches for a misspelt table, and the definitions every tool carries.
import AgnesAPI
@testable import AgnesMCP
import Foundation
import MCP
import Testing

@Suite("MCP tool results")
struct ToolResultTests {
    func result(rows: Int, text: String = "x", truncated: Bool = false) -> QueryResult {
        QueryResult(columns: ["id", "name"], rows: (0..<rows).map { [.integer(Int64($0)), .text(text)] }, rowCount: rows, truncated: truncated)
    }

    @Test("a result within the caps is whole, with no note and no count taken")
    func wholeResult() async {
        let answer = await QueryAnswer.fitting(result(rows: 10), limit: 100, caps: ToolCaps(), remedy: "") {
            Issue.record("no count for a whole result")
            return nil
        }
        #expect(answer.rows.count == 10)
        #expect(!answer.truncated && answer.note == nil && answer.totalRows == nil)
    }

    @Test("a result over the character cap keeps the rows that fit and says how many there are in all")
    func characterCap() async throws {
        let caps = ToolCaps(maximumCharacters: 5_000)
        let answer = await QueryAnswer.fitting(result(rows: 1_000, text: String(repeating: "é\"", count: 20)), limit: 1_000, caps: caps,
                                               remedy: "Narrow it.") { 1_000 }
        #expect(answer.truncated)
        #expect(answer.rows.count > 10 && answer.rows.count < 1_000)
        #expect(answer.totalRows == 1_000)
        let note = try #require(answer.note)
        #expect(note.contains("showing \(answer.rows.count) rows") && note.contains("1,000 rows in all") && note.contains("5,000-character cap"))
        #expect(note.hasSuffix("Narrow it."))
        // The estimate is exact: the rows' JSON fits the cap.
        let json = try JSONEncoder().encode(answer.structured)
        #expect(json.count <= caps.maximumCharacters)
    }

    @Test("a result the server cut at the row limit says so, and says when the count could not be taken")
    func rowLimit() async throws {
        let answer = await QueryAnswer.fitting(result(rows: 3, truncated: true), limit: 3, caps: ToolCaps(), remedy: "") { nil }
        #expect(answer.truncated && answer.rows.count == 3)
        #expect(try #require(answer.note).contains("more rows than shown") && answer.note?.contains("3-row limit") == true)
        #expect(answer.text.contains("Result cut"))
    }

    @Test("JSON lengths are counted as the encoder writes them")
    func jsonLengths() throws {
        for value in ["", "plain", "quote \" and \\ backslash", "tab\tnew\nline", "\u{1}control", "ünïcödé ✓"] {
            let encoded = try JSONEncoder().encode(value)
            #expect(JSONLength.string(value) == encoded.count, "\(value)")
        }
        let row: [ResultCell] = [.integer(-42), .null, .bool(false), .text("a")]
        let encodedRow = try JSONEncoder().encode(row)
        #expect(JSONLength.row(row) == encodedRow.count)
    }

    @Test("arguments: missing, mistyped and unknown ones are named; whole doubles count as integers")
    func arguments() throws {
        let tool = AgnesTool.describe
        #expect(throws: ToolError("'table_id' is required")) { try ToolArguments([:]).string("table_id") }
        #expect(throws: ToolError("'rows' must be a whole number")) { try ToolArguments(["rows": "5"]).integer("rows", default: 5, in: 1...50) }
        #expect(throws: ToolError("'rows' must be between 1 and 50")) { try ToolArguments(["rows": 51]).integer("rows", default: 5, in: 1...50) }
        #expect(try ToolArguments(["rows": .double(7)]).integer("rows", default: 5, in: 1...50) == 7)
        #expect(throws: ToolError("describe has no argument 'tableId'; its arguments are: rows, table_id")) {
            try ToolArguments(["tableId": "orders"]).allowOnly(tool)
        }
        #expect(try ToolArguments(["select": ["a", "b"]]).strings("select") == ["a", "b"])
        #expect(throws: ToolError("'select' must be a list of strings")) { try ToolArguments(["select": [1]]).strings("select") }
    }

    @Test("close matches: a typo, a fragment, nothing for a stranger")
    func closeMatches() {
        let tables = ["orders", "order_items", "customers", "products", "web_sessions"]
        #expect(ClosestNames.matching("ordres", among: tables) == ["orders"])
        #expect(ClosestNames.matching("order", among: tables) == ["order_items", "orders"])
        #expect(ClosestNames.matching("zzzzzzzz", among: tables).isEmpty)
    }

    @Test("every tool has a description, an object schema and hints; only the workspace's tools change anything but memory")
    func definitions() {
        let tools = AgnesTool.all(ToolCaps())
        #expect(Set(tools.map(\.name)).count == tools.count)
        #expect(Set(tools.map(\.name)) == ["server_info", "catalog", "schema", "describe", "query", "query_local", "pull", "knowledge_search",
                                           "snapshot_estimate", "snapshot_create", "metrics_list", "metric_get", "memory_rules", "memory_propose",
                                           "stack_browse", "stack_subscribe", "glossary_search", "semantic_model_search", "semantic_model_get",
                                           "validate_semantic_query"])
        for tool in tools {
            #expect(tool.description.count > 60, "\(tool.name)")
            #expect(tool.inputSchema.objectValue?["type"] == "object", "\(tool.name)")
            #expect(tool.annotations.readOnlyHint != nil && tool.annotations.destructiveHint == false && tool.annotations.openWorldHint == false)
        }
        let writers = tools.filter { $0.annotations.readOnlyHint == false }.map(\.name)
        #expect(Set(writers) == ["pull", "snapshot_create", "memory_propose", "stack_subscribe"])
        #expect(Set(tools.filter(\.workspaceOnly).map(\.name)) == ["query_local", "pull", "snapshot_create"])
    }

    @Test("the counting query wraps the statement, without its semicolon, and survives a trailing comment")
    func counting() {
        #expect(QueryCounting.sql(counting: "SELECT 1; ") == "SELECT count(*) AS n FROM (\nSELECT 1\n) AS agnes_counted")
        #expect(QueryCounting.sql(counting: "SELECT 1 -- one").hasSuffix("-- one\n) AS agnes_counted"))
    }
}
