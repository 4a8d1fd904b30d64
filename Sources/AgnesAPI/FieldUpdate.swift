// A field of a partial update that can be left alone, cleared, or set: absent from the body keeps the stored value,
// `null` clears it, a value sets it. (A plain optional cannot tell "absent" from `null`.)
import Foundation

/// Keep, clear or set one field of an update.
public enum FieldUpdate<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    case keep
    case clear
    case set(Value)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .clear : .set(try container.decode(Value.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .keep, .clear: try container.encodeNil()
        case let .set(value): try container.encode(value)
        }
    }

    /// `.set(value)` for a value, `.keep` for nil.
    public init(_ value: Value?) {
        self = value.map(FieldUpdate.set) ?? .keep
    }

    /// The stored value after this update.
    public func applied(to current: Value?) -> Value? {
        switch self {
        case .keep: current
        case .clear: nil
        case let .set(value): value
        }
    }

    /// Whether the update names the field at all.
    public var isGiven: Bool { self != .keep }
}

extension KeyedDecodingContainer {
    /// A missing key keeps, `null` clears.
    public func decode<Value>(_ type: FieldUpdate<Value>.Type, forKey key: Key) throws -> FieldUpdate<Value> {
        guard contains(key) else { return .keep }
        if try decodeNil(forKey: key) { return .clear }
        return try decodeIfPresent(Value.self, forKey: key).map(FieldUpdate.set) ?? .clear
    }
}

extension KeyedEncodingContainer {
    /// `.keep` writes nothing, `.clear` writes `null`.
    public mutating func encode<Value>(_ value: FieldUpdate<Value>, forKey key: Key) throws {
        switch value {
        case .keep: break
        case .clear: try encodeNil(forKey: key)
        case let .set(value): try encode(value, forKey: key)
        }
    }
}
