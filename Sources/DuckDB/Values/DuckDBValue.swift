// A single DuckDB value of any supported type, used for binding, appending and generic reads.
import Foundation

/// One value as DuckDB holds it. Reads of nested types (LIST, STRUCT, MAP, ARRAY) produce nested values.
public indirect enum DuckDBValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int8(Int8), int16(Int16), int32(Int32), int64(Int64), hugeint(Int128)
    case uint8(UInt8), uint16(UInt16), uint32(UInt32), uint64(UInt64), uhugeint(UInt128)
    case float(Float), double(Double)
    case decimal(DuckDBDecimal)
    /// VARCHAR and JSON.
    case string(String)
    case blob(Data)
    case date(DuckDBDate)
    case time(DuckDBTime)
    case timestamp(DuckDBTimestamp)
    /// TIMESTAMPTZ: an instant, microseconds since the epoch in UTC.
    case timestampTZ(DuckDBTimestamp)
    case interval(DuckDBInterval)
    case uuid(UUID)
    /// An ENUM value, by its label.
    case enumeration(String)
    case list([DuckDBValue])
    case array([DuckDBValue])
    case structure([StructMember])
    case map([MapEntry])

    /// A named member of a STRUCT value, in declaration order.
    public struct StructMember: Hashable, Sendable {
        public var name: String
        public var value: DuckDBValue
        public init(_ name: String, _ value: DuckDBValue) {
            self.name = name
            self.value = value
        }
    }

    /// One key/value pair of a MAP value, in insertion order.
    public struct MapEntry: Hashable, Sendable {
        public var key: DuckDBValue
        public var value: DuckDBValue
        public init(_ key: DuckDBValue, _ value: DuckDBValue) {
            self.key = key
            self.value = value
        }
    }

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The value of a STRUCT member by name, or nil.
    public subscript(member name: String) -> DuckDBValue? {
        guard case let .structure(members) = self else { return nil }
        return members.first { $0.name == name }?.value
    }

    /// The value as an exact integer when it is one (any integer width, or a decimal with scale 0).
    public var integerValue: Int128? {
        switch self {
        case let .int8(v): Int128(v)
        case let .int16(v): Int128(v)
        case let .int32(v): Int128(v)
        case let .int64(v): Int128(v)
        case let .hugeint(v): v
        case let .uint8(v): Int128(v)
        case let .uint16(v): Int128(v)
        case let .uint32(v): Int128(v)
        case let .uint64(v): Int128(v)
        case let .uhugeint(v): Int128(exactly: v)
        case let .decimal(d) where d.scale == 0: d.value
        default: nil
        }
    }

    /// The value as a Double when it is numeric.
    public var doubleValue: Double? {
        switch self {
        case let .float(v): Double(v)
        case let .double(v): v
        case let .decimal(d): d.doubleValue
        case let .uhugeint(v): Double(v)
        default: integerValue.map { Double($0) }
        }
    }

    /// The text of a VARCHAR, JSON or ENUM value.
    public var stringValue: String? {
        switch self {
        case let .string(s), let .enumeration(s): s
        default: nil
        }
    }
}

extension DuckDBValue: CustomStringConvertible {
    /// Renders the value the way DuckDB prints it (close enough for messages and tables).
    public var description: String {
        switch self {
        case .null: "NULL"
        case let .bool(v): v ? "true" : "false"
        case let .int8(v): "\(v)"
        case let .int16(v): "\(v)"
        case let .int32(v): "\(v)"
        case let .int64(v): "\(v)"
        case let .hugeint(v): "\(v)"
        case let .uint8(v): "\(v)"
        case let .uint16(v): "\(v)"
        case let .uint32(v): "\(v)"
        case let .uint64(v): "\(v)"
        case let .uhugeint(v): "\(v)"
        case let .float(v): "\(v)"
        case let .double(v): "\(v)"
        case let .decimal(v): v.description
        case let .string(v), let .enumeration(v): v
        case let .blob(v): "\\x" + v.map { String(format: "%02X", $0) }.joined(separator: "\\x")
        case let .date(v): v.description
        case let .time(v): v.description
        case let .timestamp(v): v.description
        case let .timestampTZ(v): v.description + "+00"
        case let .interval(v): v.description
        case let .uuid(v): v.uuidString.lowercased()
        case let .list(values), let .array(values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case let .structure(members): "{" + members.map { "'\($0.name)': \($0.value)" }.joined(separator: ", ") + "}"
        case let .map(entries): "{" + entries.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}
