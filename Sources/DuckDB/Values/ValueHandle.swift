// Builds DuckDB's own `duckdb_value` objects from Swift values, for binding and appending less common types.
import CDuckDB
import Foundation

enum ValueHandle {
    /// Creates an owned `duckdb_value` for `value`; the caller destroys it with `duckdb_destroy_value`.
    static func make(_ value: DuckDBValue) throws -> duckdb_value? {
        switch value {
        case .null: return duckdb_create_null_value()
        case let .bool(v): return duckdb_create_bool(v)
        case let .int8(v): return duckdb_create_int8(v)
        case let .int16(v): return duckdb_create_int16(v)
        case let .int32(v): return duckdb_create_int32(v)
        case let .int64(v): return duckdb_create_int64(v)
        case let .hugeint(v): return duckdb_create_hugeint(duckdb_hugeint(v))
        case let .uint8(v): return duckdb_create_uint8(v)
        case let .uint16(v): return duckdb_create_uint16(v)
        case let .uint32(v): return duckdb_create_uint32(v)
        case let .uint64(v): return duckdb_create_uint64(v)
        case let .uhugeint(v): return duckdb_create_uhugeint(duckdb_uhugeint(v))
        case let .float(v): return duckdb_create_float(v)
        case let .double(v): return duckdb_create_double(v)
        case let .decimal(v):
            guard v.width >= 1 && v.width <= 38 && v.scale <= v.width else {
                throw DuckDBError(kind: .conversion, message: "invalid DECIMAL(\(v.width),\(v.scale)) for value \(v)")
            }
            return duckdb_create_decimal(duckdb_decimal(width: v.width, scale: v.scale, value: duckdb_hugeint(v.value)))
        case let .string(v), let .enumeration(v):
            // Enum labels are bound as text; DuckDB casts them to the target ENUM.
            var text = v
            return text.withUTF8 { buffer in
                buffer.withMemoryRebound(to: CChar.self) { duckdb_create_varchar_length($0.baseAddress ?? emptyCString, idx_t($0.count)) }
            }
        case let .blob(v):
            return v.withUnsafeBytes { duckdb_create_blob($0.bindMemory(to: UInt8.self).baseAddress ?? UnsafeRawPointer(emptyCString).assumingMemoryBound(to: UInt8.self), idx_t($0.count)) }
        case let .date(v): return duckdb_create_date(duckdb_date(days: v.days))
        case let .time(v): return duckdb_create_time(duckdb_time(micros: v.microseconds))
        case let .timestamp(v):
            switch v.unit {
            case .seconds: return duckdb_create_timestamp_s(duckdb_timestamp_s(seconds: v.value))
            case .milliseconds: return duckdb_create_timestamp_ms(duckdb_timestamp_ms(millis: v.value))
            case .microseconds: return duckdb_create_timestamp(duckdb_timestamp(micros: v.value))
            case .nanoseconds: return duckdb_create_timestamp_ns(duckdb_timestamp_ns(nanos: v.value))
            }
        case let .timestampTZ(v): return duckdb_create_timestamp_tz(duckdb_timestamp(micros: v.microseconds))
        case let .interval(v):
            return duckdb_create_interval(duckdb_interval(months: v.months, days: v.days, micros: v.microseconds))
        case let .uuid(v): return duckdb_create_uuid(duckdb_uhugeint(UUIDCoding.uhugeint(from: v)))
        case let .list(values), let .array(values):
            let elementType = DuckDBValue.commonType(of: values)
            var typeHandle = try elementType.makeHandle()
            defer { duckdb_destroy_logical_type(&typeHandle) }
            return try withValueHandles(values) { handles in
                if case .array = value {
                    return duckdb_create_array_value(typeHandle, handles, idx_t(values.count))
                }
                return duckdb_create_list_value(typeHandle, handles, idx_t(values.count))
            }
        case let .structure(members):
            let type = LogicalType.structure(members.map { .init(name: $0.name, type: $0.value.inferredType) })
            var typeHandle = try type.makeHandle()
            defer { duckdb_destroy_logical_type(&typeHandle) }
            return try withValueHandles(members.map(\.value)) { duckdb_create_struct_value(typeHandle, $0) }
        case let .map(entries):
            let type = LogicalType.map(key: DuckDBValue.commonType(of: entries.map(\.key)),
                                       value: DuckDBValue.commonType(of: entries.map(\.value)))
            var typeHandle = try type.makeHandle()
            defer { duckdb_destroy_logical_type(&typeHandle) }
            return try withValueHandles(entries.map(\.key)) { keys in
                try withValueHandles(entries.map(\.value)) { values in
                    duckdb_create_map_value(typeHandle, keys, values, idx_t(entries.count))
                }
            }
        }
    }

    private static func withValueHandles<R>(_ values: [DuckDBValue], _ body: (UnsafeMutablePointer<duckdb_value?>) throws -> R) throws -> R {
        var handles: [duckdb_value?] = []
        handles.reserveCapacity(values.count)
        defer { for index in handles.indices { duckdb_destroy_value(&handles[index]) } }
        for value in values { handles.append(try make(value)) }
        if handles.isEmpty { handles.append(nil) }  // a valid pointer for empty lists
        let result = try handles.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
        return result
    }
}

extension DuckDBValue {
    /// The DuckDB type a value is created with when it is bound or appended on its own.
    var inferredType: LogicalType {
        switch self {
        case .null: .varchar
        case .bool: .boolean
        case .int8: .tinyint
        case .int16: .smallint
        case .int32: .integer
        case .int64: .bigint
        case .hugeint: .hugeint
        case .uint8: .utinyint
        case .uint16: .usmallint
        case .uint32: .uinteger
        case .uint64: .ubigint
        case .uhugeint: .uhugeint
        case .float: .float
        case .double: .double
        case let .decimal(d): .decimal(width: d.width, scale: d.scale)
        case .string, .enumeration: .varchar
        case .blob: .blob
        case .date: .date
        case .time: .time
        case let .timestamp(t): .timestamp(t.unit)
        case .timestampTZ: .timestampTZ
        case .interval: .interval
        case .uuid: .uuid
        case let .list(values): .list(DuckDBValue.commonType(of: values))
        case let .array(values): .array(DuckDBValue.commonType(of: values), size: values.count)
        case let .structure(members): .structure(members.map { .init(name: $0.name, type: $0.value.inferredType) })
        case let .map(entries):
            .map(key: DuckDBValue.commonType(of: entries.map(\.key)), value: DuckDBValue.commonType(of: entries.map(\.value)))
        }
    }

    /// The type of the first non-NULL value (VARCHAR when all are NULL or there are none).
    static func commonType(of values: [DuckDBValue]) -> LogicalType {
        values.first { !$0.isNull }?.inferredType ?? .varchar
    }
}

/// DuckDB stores a UUID as a HUGEINT whose top bit is flipped, so that signed order equals UUID byte order.
enum UUIDCoding {
    static func uhugeint(from uuid: UUID) -> UInt128 {
        let bytes = uuid.uuid
        let upper = withUnsafeBytes(of: bytes) { raw in raw.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        let lower = withUnsafeBytes(of: bytes) { raw in raw.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        return UInt128(upper) << 64 | UInt128(lower)
    }

    /// Decodes the in-vector HUGEINT representation (lower word, then upper word with its top bit flipped).
    static func uuid(lower: UInt64, upper: Int64) -> UUID {
        let high = UInt64(bitPattern: upper) ^ (1 << 63)
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { raw in
            for i in 0..<8 {
                raw[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
                raw[8 + i] = UInt8(truncatingIfNeeded: lower >> (56 - 8 * UInt64(i)))
            }
        }
        return UUID(uuid: bytes)
    }
}
