// What a caller is told when their SQL fails: DuckDB's error class and message, without file paths. The SQL runs in a
// grant scope, so a message can only quote values the caller may read; paths (of extracts, of the server's folders)
// are the one thing DuckDB's messages still carry, and they are replaced by `<path>`. The full message goes to the
// server log, with the request id, for whoever runs the server.
import DuckDB
import Foundation

public enum PublicErrorMessage {
    /// An absolute path, as DuckDB quotes it in messages (after a space, quote, bracket or the start of a line).
    private static let path = try! NSRegularExpression(pattern: #"(?<=^|[\s'"(\[=:])(?:file://)?/(?:[^\s'"/\])]+/)+[^\s'"\])]*"#,
                                                        options: [.anchorsMatchLines])

    /// `message` with every absolute path replaced by `<path>`.
    public static func withoutPaths(_ message: String) -> String {
        let range = NSRange(message.startIndex..., in: message)
        return path.stringByReplacingMatches(in: message, range: range, withTemplate: "<path>")
    }

    /// DuckDB's message for `error`, fit for the caller who ran the statement.
    public static func of(_ error: DuckDBError) -> String { withoutPaths(error.message) }
}
