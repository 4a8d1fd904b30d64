// Conversions between Swift types and DuckDB values, used for parameters, appends and typed reads.
import Foundation

/// A Swift type that can be bound as a parameter, appended, and read back from a DuckDB value.
public protocol DuckDBValueConvertible: Sendable {
    /// The value to bind or append.
    var duckDBValue: DuckDBValue { get }
    /// Converts a value read from DuckDB; nil when it cannot be represented exactly as `Self`.
    init?(duckDBValue: DuckDBValue)
}

extension DuckDBValue: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { self }
    public init?(duckDBValue: DuckDBValue) { self = duckDBValue }
}

extension Bool: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .bool(self) }
    public init?(duckDBValue: DuckDBValue) {
        guard case let .bool(v) = duckDBValue else { return nil }
        self = v
    }
}

/// Integers convert from any integer value that fits exactly.
public protocol DuckDBIntegerConvertible: DuckDBValueConvertible, FixedWidthInteger {}

extension DuckDBIntegerConvertible {
    public init?(duckDBValue: DuckDBValue) {
        if case let .uhugeint(v) = duckDBValue {
            guard let exact = Self(exactly: v) else { return nil }
            self = exact
            return
        }
        guard let wide = duckDBValue.integerValue, let exact = Self(exactly: wide) else { return nil }
        self = exact
    }
}

extension Int8: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .int8(self) } }
extension Int16: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .int16(self) } }
extension Int32: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .int32(self) } }
extension Int64: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .int64(self) } }
extension Int: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .int64(Int64(self)) } }
extension Int128: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .hugeint(self) } }
extension UInt8: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .uint8(self) } }
extension UInt16: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .uint16(self) } }
extension UInt32: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .uint32(self) } }
extension UInt64: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .uint64(self) } }
extension UInt: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .uint64(UInt64(self)) } }
extension UInt128: DuckDBIntegerConvertible { public var duckDBValue: DuckDBValue { .uhugeint(self) } }

extension Double: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .double(self) }
    public init?(duckDBValue: DuckDBValue) {
        guard let v = duckDBValue.doubleValue else { return nil }
        self = v
    }
}

extension Float: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .float(self) }
    public init?(duckDBValue: DuckDBValue) {
        if case let .float(v) = duckDBValue { self = v; return }
        guard let v = duckDBValue.doubleValue else { return nil }
        self = Float(v)
    }
}

extension String: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .string(self) }
    public init?(duckDBValue: DuckDBValue) {
        switch duckDBValue {
        case let .string(v), let .enumeration(v): self = v
        default: return nil
        }
    }
}

extension Substring: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .string(String(self)) }
    public init?(duckDBValue: DuckDBValue) {
        guard let s = String(duckDBValue: duckDBValue) else { return nil }
        self = Substring(s)
    }
}

extension Data: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .blob(self) }
    public init?(duckDBValue: DuckDBValue) {
        guard case let .blob(v) = duckDBValue else { return nil }
        self = v
    }
}

extension UUID: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .uuid(self) }
    public init?(duckDBValue: DuckDBValue) {
        switch duckDBValue {
        case let .uuid(v): self = v
        case let .string(s): guard let v = UUID(uuidString: s) else { return nil }; self = v
        default: return nil
        }
    }
}

/// Foundation dates bind as TIMESTAMPTZ (an instant) and read from TIMESTAMP, TIMESTAMPTZ and DATE.
extension Date: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .timestampTZ(DuckDBTimestamp(self)) }
    public init?(duckDBValue: DuckDBValue) {
        switch duckDBValue {
        case let .timestamp(t), let .timestampTZ(t): self = t.date
        case let .date(d): self = d.date
        default: return nil
        }
    }
}

extension Decimal: DuckDBValueConvertible {
    /// Binds as an exact DECIMAL when it fits 38 digits, otherwise as DOUBLE.
    public var duckDBValue: DuckDBValue {
        let text = NSDecimalNumber(decimal: self).stringValue
        if let exact = DuckDBDecimal(text) { return .decimal(exact) }
        return .double(NSDecimalNumber(decimal: self).doubleValue)
    }
    public init?(duckDBValue: DuckDBValue) {
        switch duckDBValue {
        case let .decimal(d): self = d.decimal
        case let .double(v): self = Decimal(v)
        case let .float(v): self = Decimal(Double(v))
        default:
            guard let v = duckDBValue.integerValue, let exact = Decimal(string: String(v)) else { return nil }
            self = exact
        }
    }
}

extension DuckDBDecimal: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .decimal(self) }
    public init?(duckDBValue: DuckDBValue) {
        guard case let .decimal(v) = duckDBValue else { return nil }
        self = v
    }
}

extension DuckDBDate: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .date(self) }
    public init?(duckDBValue: DuckDBValue) {
        guard case let .date(v) = duckDBValue else { return nil }
        self = v
    }
}

extension DuckDBTime: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .time(self) }
    public init?(duckDBValue: DuckDBValue) {
        guard case let .time(v) = duckDBValue else { return nil }
        self = v
    }
}

/// A `DuckDBTimestamp` binds as TIMESTAMP (without time zone) and reads from either timestamp type.
extension DuckDBTimestamp: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .timestamp(self) }
    public init?(duckDBValue: DuckDBValue) {
        switch duckDBValue {
        case let .timestamp(v), let .timestampTZ(v): self = v
        default: return nil
        }
    }
}

extension DuckDBInterval: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .interval(self) }
    public init?(duckDBValue: DuckDBValue) {
        guard case let .interval(v) = duckDBValue else { return nil }
        self = v
    }
}

extension Optional: DuckDBValueConvertible where Wrapped: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { self?.duckDBValue ?? .null }
    public init?(duckDBValue: DuckDBValue) {
        if duckDBValue.isNull { self = .none; return }
        guard let v = Wrapped(duckDBValue: duckDBValue) else { return nil }
        self = .some(v)
    }
}

/// Arrays bind as LIST values and read from LIST and ARRAY values.
extension Array: DuckDBValueConvertible where Element: DuckDBValueConvertible {
    public var duckDBValue: DuckDBValue { .list(map(\.duckDBValue)) }
    public init?(duckDBValue: DuckDBValue) {
        switch duckDBValue {
        case let .list(values), let .array(values):
            var result: [Element] = []
            result.reserveCapacity(values.count)
            for value in values {
                guard let element = Element(duckDBValue: value) else { return nil }
                result.append(element)
            }
            self = result
        default: return nil
        }
    }
}
