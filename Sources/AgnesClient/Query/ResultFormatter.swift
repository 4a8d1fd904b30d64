// Query results for the terminal and for programs: a table that fits the terminal (one block per row when it is too
// wide), RFC 4180 CSV, a JSON array of objects, or NDJSON.
import DuckDB
import Foundation

public enum OutputFormat: String, CaseIterable, Sendable {
    case table, csv, json, ndjson
}

public enum ResultFormatter {
    /// `columns` and `rows` (values as DuckDB prints them, nil for NULL) in `format`.
    public static func render(columns: [String], rows: [[DuckDBValue]], format: OutputFormat, width: Int = 100) -> String {
        switch format {
        case .csv: return csv(columns: columns, rows: rows)
        case .json: return "[" + rows.map { object(columns, $0) }.joined(separator: ",\n") + "]\n"
        case .ndjson: return rows.map { object(columns, $0) + "\n" }.joined()
        case .table: return table(columns: columns, rows: rows, width: width)
        }
    }

    static func text(_ value: DuckDBValue) -> String? { value.isNull ? nil : (value.stringValue ?? value.description) }

    static func csv(columns: [String], rows: [[DuckDBValue]]) -> String {
        func field(_ text: String?) -> String {
            guard let text else { return "" }
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        var out = columns.map(field).joined(separator: ",") + "\r\n"
        for row in rows { out += row.map { field(text($0)) }.joined(separator: ",") + "\r\n" }
        return out
    }

    static func object(_ columns: [String], _ row: [DuckDBValue]) -> String {
        "{" + zip(columns, row).map { "\(jsonString($0)):\(json($1))" }.joined(separator: ",") + "}"
    }

    static func json(_ value: DuckDBValue) -> String {
        switch value {
        case .null: return "null"
        case let .bool(v): return v ? "true" : "false"
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64, .hugeint, .uhugeint: return value.description
        case let .float(v) where v.isFinite: return "\(v)"
        case let .double(v) where v.isFinite: return "\(v)"
        case let .decimal(v): return v.description
        case let .list(items), let .array(items): return "[" + items.map(json).joined(separator: ",") + "]"
        default: return jsonString(text(value) ?? "")
        }
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    static func table(columns: [String], rows: [[DuckDBValue]], width: Int) -> String {
        let cells = rows.map { $0.map { text($0) ?? "NULL" } }
        var widths = columns.map(\.count)
        for row in cells { for (index, cell) in row.enumerated() { widths[index] = min(max(widths[index], cell.count), 60) } }
        let total = widths.reduce(0, +) + 3 * max(columns.count - 1, 0)
        func clip(_ text: String, _ size: Int) -> String {
            let single = text.replacingOccurrences(of: "\n", with: " ")
            return single.count > size ? String(single.prefix(size - 1)) + "…" : single.padding(toLength: size, withPad: " ", startingAt: 0)
        }
        if total > width, columns.count > 1 {
            // Too wide: one block per row, a column per line.
            let nameWidth = columns.map(\.count).max() ?? 0
            return cells.enumerated().map { index, row in
                "-[ row \(index + 1) ]-\n" + zip(columns, row).map { "\(clip($0, nameWidth)) | \($1)" }.joined(separator: "\n")
            }.joined(separator: "\n") + "\n(\(rows.count) row\(rows.count == 1 ? "" : "s"))\n"
        }
        var out = zip(columns, widths).map { clip($0, $1) }.joined(separator: " | ") + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-") + "\n"
        for row in cells { out += zip(row, widths).map { clip($0, $1) }.joined(separator: " | ") + "\n" }
        return out + "(\(rows.count) row\(rows.count == 1 ? "" : "s"))\n"
    }
}
