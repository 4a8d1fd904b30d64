// What a tool call answers: structured content (the typed result as JSON, for clients that read it) and a short text
// rendering (for models that read text), or a tool error with the server's detail.
import AgnesAPI
import Foundation
import MCP

/// The result of a successful tool call.
public struct ToolOutput: Sendable {
    public var structured: Value
    public var text: String
    /// Already fitted into the caps (a query result cut to the rows that fit), so not refused for its size.
    var fitted = false

    public init(structured: Value, text: String) {
        self.structured = structured
        self.text = text
    }

    /// `value` as structured content (encoded as the API encodes it), with `text` for models that read text.
    public static func encoding(_ value: some Encodable, text: String) throws -> ToolOutput {
        ToolOutput(structured: try Self.value(of: value), text: text)
    }

    /// An encodable value as an MCP `Value`, keyed and dated as the HTTP API answers.
    public static func value(of value: some Encodable) throws -> Value {
        try JSONDecoder().decode(Value.self, from: JSONCoding.encoder.encode(value))
    }

    var result: CallTool.Result {
        CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], structuredContent: Optional<Value>.some(structured), isError: false)
    }

    static func failure(_ message: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: message, annotations: nil, _meta: nil)], isError: true)
    }

    /// The characters of the structured content as JSON (what a client passes on to a model).
    var characters: Int {
        (try? JSONEncoder().encode(structured).count) ?? 0
    }
}
