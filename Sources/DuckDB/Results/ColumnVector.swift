// Typed access to one column of a chunk: zero-copy buffers for fixed-width types, strings, and generic values.
import CDuckDB
import Foundation

/// A fixed-width Swift type whose memory layout equals DuckDB's storage for the column types it accepts, so a column
/// of it can be read without converting each value.
public protocol FixedWidthColumnElement {
    /// Whether a column of `type` is stored exactly as an array of `Self`.
    static func isStorage(for type: LogicalType) -> Bool
}

extension Bool: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .boolean } }
extension Int8: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .tinyint } }
extension Int16: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .smallint } }
extension Int32: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .integer } }
extension UInt8: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .utinyint } }
extension UInt16: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .usmallint } }
extension UInt32: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .uinteger } }
extension UInt64: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .ubigint } }
extension Float: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .float } }
extension Double: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .double } }
/// BIGINT, and the raw int64 of TIMESTAMP (any unit), TIMESTAMPTZ and TIME.
extension Int64: FixedWidthColumnElement {
    public static func isStorage(for type: LogicalType) -> Bool {
        switch type {
        case .bigint, .timestamp, .timestampTZ, .time: true
        default: false
        }
    }
}
extension Int: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { Int64.isStorage(for: type) } }
extension DuckDBDate: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .date } }
extension DuckDBTime: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .time } }
extension DuckDBInterval: FixedWidthColumnElement { public static func isStorage(for type: LogicalType) -> Bool { type == .interval } }

/// One column of a `DataChunk`. Valid while its chunk is alive (it keeps the chunk alive).
public struct ColumnVector {
    let vector: duckdb_vector
    /// The column's type.
    public let type: LogicalType
    /// The column's name.
    public let name: String
    /// Rows in the chunk.
    public let count: Int
    let data: UnsafeMutableRawPointer?
    let validity: UnsafeMutablePointer<UInt64>?
    private let owner: AnyObject?

    init(vector: duckdb_vector, type: LogicalType, name: String, count: Int, owner: AnyObject?) {
        self.vector = vector
        self.type = type
        self.name = name
        self.count = count
        self.owner = owner
        data = duckdb_vector_get_data(vector)
        validity = duckdb_vector_get_validity(vector)
    }

    /// Whether the value in `row` is NULL.
    @inline(__always)
    public func isNull(_ row: Int) -> Bool {
        guard let validity else { return false }
        return validity[row >> 6] & (1 << UInt64(row & 63)) == 0
    }

    /// Whether any of the first `count` rows is NULL.
    public var hasNulls: Bool {
        guard let validity else { return false }
        let fullWords = count >> 6
        for word in 0..<fullWords where validity[word] != UInt64.max { return true }
        let rest = count & 63
        if rest > 0 {
            let mask: UInt64 = (1 << UInt64(rest)) - 1
            if validity[fullWords] & mask != mask { return true }
        }
        return false
    }

    private func checkStorage<T: FixedWidthColumnElement>(_ type: T.Type) throws {
        guard T.isStorage(for: self.type) else {
            throw DuckDBError(kind: .typeMismatch, message: "column \(name) is \(self.type), which cannot be read as \(T.self)")
        }
    }

    /// Calls `body` with the column's values in place (no copy). NULL rows hold unspecified values: check `isNull`.
    public func withUnsafeValues<T: FixedWidthColumnElement, R>(as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R) throws -> R {
        try checkStorage(type)
        guard let data else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: data.assumingMemoryBound(to: T.self), count: count))
    }

    /// Appends the column's values to `array` with one copy; throws if a value is NULL (read into `[T?]` instead).
    public func append<T: FixedWidthColumnElement>(to array: inout [T]) throws {
        try checkStorage(T.self)
        if hasNulls {
            throw DuckDBError(kind: .typeMismatch, message: "column \(name) contains NULL; read it into an array of optionals")
        }
        guard let data, count > 0 else { return }
        array.append(contentsOf: UnsafeBufferPointer(start: data.assumingMemoryBound(to: T.self), count: count))
    }

    /// Appends the column's values to `array`, NULLs as nil.
    public func append<T: FixedWidthColumnElement>(to array: inout [T?]) throws {
        try checkStorage(T.self)
        guard let data, count > 0 else { return }
        let values = data.assumingMemoryBound(to: T.self)
        for row in 0..<count { array.append(isNull(row) ? nil : values[row]) }
    }

    // MARK: Strings and blobs

    private var isText: Bool {
        switch type {
        case .varchar, .json: true
        default: false
        }
    }

    /// The text in `row` of a VARCHAR or JSON column, or nil for NULL.
    public func string(at row: Int) -> String? {
        precondition(isText, "column \(name) is \(type), not VARCHAR")
        if isNull(row) { return nil }
        return String(decoding: VectorValueReader.bytes(data: data!, row: row), as: UTF8.self)
    }

    /// Appends the column's text values to `array`; throws if a value is NULL (read into `[String?]` instead).
    public func append(to array: inout [String]) throws {
        guard isText else { throw DuckDBError(kind: .typeMismatch, message: "column \(name) is \(type), which cannot be read as String") }
        if hasNulls {
            throw DuckDBError(kind: .typeMismatch, message: "column \(name) contains NULL; read it into an array of optionals")
        }
        for row in 0..<count { array.append(String(decoding: VectorValueReader.bytes(data: data!, row: row), as: UTF8.self)) }
    }

    /// Appends the column's text values to `array`, NULLs as nil.
    public func append(to array: inout [String?]) throws {
        guard isText else { throw DuckDBError(kind: .typeMismatch, message: "column \(name) is \(type), which cannot be read as String") }
        for row in 0..<count { array.append(string(at: row)) }
    }

    /// The bytes in `row` of a BLOB column (or the UTF-8 of a VARCHAR), or nil for NULL.
    public func blob(at row: Int) -> Data? {
        if isNull(row) { return nil }
        return Data(VectorValueReader.bytes(data: data!, row: row))
    }

    /// The bytes in `row` of a VARCHAR, JSON or BLOB column where DuckDB holds them (no copy), or nil for NULL. Valid
    /// while the chunk is alive.
    public func unsafeBytes(at row: Int) -> UnsafeBufferPointer<UInt8>? {
        precondition(isText || type == .blob, "column \(name) is \(type), not VARCHAR or BLOB")
        if isNull(row) { return nil }
        return VectorValueReader.bytes(data: data!, row: row)
    }

    /// The length in bytes of the value in `row` of a VARCHAR, JSON or BLOB column (0 for NULL), read without
    /// copying it; nil for columns of other types.
    public func byteLength(at row: Int) -> Int? {
        switch type {
        case .varchar, .json, .blob:
            return isNull(row) ? 0 : Int(data!.advanced(by: row &* 16).load(as: UInt32.self))
        default:
            return nil
        }
    }

    // MARK: Generic values

    /// The value in `row` as a `DuckDBValue`, for any supported type (nested types included).
    public func value(at row: Int) throws -> DuckDBValue {
        try VectorValueReader.value(vector: vector, type: type, data: data, validity: validity, row: row)
    }

    /// The value in `row` converted to `T`; nil for NULL.
    public func value<T: DuckDBValueConvertible>(at row: Int, as type: T.Type) throws -> T? {
        let value = try value(at: row)
        if value.isNull { return nil }
        guard let converted = T(duckDBValue: value) else {
            throw DuckDBError(kind: .typeMismatch, message: "cannot read \(self.type) value \(value) of column \(name) as \(T.self)")
        }
        return converted
    }
}
