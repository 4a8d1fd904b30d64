// A tool call's arguments, read with errors a model can act on: which argument is missing or of the wrong type, and
// which ones the tool does not know.
import MCP

/// The arguments of one tool call.
public struct ToolArguments: Sendable {
    public let values: [String: Value]

    public init(_ values: [String: Value]?) {
        self.values = values ?? [:]
    }

    /// Refuses arguments the tool does not define (a misspelt `tableId` would otherwise be ignored silently).
    func allowOnly(_ tool: AgnesTool) throws {
        guard case let .object(schema) = tool.inputSchema, case let .object(properties)? = schema["properties"] else { return }
        let unknown = values.keys.filter { properties[$0] == nil }.sorted()
        guard unknown.isEmpty else {
            let known = properties.keys.sorted().joined(separator: ", ")
            throw ToolError("\(tool.name) has no argument \(unknown.map { "'\($0)'" }.joined(separator: ", ")); its arguments are: "
                            + (known.isEmpty ? "none" : known))
        }
    }

    /// A required, non-empty string.
    public func string(_ name: String) throws -> String {
        guard let value = try optionalString(name), !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ToolError("'\(name)' is required")
        }
        return value
    }

    /// A string, nil when absent or null.
    public func optionalString(_ name: String) throws -> String? {
        switch values[name] {
        case nil, .null?: return nil
        case let .string(value)?: return value
        default: throw ToolError("'\(name)' must be a string")
        }
    }

    /// A whole number within `range`, `fallback` when absent.
    public func integer(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let value = try optionalInteger(name) else { return fallback }
        guard range.contains(value) else { throw ToolError("'\(name)' must be between \(range.lowerBound) and \(range.upperBound)") }
        return value
    }

    /// A whole number, nil when absent (a whole double such as 5.0 counts: some clients send every number so).
    public func optionalInteger(_ name: String) throws -> Int? {
        switch values[name] {
        case nil, .null?: return nil
        case let .int(value)?: return value
        case let .double(value)? where value.rounded() == value && abs(value) < 1e15: return Int(value)
        default: throw ToolError("'\(name)' must be a whole number")
        }
    }

    /// A list of strings, nil when absent.
    public func strings(_ name: String) throws -> [String]? {
        switch values[name] {
        case nil, .null?: return nil
        case let .array(items)?:
            return try items.map { item in
                guard case let .string(value) = item else { throw ToolError("'\(name)' must be a list of strings") }
                return value
            }
        default: throw ToolError("'\(name)' must be a list of strings")
        }
    }

    /// A boolean, `fallback` when absent.
    public func bool(_ name: String, default fallback: Bool) throws -> Bool {
        switch values[name] {
        case nil, .null?: return fallback
        case let .bool(value)?: return value
        default: throw ToolError("'\(name)' must be true or false")
        }
    }
}
