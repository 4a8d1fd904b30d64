// A Decoder that turns result rows (and nested STRUCT/LIST/MAP values) into Decodable Swift values.
import Foundation

enum RowDecoder {
    static func decode<T: Decodable>(_ type: T.Type, from row: Row) throws -> T {
        let members = zip(row.columns, row.values).map { DuckDBValue.StructMember($0.name, $1) }
        return try ValueDecoder.decode(type, from: .structure(members), codingPath: [])
    }
}

/// Decodes one DuckDBValue. Scalars convert through `DuckDBValueConvertible`; STRUCT values decode keyed, LIST and
/// ARRAY values unkeyed; a JSON/VARCHAR value decodes a non-string `Decodable` by parsing it as JSON.
struct ValueDecoder: Decoder {
    let value: DuckDBValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func decode<T: Decodable>(_ type: T.Type, from value: DuckDBValue, codingPath: [any CodingKey]) throws -> T {
        guard let convertible = type as? any DuckDBValueConvertible.Type else {
            return try T(from: ValueDecoder(value: value, codingPath: codingPath))
        }
        if let converted = convertible.init(duckDBValue: value) as? T { return converted }
        if value.isNull {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "value is NULL"))
        }
        // A list or number kept in a JSON column.
        if case let .string(json) = value, let parsed = try? JSONValue.parse(json, codingPath: codingPath),
           let converted = convertible.init(duckDBValue: parsed) as? T {
            return converted
        }
        throw DecodingError.typeMismatch(type, .init(codingPath: codingPath,
                                                     debugDescription: "cannot convert \(value.inferredType) value \(value) to \(T.self)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        switch value {
        case let .structure(members):
            return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: codingPath))
        case let .map(entries):
            let members = entries.map { DuckDBValue.StructMember($0.key.stringValue ?? $0.key.description, $0.value) }
            return KeyedDecodingContainer(KeyedContainer<Key>(members: members, codingPath: codingPath))
        case let .string(json):
            // A JSON object stored as text.
            let parsed = try JSONValue.parse(json, codingPath: codingPath)
            return try ValueDecoder(value: parsed, codingPath: codingPath).container(keyedBy: type)
        default:
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath, debugDescription: "expected a STRUCT or MAP value, found \(value)"))
        }
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch value {
        case let .list(values), let .array(values):
            return UnkeyedContainer(values: values, codingPath: codingPath)
        case let .string(json):
            let parsed = try JSONValue.parse(json, codingPath: codingPath)
            return try ValueDecoder(value: parsed, codingPath: codingPath).unkeyedContainer()
        default:
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "expected a LIST value, found \(value)"))
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValueContainer(value: value, codingPath: codingPath) }

    struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [DuckDBValue.StructMember]
        let codingPath: [any CodingKey]
        private let index: [String: Int]

        init(members: [DuckDBValue.StructMember], codingPath: [any CodingKey]) {
            self.members = members
            self.codingPath = codingPath
            var index: [String: Int] = [:]
            for (offset, member) in members.enumerated() where index[member.name] == nil { index[member.name] = offset }
            self.index = index
        }

        var allKeys: [Key] { members.compactMap { Key(stringValue: $0.name) } }
        func contains(_ key: Key) -> Bool { index[key.stringValue] != nil }

        private func member(_ key: Key) throws -> DuckDBValue {
            guard let offset = index[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no column or member named \(key.stringValue)"))
            }
            return members[offset].value
        }

        func decodeNil(forKey key: Key) throws -> Bool { try member(key).isNull }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try ValueDecoder.decode(type, from: try member(key), codingPath: codingPath + [key])
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard let offset = index[key.stringValue], !members[offset].value.isNull else { return nil }
            return try ValueDecoder.decode(type, from: members[offset].value, codingPath: codingPath + [key])
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try ValueDecoder(value: try member(key), codingPath: codingPath + [key]).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { ValueDecoder(value: .structure(members), codingPath: codingPath) }
        func superDecoder(forKey key: Key) throws -> any Decoder { ValueDecoder(value: try member(key), codingPath: codingPath + [key]) }
    }

    struct UnkeyedContainer: UnkeyedDecodingContainer {
        let values: [DuckDBValue]
        let codingPath: [any CodingKey]
        var currentIndex = 0
        var count: Int? { values.count }
        var isAtEnd: Bool { currentIndex >= values.count }

        init(values: [DuckDBValue], codingPath: [any CodingKey]) {
            self.values = values
            self.codingPath = codingPath
        }

        private mutating func next() throws -> DuckDBValue {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(DuckDBValue.self, .init(codingPath: codingPath, debugDescription: "list exhausted"))
            }
            defer { currentIndex += 1 }
            return values[currentIndex]
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, values[currentIndex].isNull else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let key = IndexKey(intValue: currentIndex)
            return try ValueDecoder.decode(type, from: try next(), codingPath: codingPath + [key])
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try ValueDecoder(value: try next(), codingPath: codingPath).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try ValueDecoder(value: try next(), codingPath: codingPath).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder { ValueDecoder(value: try next(), codingPath: codingPath) }
    }

    struct SingleValueContainer: SingleValueDecodingContainer {
        let value: DuckDBValue
        let codingPath: [any CodingKey]

        func decodeNil() -> Bool { value.isNull }

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            try ValueDecoder.decode(type, from: value, codingPath: codingPath)
        }
    }

    struct IndexKey: CodingKey {
        var stringValue: String { String(intValue!) }
        var intValue: Int?
        init(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { nil }
    }
}

/// Parses JSON text into DuckDBValues so JSON columns can decode into structs and arrays.
enum JSONValue {
    static func parse(_ text: String, codingPath: [any CodingKey]) throws -> DuckDBValue {
        do {
            return try JSONDecoder().decode(Node.self, from: Data(text.utf8)).value
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "value is not valid JSON: \(error)"))
        }
    }

    /// Any JSON value; objects keep their keys sorted.
    private struct Node: Decodable {
        let value: DuckDBValue

        private struct Key: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            if let object = try? decoder.container(keyedBy: Key.self) {
                value = .structure(try object.allKeys.sorted { $0.stringValue < $1.stringValue }.map {
                    DuckDBValue.StructMember($0.stringValue, try object.decode(Node.self, forKey: $0).value)
                })
                return
            }
            if var array = try? decoder.unkeyedContainer() {
                var values: [DuckDBValue] = []
                while !array.isAtEnd { values.append(try array.decode(Node.self).value) }
                value = .list(values)
                return
            }
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { value = .null }
            else if let v = try? single.decode(Bool.self) { value = .bool(v) }
            else if let v = try? single.decode(Int64.self) { value = .int64(v) }
            else if let v = try? single.decode(Double.self) { value = .double(v) }
            else { value = .string(try single.decode(String.self)) }
        }
    }
}

extension DuckDBValue {
    /// Decodes this value into `T` as a result row is decoded: a STRUCT by member name (a row from another database,
    /// built as a STRUCT of its columns, decodes like one of DuckDB's).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try ValueDecoder.decode(type, from: self, codingPath: [])
    }
}
