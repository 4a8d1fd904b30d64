// Text that enters SQL where a parameter cannot: identifiers (tables, views, columns, attached databases) and
// literals in table functions (file paths). Everything else is bound as a parameter. This is the one place that
// quotes them; every layer (the state database, the data plane, the workspace DuckDB of the CLI) calls it.

/// SQL quoting and validation of identifiers and literals.
public enum SQL {
    /// `name` as a quoted identifier: in double quotes, an embedded double quote doubled, so any name stays one
    /// identifier (`a"b` → `"a""b"`).
    public static func identifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `name` as a quoted identifier once it is a valid one: not empty, at most 255 bytes, no NUL or other control
    /// character (which DuckDB would cut or refuse later, with a less helpful message).
    public static func validatedIdentifier(_ name: String, kind: String = "identifier") throws -> String {
        guard !name.isEmpty, name.utf8.count <= 255, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw DuckDBError(kind: .invalidInput, message: "'\(name.prefix(80))' is not a valid \(kind): 1 to 255 bytes without control characters")
        }
        return identifier(name)
    }

    /// `text` as a string literal: in single quotes, an embedded single quote doubled.
    public static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
