// JSON Schemas of the wire types, read off the types themselves: a decoder that decodes nothing but records what a
// type's `init(from:)` asks for — each key, whether it is optional, and the type under it — so the OpenAPI document
// describes exactly the `Codable` types the server encodes and the client decodes, without a second description to
// keep in step. Types whose decoding tries several shapes (a cell, any JSON) say their schema themselves.
import Foundation

/// A type whose JSON Schema is not what its `init(from:)` asks for (one of several shapes, any JSON).
public protocol CustomJSONSchema {
    static var jsonSchema: JSONValue { get }
}

/// A string enumeration: its schema lists the values.
public protocol JSONSchemaEnumeration {
    static var schemaValues: [String] { get }
    static var anyCase: Self { get }
}

extension JSONSchemaEnumeration where Self: CaseIterable & RawRepresentable, RawValue == String {
    public static var schemaValues: [String] { allCases.map(\.rawValue) }
    public static var anyCase: Self { allCases.first! }
}

/// A dictionary keyed by strings: an object whose values all have one schema.
protocol JSONSchemaDictionary {
    static var valueType: any Decodable.Type { get }
    static var empty: Self { get }
}

extension Dictionary: JSONSchemaDictionary where Key == String, Value: Decodable {
    static var valueType: any Decodable.Type { Value.self }
    static var empty: Self { [:] }
}

/// An array: its schema is its element's, as `items`.
protocol JSONSchemaArray {
    static var elementType: any Decodable.Type { get }
    static var empty: Self { get }
}

extension Array: JSONSchemaArray where Element: Decodable {
    static var elementType: any Decodable.Type { Element.self }
    static var empty: Self { [] }
}

/// Builds JSON Schemas (OpenAPI 3.1 flavour) of `Decodable` types, with named object types in `components`.
public struct JSONSchemaBuilder {
    /// Object schemas by type name, for `#/components/schemas/<name>`.
    public private(set) var components: [String: JSONValue] = [:]

    public init() {}

    /// The schema of `type`: a `$ref` for a struct, inline for everything else.
    public mutating func schema(of type: any Decodable.Type) -> JSONValue {
        let recorder = SchemaRecorder(builder: self)
        let schema = recorder.schema(of: type)
        components.merge(recorder.components.value) { current, _ in current }
        return schema
    }

    /// The name a type has in `components` (`Catalog`, `TableSchema.Column` → `TableSchemaColumn`).
    static func name(of type: Any.Type) -> String {
        String(reflecting: type).split(separator: ".").dropFirst().joined().replacingOccurrences(of: "<", with: "Of")
            .replacingOccurrences(of: ">", with: "").replacingOccurrences(of: ", ", with: "And")
    }
}

/// A mutable box shared by the recorder's containers.
final class Box<Value> {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// Decodes a type once, answering every question with a placeholder and noting the shape.
final class SchemaRecorder {
    let components: Box<[String: JSONValue]>
    /// Names being described right now (a type that contains itself gets a `$ref`).
    var inProgress: Set<String> = []

    init(builder: JSONSchemaBuilder) {
        components = Box(builder.components)
    }

    static let string: JSONValue = ["type": "string"]

    /// The schema of `type` (recording named objects in `components`).
    func schema(of type: any Decodable.Type) -> JSONValue {
        if let custom = type as? any CustomJSONSchema.Type { return custom.jsonSchema }
        if let enumeration = type as? any JSONSchemaEnumeration.Type {
            return ["type": "string", "enum": .array(enumeration.schemaValues.map(JSONValue.string))]
        }
        switch type {
        case is String.Type: return Self.string
        case is Bool.Type: return ["type": "boolean"]
        case is Int.Type, is Int64.Type, is Int32.Type, is Int16.Type, is Int8.Type, is UInt.Type, is UInt64.Type, is UInt32.Type: return ["type": "integer"]
        case is Double.Type, is Float.Type: return ["type": "number"]
        case is Date.Type: return ["type": "string", "format": "date-time"]
        case is URL.Type: return ["type": "string", "format": "uri"]
        default: break
        }
        if let dictionary = type as? any JSONSchemaDictionary.Type {
            return ["type": "object", "additionalProperties": schema(of: dictionary.valueType)]
        }
        if let array = type as? any JSONSchemaArray.Type { return ["type": "array", "items": schema(of: array.elementType)] }
        let shape = Shape()
        _ = try? type.init(from: RecordingDecoder(recorder: self, shape: shape))
        switch shape.kind {
        case let .keyed(properties, required):
            let name = JSONSchemaBuilder.name(of: type)
            let object: JSONValue = ["type": "object", "properties": .object(properties), "required": .array(required.map(JSONValue.string))]
            components.value[name] = object
            return ["$ref": .string("#/components/schemas/\(name)")]
        case let .array(items): return ["type": "array", "items": items ?? [:]]
        case let .single(schema): return schema
        case .none: return [:]
        }
    }

    /// A placeholder value of `type` to hand back to the decoding type.
    func placeholder<T: Decodable>(_ type: T.Type) throws -> T {
        switch type {
        case is String.Type: return "" as! T
        case is Bool.Type: return false as! T
        case is Int.Type: return 0 as! T
        case is Int64.Type: return Int64(0) as! T
        case is Int32.Type: return Int32(0) as! T
        case is Double.Type: return 0.0 as! T
        case is Date.Type: return Date(timeIntervalSince1970: 0) as! T
        default: break
        }
        if let enumeration = type as? any JSONSchemaEnumeration.Type { return enumeration.anyCase as! T }
        if let dictionary = type as? any JSONSchemaDictionary.Type { return dictionary.empty as! T }
        if let array = type as? any JSONSchemaArray.Type { return array.empty as! T }
        return try T(from: RecordingDecoder(recorder: self, shape: Shape()))
    }
}

/// What a decoding asked for.
final class Shape {
    enum Kind {
        case keyed(properties: [String: JSONValue], required: [String])
        case array(JSONValue?)
        case single(JSONValue)
    }
    var kind: Kind?
}

struct RecordingDecoder: Decoder {
    let recorder: SchemaRecorder
    let shape: Shape
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if case .keyed = shape.kind {} else { shape.kind = .keyed(properties: [:], required: []) }
        return KeyedDecodingContainer(KeyedRecorder<Key>(recorder: recorder, shape: shape))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        shape.kind = .array(nil)
        return UnkeyedRecorder(recorder: recorder, shape: shape)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleRecorder(recorder: recorder, shape: shape)
    }
}

struct KeyedRecorder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let recorder: SchemaRecorder
    let shape: Shape
    var codingPath: [any CodingKey] = []
    var allKeys: [Key] { [] }

    func note(_ key: Key, _ schema: JSONValue, required: Bool) {
        guard case .keyed(var properties, var requiredKeys) = shape.kind else { return }
        if properties[key.stringValue] == nil || required {
            properties[key.stringValue] = required ? schema : ["anyOf": [schema, ["type": "null"]]]
        }
        if required, !requiredKeys.contains(key.stringValue) { requiredKeys.append(key.stringValue) }
        shape.kind = .keyed(properties: properties, required: requiredKeys)
    }

    func contains(_ key: Key) -> Bool { true }
    func decodeNil(forKey key: Key) throws -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        note(key, recorder.schema(of: type), required: true)
        return try recorder.placeholder(type)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try optional(type, key) }
    // The protocol's own overloads for the primitive types would otherwise decode through `decode` (as if required).
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(type, key) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(type, key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(type, key) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try optional(type, key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(type, key) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optional(type, key) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optional(type, key) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(type, key) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(type, key) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(type, key) }

    private func optional<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        note(key, recorder.schema(of: type), required: false)
        return nil
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "nested containers are not described"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "nested containers are not described"))
    }

    func superDecoder() throws -> any Decoder { RecordingDecoder(recorder: recorder, shape: shape) }
    func superDecoder(forKey key: Key) throws -> any Decoder { RecordingDecoder(recorder: recorder, shape: shape) }
}

struct UnkeyedRecorder: UnkeyedDecodingContainer {
    let recorder: SchemaRecorder
    let shape: Shape
    var codingPath: [any CodingKey] = []
    var count: Int? { 0 }
    var isAtEnd: Bool { true }
    var currentIndex: Int { 0 }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        shape.kind = .array(recorder.schema(of: type))
        return try recorder.placeholder(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "nested containers are not described"))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "nested containers are not described"))
    }

    mutating func superDecoder() throws -> any Decoder { RecordingDecoder(recorder: recorder, shape: shape) }
}

struct SingleRecorder: SingleValueDecodingContainer {
    let recorder: SchemaRecorder
    let shape: Shape
    var codingPath: [any CodingKey] = []

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        shape.kind = .single(recorder.schema(of: type))
        return try recorder.placeholder(type)
    }
}
