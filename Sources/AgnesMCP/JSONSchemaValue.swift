// Small builders for the JSON schemas of tool inputs (as MCP `Value`s), so each definition reads as its schema.
import MCP

enum InputSchema {
    /// An object with `properties`; `required` names the ones a call must give.
    static func object(_ properties: [String: Value] = [:], required: [String] = []) -> Value {
        var schema: [String: Value] = ["type": "object", "properties": .object(properties), "additionalProperties": false]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        return .object(schema)
    }

    static func string(_ description: String) -> Value {
        .object(["type": "string", "description": .string(description)])
    }

    static func integer(_ description: String, minimum: Int, maximum: Int? = nil, default value: Int? = nil) -> Value {
        var schema: [String: Value] = ["type": "integer", "description": .string(description), "minimum": .int(minimum)]
        if let maximum { schema["maximum"] = .int(maximum) }
        if let value { schema["default"] = .int(value) }
        return .object(schema)
    }

    static func boolean(_ description: String, default value: Bool) -> Value {
        .object(["type": "boolean", "description": .string(description), "default": .bool(value)])
    }

    static func oneOf(_ values: [String], _ description: String) -> Value {
        .object(["type": "string", "enum": .array(values.map { .string($0) }), "description": .string(description)])
    }

    static func strings(_ description: String) -> Value {
        .object(["type": "array", "items": ["type": "string"], "description": .string(description)])
    }
}
