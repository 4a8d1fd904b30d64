// How much one tool result may carry, so an agent's context is not flooded: rows and characters. A result that does
// not fit is cut and says so, with the full row count and how to get the rest — never silently.
import Foundation

/// The limits on tool results (`mcp.max_rows`, `mcp.max_output_chars`; upstream's `AGNES_MCP_MAX_OUTPUT_CHARS`).
public struct ToolCaps: Sendable, Equatable {
    /// Rows a `query` or `query_local` returns when the call names no limit.
    public var defaultRows: Int
    /// Rows at most, whatever the call asks for.
    public var maximumRows: Int
    /// Characters at most of a result's JSON (0: no cap).
    public var maximumCharacters: Int
    /// Sample rows at most for `describe`.
    public static let maximumSampleRows = 50

    public init(defaultRows: Int = 1_000, maximumRows: Int = 10_000, maximumCharacters: Int = 100_000) {
        self.defaultRows = defaultRows
        self.maximumRows = maximumRows
        self.maximumCharacters = maximumCharacters
    }

    /// The caps from the environment of `agnes mcp` (`AGNES_MCP_MAX_ROWS`, `AGNES_MCP_MAX_OUTPUT_CHARS`).
    public static func from(environment: [String: String]) -> ToolCaps {
        var caps = ToolCaps()
        if let rows = environment["AGNES_MCP_MAX_ROWS"].flatMap(Int.init), rows > 0 { caps.maximumRows = rows }
        if let characters = environment["AGNES_MCP_MAX_OUTPUT_CHARS"].flatMap(Int.init), characters >= 0 { caps.maximumCharacters = characters }
        caps.defaultRows = min(caps.defaultRows, caps.maximumRows)
        return caps
    }
}
