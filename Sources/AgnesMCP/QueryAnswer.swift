// A query result as a tool answers it: within the row and character caps, and when cut, saying so with the full row
// count and how to get the rest. (Upstream refuses an oversized result with a tool error; an agent is better served by
// the first rows and the note — a deliberate difference, listed in docs/mcp.md.)
import AgnesAPI
import Foundation
import MCP

/// The answer of `query` and `query_local`.
struct QueryAnswer: Sendable {
    var columns: [String]
    var rows: [[ResultCell]]
    /// Rows the query returns in all, when the answer was cut and the count could be taken.
    var totalRows: Int64?
    var truncated: Bool
    var note: String?
    var rowScope: RowScope?

    /// Fits `result` into `caps`: rows past the character cap are dropped; a cut answer asks `countAll` for the full
    /// row count and carries a note with `remedy` (how to get the rest on this transport).
    static func fitting(_ result: QueryResult, limit: Int, caps: ToolCaps, remedy: String,
                        countAll: () async -> Int64?) async -> QueryAnswer {
        var rows = result.rows
        var cutAtCharacters = false
        if caps.maximumCharacters > 0 {
            var used = JSONLength.strings(result.columns) + 200
            var kept = 0
            for row in rows {
                let length = JSONLength.row(row) + 1
                if used + length > caps.maximumCharacters { break }
                used += length
                kept += 1
            }
            if kept < rows.count {
                rows.removeSubrange(kept...)
                cutAtCharacters = true
            }
        }
        var answer = QueryAnswer(columns: result.columns, rows: rows, totalRows: nil, truncated: result.truncated || cutAtCharacters,
                                 note: nil, rowScope: result.rowScope)
        guard answer.truncated else { return answer }
        if let error = result.error {
            answer.note = "Result cut: the query failed after \(rows.count.formatted()) rows: \(error)"
            return answer
        }
        answer.totalRows = await countAll()
        let total = answer.totalRows.map { "\($0.formatted()) rows in all" } ?? "more rows than shown"
        let cause = cutAtCharacters ? "the \(caps.maximumCharacters.formatted())-character cap" : "the \(limit.formatted())-row limit"
        answer.note = "Result cut: showing \(rows.count.formatted()) rows; the query returns \(total) (cut at \(cause)). \(remedy)"
        return answer
    }

    var structured: Value {
        var object: [String: Value] = [
            "columns": .array(columns.map { .string($0) }),
            "rows": .array(rows.map { .array($0.map(Self.value)) }),
            "row_count": .int(rows.count),
            "truncated": .bool(truncated),
        ]
        if let totalRows { object["total_rows"] = .int(Int(totalRows)) }
        if let note { object["note"] = .string(note) }
        if let rowScope, let scope = try? ToolOutput.value(of: rowScope) { object["row_scope"] = scope }
        return .object(object)
    }

    /// A header line, the rows as tab-separated values, then the notes.
    var text: String {
        var lines = ["\(rows.count) row\(rows.count == 1 ? "" : "s") × \(columns.count) column\(columns.count == 1 ? "" : "s")"]
        lines.append(columns.joined(separator: "\t"))
        for row in rows { lines.append(row.map(Self.text).joined(separator: "\t")) }
        if let note { lines.append(note) }
        if let rowScope { lines.append(rowScope.note) }
        return lines.joined(separator: "\n")
    }

    var output: ToolOutput {
        var output = ToolOutput(structured: structured, text: text)
        output.fitted = true
        return output
    }

    static func value(_ cell: ResultCell) -> Value {
        switch cell {
        case .null: .null
        case let .bool(value): .bool(value)
        case let .integer(value): .int(Int(value))
        case let .number(value): .double(value)
        case let .text(value): .string(value)
        }
    }

    static func text(_ cell: ResultCell) -> String {
        switch cell {
        case .null: "NULL"
        case let .bool(value): String(value)
        case let .integer(value): String(value)
        case let .number(value): String(value)
        case let .text(value): value.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
        }
    }

}

extension ToolOutput {
    /// A query result as a tool answers it: within `caps`, and when cut, with a note, the full row count from
    /// `countAll`, and `remedy` (how to get the rest on this surface).
    public static func query(_ result: QueryResult, limit: Int, caps: ToolCaps, remedy: String,
                             countAll: () async -> Int64?) async -> ToolOutput {
        await QueryAnswer.fitting(result, limit: limit, caps: caps, remedy: remedy, countAll: countAll).output
    }
}

/// The query that counts a query's rows (run through the same guard, so it reads only what the query may read).
public enum QueryCounting {
    /// `SELECT count(*)` over `sql` (a trailing semicolon removed).
    public static func sql(counting sql: String) -> String {
        var inner = sql.trimmingCharacters(in: .whitespacesAndNewlines)
        while inner.hasSuffix(";") { inner = String(inner.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
        return "SELECT count(*) AS n FROM (\n\(inner)\n) AS agnes_counted"
    }
}

/// Characters of JSON text, counted without encoding (for the character cap of long results).
enum JSONLength {
    static func row(_ row: [ResultCell]) -> Int {
        row.reduce(1 + max(row.count - 1, 0)) { $0 + cell($1) } + 1
    }

    static func cell(_ cell: ResultCell) -> Int {
        switch cell {
        case .null: 4
        case let .bool(value): value ? 4 : 5
        case let .integer(value): String(value).utf8.count
        case let .number(value): String(value).utf8.count
        case let .text(value): string(value)
        }
    }

    static func string(_ value: String) -> Int {
        var length = 2
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): length += 2
            case 0..<0x20: length += 6
            default: length += 1
            }
        }
        return length
    }

    static func strings(_ values: [String]) -> Int {
        values.reduce(2 + max(values.count - 1, 0)) { $0 + string($1) }
    }
}
