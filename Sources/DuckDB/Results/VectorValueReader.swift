// Reads one value of any supported type (nested types included) out of a DuckDB vector.
import CDuckDB
import Foundation

enum VectorValueReader {
    static func value(vector: duckdb_vector, type: LogicalType, row: Int) throws -> DuckDBValue {
        try value(vector: vector, type: type, data: duckdb_vector_get_data(vector),
                  validity: duckdb_vector_get_validity(vector), row: row)
    }

    static func value(vector: duckdb_vector, type: LogicalType, data: UnsafeMutableRawPointer?,
                      validity: UnsafeMutablePointer<UInt64>?, row: Int) throws -> DuckDBValue {
        if let validity, validity[row >> 6] & (1 << UInt64(row & 63)) == 0 { return .null }
        func load<T>(_: T.Type) -> T { data!.load(fromByteOffset: row * MemoryLayout<T>.stride, as: T.self) }
        switch type {
        case .boolean: return .bool(load(UInt8.self) != 0)
        case .tinyint: return .int8(load(Int8.self))
        case .smallint: return .int16(load(Int16.self))
        case .integer: return .int32(load(Int32.self))
        case .bigint: return .int64(load(Int64.self))
        case .hugeint: return .hugeint(load(duckdb_hugeint.self).int128)
        case .utinyint: return .uint8(load(UInt8.self))
        case .usmallint: return .uint16(load(UInt16.self))
        case .uinteger: return .uint32(load(UInt32.self))
        case .ubigint: return .uint64(load(UInt64.self))
        case .uhugeint: return .uhugeint(load(duckdb_uhugeint.self).uint128)
        case .float: return .float(load(Float.self))
        case .double: return .double(load(Double.self))
        case let .decimal(width, scale):
            let unscaled: Int128
            switch width {
            case ...4: unscaled = Int128(load(Int16.self))
            case ...9: unscaled = Int128(load(Int32.self))
            case ...18: unscaled = Int128(load(Int64.self))
            default: unscaled = load(duckdb_hugeint.self).int128
            }
            return .decimal(DuckDBDecimal(value: unscaled, width: width, scale: scale))
        case .varchar, .json: return .string(String(decoding: bytes(data: data!, row: row), as: UTF8.self))
        case .blob: return .blob(Data(bytes(data: data!, row: row)))
        case .date: return .date(DuckDBDate(days: load(Int32.self)))
        case .time: return .time(DuckDBTime(microseconds: load(Int64.self)))
        case let .timestamp(unit): return .timestamp(DuckDBTimestamp(value: load(Int64.self), unit: unit))
        case .timestampTZ: return .timestampTZ(DuckDBTimestamp(microseconds: load(Int64.self)))
        case .interval:
            let raw = load(duckdb_interval.self)
            return .interval(DuckDBInterval(months: raw.months, days: raw.days, microseconds: raw.micros))
        case .uuid:
            let raw = load(duckdb_hugeint.self)
            return .uuid(UUIDCoding.uuid(lower: raw.lower, upper: raw.upper))
        case let .enumeration(labels):
            // DuckDB stores enum indexes in the smallest unsigned type that holds the dictionary.
            let index: Int
            switch labels.count {
            case ...Int(UInt8.max): index = Int(load(UInt8.self))
            case ...Int(UInt16.max): index = Int(load(UInt16.self))
            default: index = Int(load(UInt32.self))
            }
            guard index < labels.count else {
                throw DuckDBError(kind: .internal, message: "enum index \(index) outside its dictionary of \(labels.count)")
            }
            return .enumeration(labels[index])
        case let .list(child):
            let entry = load(duckdb_list_entry.self)
            return .list(try children(of: duckdb_list_vector_get_child(vector)!, type: child,
                                      range: Int(entry.offset)..<Int(entry.offset + entry.length)))
        case let .array(child, size):
            return .array(try children(of: duckdb_array_vector_get_child(vector)!, type: child,
                                       range: row * size..<(row + 1) * size))
        case let .map(keyType, valueType):
            let entry = load(duckdb_list_entry.self)
            let entries = duckdb_list_vector_get_child(vector)!
            let keys = duckdb_struct_vector_get_child(entries, 0)!
            let values = duckdb_struct_vector_get_child(entries, 1)!
            var pairs: [DuckDBValue.MapEntry] = []
            pairs.reserveCapacity(Int(entry.length))
            for index in Int(entry.offset)..<Int(entry.offset + entry.length) {
                pairs.append(.init(try value(vector: keys, type: keyType, row: index),
                                   try value(vector: values, type: valueType, row: index)))
            }
            return .map(pairs)
        case let .structure(fields):
            var members: [DuckDBValue.StructMember] = []
            members.reserveCapacity(fields.count)
            for (index, field) in fields.enumerated() {
                let child = duckdb_struct_vector_get_child(vector, idx_t(index))!
                members.append(.init(field.name, try value(vector: child, type: field.type, row: row)))
            }
            return .structure(members)
        case let .unsupported(_, name):
            throw DuckDBError(kind: .unsupportedType, message: "the DuckDB type \(name) is not supported by this binding; cast it in SQL (for example to VARCHAR)")
        }
    }

    private static func children(of vector: duckdb_vector, type: LogicalType, range: Range<Int>) throws -> [DuckDBValue] {
        let data = duckdb_vector_get_data(vector)
        let validity = duckdb_vector_get_validity(vector)
        var values: [DuckDBValue] = []
        values.reserveCapacity(range.count)
        for index in range {
            values.append(try value(vector: vector, type: type, data: data, validity: validity, row: index))
        }
        return values
    }

    /// The bytes of a VARCHAR/BLOB `duckdb_string_t` slot (valid while the vector is).
    @inline(__always)
    static func bytes(data: UnsafeMutableRawPointer, row: Int) -> UnsafeBufferPointer<UInt8> {
        let slot = data.advanced(by: row &* 16)
        let length = Int(slot.load(as: UInt32.self))
        if length <= 12 {
            return UnsafeBufferPointer(start: slot.advanced(by: 4).assumingMemoryBound(to: UInt8.self), count: length)
        }
        return UnsafeBufferPointer(start: slot.load(fromByteOffset: 8, as: UnsafePointer<UInt8>.self), count: length)
    }
}
