// One column of values for `Appender.appendColumns`, written into DuckDB vectors without per-value conversion
// for fixed-width types.
import CDuckDB
import Foundation

/// A column of values to append. Build one from an array of fixed-width values (`[Int64]`, `[Double?]` …),
/// strings, blobs, or `DuckDBValue`s for any other type.
public struct AppendColumn {
    /// Number of values.
    public let count: Int
    let write: (VectorWriter, _ start: Int, _ count: Int) throws -> Void
    let checkCompatible: (LogicalType, _ column: Int) throws -> Void

    /// Fixed-width values stored exactly as DuckDB stores the column (`[Int64]` for BIGINT or TIMESTAMP micros …).
    public init<T: FixedWidthColumnElement>(_ values: [T]) {
        count = values.count
        checkCompatible = { type, column in try Self.checkStorage(T.self, type, column) }
        write = { vector, start, count in
            values.withUnsafeBufferPointer { buffer in
                vector.data.copyMemory(from: buffer.baseAddress! + start, byteCount: count * MemoryLayout<T>.stride)
            }
        }
    }

    /// Fixed-width values with NULLs.
    public init<T: FixedWidthColumnElement>(_ values: [T?]) {
        count = values.count
        checkCompatible = { type, column in try Self.checkStorage(T.self, type, column) }
        write = { vector, start, count in
            let target = vector.data.assumingMemoryBound(to: T.self)
            for row in 0..<count {
                if let value = values[start + row] { target[row] = value } else { vector.setNull(row) }
            }
        }
    }

    /// Text values for a VARCHAR or JSON column.
    public init(_ values: [String]) {
        count = values.count
        checkCompatible = { type, column in try Self.checkText(type, column) }
        write = { vector, start, count in
            for row in 0..<count { vector.setString(values[start + row], row: row) }
        }
    }

    /// Text values with NULLs.
    public init(_ values: [String?]) {
        count = values.count
        checkCompatible = { type, column in try Self.checkText(type, column) }
        write = { vector, start, count in
            for row in 0..<count {
                if let value = values[start + row] { vector.setString(value, row: row) } else { vector.setNull(row) }
            }
        }
    }

    /// Binary values for a BLOB column, with NULLs.
    public init(_ values: [Data?]) {
        count = values.count
        checkCompatible = { type, column in
            guard type == .blob else { throw Self.mismatch("Data", type, column) }
        }
        write = { vector, start, count in
            for row in 0..<count {
                if let value = values[start + row] { vector.setBytes(value, row: row) } else { vector.setNull(row) }
            }
        }
    }

    /// Values of any supported scalar type (DECIMAL, UUID, ENUM, timestamps in any unit …), with NULLs.
    public init(_ values: [DuckDBValue]) {
        count = values.count
        checkCompatible = { type, column in
            if case .list = type { throw Self.mismatch("DuckDBValue (nested types use row-wise append)", type, column) }
            if case .structure = type { throw Self.mismatch("DuckDBValue (nested types use row-wise append)", type, column) }
            if case .map = type { throw Self.mismatch("DuckDBValue (nested types use row-wise append)", type, column) }
            if case .array = type { throw Self.mismatch("DuckDBValue (nested types use row-wise append)", type, column) }
        }
        write = { vector, start, count in
            for row in 0..<count { try vector.setValue(values[start + row], row: row) }
        }
    }

    private static func checkStorage<T>(_: T.Type, _ type: LogicalType, _ column: Int) throws where T: FixedWidthColumnElement {
        guard T.isStorage(for: type) else { throw mismatch("\(T.self)", type, column) }
    }

    private static func checkText(_ type: LogicalType, _ column: Int) throws {
        switch type {
        case .varchar, .json: return
        default: throw mismatch("String", type, column)
        }
    }

    private static func mismatch(_ swiftType: String, _ type: LogicalType, _ column: Int) -> DuckDBError {
        DuckDBError(kind: .typeMismatch, message: "column \(column) is \(type), which cannot be appended from \(swiftType) values")
    }
}

/// Writes values into one vector of a data chunk being built for appending.
struct VectorWriter {
    let vector: duckdb_vector
    let type: LogicalType
    let data: UnsafeMutableRawPointer

    init(vector: duckdb_vector, type: LogicalType) {
        self.vector = vector
        self.type = type
        data = duckdb_vector_get_data(vector)!
    }

    func setNull(_ row: Int) {
        duckdb_vector_ensure_validity_writable(vector)
        duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), idx_t(row))
    }

    /// Writes a Swift string. Strings of up to 12 bytes are stored inline in the vector slot, as DuckDB does;
    /// longer ones are copied into the vector's string heap. Swift strings are valid UTF-8, so DuckDB's
    /// re-validation is skipped.
    @inline(__always)
    func setString(_ value: String, row: Int) {
        var value = value
        value.withUTF8 { utf8 in
            if utf8.count <= 12 {
                let slot = data.advanced(by: row &* 16)
                slot.storeBytes(of: UInt32(utf8.count), as: UInt32.self)
                slot.storeBytes(of: 0, toByteOffset: 4, as: UInt32.self)
                slot.storeBytes(of: 0, toByteOffset: 8, as: UInt64.self)
                if utf8.count > 0 { slot.advanced(by: 4).copyMemory(from: utf8.baseAddress!, byteCount: utf8.count) }
            } else {
                utf8.withMemoryRebound(to: CChar.self) {
                    duckdb_unsafe_vector_assign_string_element_len(vector, idx_t(row), $0.baseAddress, idx_t($0.count))
                }
            }
        }
    }

    func setBytes(_ value: Data, row: Int) {
        value.withUnsafeBytes { raw in
            duckdb_vector_assign_string_element_len(vector, idx_t(row), raw.bindMemory(to: CChar.self).baseAddress ?? emptyCString, idx_t(raw.count))
        }
    }

    /// Writes one scalar value, converting it to the column's storage; mismatches are errors, never silent.
    func setValue(_ value: DuckDBValue, row: Int) throws {
        func store<T>(_ v: T) { data.storeBytes(of: v, toByteOffset: row * MemoryLayout<T>.stride, as: T.self) }
        func mismatch() -> DuckDBError {
            DuckDBError(kind: .typeMismatch, message: "cannot append \(value) to a \(type) column")
        }
        switch (type, value) {
        case (_, .null): setNull(row)
        case let (.boolean, .bool(v)): store(v)
        case (.tinyint, _): guard let v = Int8(duckDBValue: value) else { throw mismatch() }; store(v)
        case (.smallint, _): guard let v = Int16(duckDBValue: value) else { throw mismatch() }; store(v)
        case (.integer, _): guard let v = Int32(duckDBValue: value) else { throw mismatch() }; store(v)
        case (.bigint, _): guard let v = Int64(duckDBValue: value) else { throw mismatch() }; store(v)
        case (.hugeint, _): guard let v = Int128(duckDBValue: value) else { throw mismatch() }; store(duckdb_hugeint(v))
        case (.utinyint, _): guard let v = UInt8(duckDBValue: value) else { throw mismatch() }; store(v)
        case (.usmallint, _): guard let v = UInt16(duckDBValue: value) else { throw mismatch() }; store(v)
        case (.uinteger, _): guard let v = UInt32(duckDBValue: value) else { throw mismatch() }; store(v)
        case (.ubigint, _): guard let v = UInt64(duckDBValue: value) else { throw mismatch() }; store(v)
        case (.uhugeint, _): guard let v = UInt128(duckDBValue: value) else { throw mismatch() }; store(duckdb_uhugeint(v))
        case let (.float, .float(v)): store(v)
        case (.float, _): guard let v = value.doubleValue else { throw mismatch() }; store(Float(v))
        case (.double, _): guard let v = value.doubleValue else { throw mismatch() }; store(v)
        case let (.decimal(width, scale), .decimal(d)):
            guard d.scale == scale, d.width <= width else {
                throw DuckDBError(kind: .typeMismatch, message: "cannot append DECIMAL(\(d.width),\(d.scale)) value \(d) to a DECIMAL(\(width),\(scale)) column without rounding; rescale it first")
            }
            switch width {
            case ...4: store(Int16(d.value))
            case ...9: store(Int32(d.value))
            case ...18: store(Int64(d.value))
            default: store(duckdb_hugeint(d.value))
            }
        case let (.varchar, .string(v)), let (.json, .string(v)): setString(v, row: row)
        case let (.blob, .blob(v)): setBytes(v, row: row)
        case let (.date, .date(v)): store(v.days)
        case let (.time, .time(v)): store(v.microseconds)
        case let (.timestamp(unit), .timestamp(v)) where v.unit == unit: store(v.value)
        case let (.timestampTZ, .timestampTZ(v)), let (.timestampTZ, .timestamp(v)): store(v.microseconds)
        case let (.interval, .interval(v)): store(duckdb_interval(months: v.months, days: v.days, micros: v.microseconds))
        case let (.uuid, .uuid(v)):
            let natural = UUIDCoding.uhugeint(from: v)
            store(duckdb_hugeint(lower: UInt64(truncatingIfNeeded: natural),
                                 upper: Int64(bitPattern: UInt64(truncatingIfNeeded: natural >> 64) ^ (1 << 63))))
        case let (.enumeration(labels), .enumeration(label)), let (.enumeration(labels), .string(label)):
            guard let index = labels.firstIndex(of: label) else {
                throw DuckDBError(kind: .conversion, message: "'\(label)' is not a value of \(type)")
            }
            switch labels.count {
            case ...Int(UInt8.max): store(UInt8(index))
            case ...Int(UInt16.max): store(UInt16(index))
            default: store(UInt32(index))
            }
        default: throw mismatch()
        }
    }
}
