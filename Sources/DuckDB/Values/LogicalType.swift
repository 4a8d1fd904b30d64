// A Swift description of a DuckDB column type, including nested types, read from DuckDB's logical types.
import CDuckDB
import Foundation

/// The type of a column or value, as DuckDB defines it.
public indirect enum LogicalType: Hashable, Sendable, CustomStringConvertible {
    case boolean
    case tinyint, smallint, integer, bigint, hugeint
    case utinyint, usmallint, uinteger, ubigint, uhugeint
    case float, double
    case decimal(width: UInt8, scale: UInt8)
    case varchar
    /// `JSON` is a VARCHAR with the alias JSON; values read as strings.
    case json
    case blob
    case date, time
    case timestamp(DuckDBTimestamp.Unit)
    case timestampTZ
    case interval
    case uuid
    /// An ENUM with its dictionary, in order.
    case enumeration([String])
    case list(LogicalType)
    case array(LogicalType, size: Int)
    case structure([StructField])
    case map(key: LogicalType, value: LogicalType)
    /// A type DuckDB has but this binding does not convert (UNION, BIT, BIGNUM, TIME WITH TIME ZONE, TIME_NS, …).
    case unsupported(id: Int32, name: String)

    /// A named member of a STRUCT type.
    public struct StructField: Hashable, Sendable {
        public var name: String
        public var type: LogicalType
        public init(name: String, type: LogicalType) {
            self.name = name
            self.type = type
        }
    }

    /// The type's SQL spelling (`DECIMAL(18,3)`, `VARCHAR[]`, `STRUCT(a INTEGER, b VARCHAR)`).
    public var description: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .tinyint: "TINYINT"
        case .smallint: "SMALLINT"
        case .integer: "INTEGER"
        case .bigint: "BIGINT"
        case .hugeint: "HUGEINT"
        case .utinyint: "UTINYINT"
        case .usmallint: "USMALLINT"
        case .uinteger: "UINTEGER"
        case .ubigint: "UBIGINT"
        case .uhugeint: "UHUGEINT"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case let .decimal(width, scale): "DECIMAL(\(width),\(scale))"
        case .varchar: "VARCHAR"
        case .json: "JSON"
        case .blob: "BLOB"
        case .date: "DATE"
        case .time: "TIME"
        case .timestamp(.seconds): "TIMESTAMP_S"
        case .timestamp(.milliseconds): "TIMESTAMP_MS"
        case .timestamp(.microseconds): "TIMESTAMP"
        case .timestamp(.nanoseconds): "TIMESTAMP_NS"
        case .timestampTZ: "TIMESTAMP WITH TIME ZONE"
        case .interval: "INTERVAL"
        case .uuid: "UUID"
        case let .enumeration(values):
            "ENUM(" + values.map(SQL.literal).joined(separator: ", ") + ")"
        case let .list(child): "\(child)[]"
        case let .array(child, size): "\(child)[\(size)]"
        case let .structure(fields): "STRUCT(" + fields.map { "\(SQL.identifier($0.name)) \($0.type)" }.joined(separator: ", ") + ")"
        case let .map(key, value): "MAP(\(key), \(value))"
        case let .unsupported(_, name): name
        }
    }
}

extension LogicalType {
    /// Reads a DuckDB logical type (borrowed; the caller keeps ownership of `handle`).
    init(handle: duckdb_logical_type) {
        let id = duckdb_get_type_id(handle)
        switch id {
        case DUCKDB_TYPE_BOOLEAN: self = .boolean
        case DUCKDB_TYPE_TINYINT: self = .tinyint
        case DUCKDB_TYPE_SMALLINT: self = .smallint
        case DUCKDB_TYPE_INTEGER: self = .integer
        case DUCKDB_TYPE_BIGINT: self = .bigint
        case DUCKDB_TYPE_HUGEINT: self = .hugeint
        case DUCKDB_TYPE_UTINYINT: self = .utinyint
        case DUCKDB_TYPE_USMALLINT: self = .usmallint
        case DUCKDB_TYPE_UINTEGER: self = .uinteger
        case DUCKDB_TYPE_UBIGINT: self = .ubigint
        case DUCKDB_TYPE_UHUGEINT: self = .uhugeint
        case DUCKDB_TYPE_FLOAT: self = .float
        case DUCKDB_TYPE_DOUBLE: self = .double
        case DUCKDB_TYPE_DECIMAL: self = .decimal(width: duckdb_decimal_width(handle), scale: duckdb_decimal_scale(handle))
        case DUCKDB_TYPE_VARCHAR:
            self = LogicalType.alias(of: handle)?.uppercased() == "JSON" ? .json : .varchar
        case DUCKDB_TYPE_BLOB: self = .blob
        case DUCKDB_TYPE_DATE: self = .date
        case DUCKDB_TYPE_TIME: self = .time
        case DUCKDB_TYPE_TIMESTAMP: self = .timestamp(.microseconds)
        case DUCKDB_TYPE_TIMESTAMP_S: self = .timestamp(.seconds)
        case DUCKDB_TYPE_TIMESTAMP_MS: self = .timestamp(.milliseconds)
        case DUCKDB_TYPE_TIMESTAMP_NS: self = .timestamp(.nanoseconds)
        case DUCKDB_TYPE_TIMESTAMP_TZ: self = .timestampTZ
        case DUCKDB_TYPE_INTERVAL: self = .interval
        case DUCKDB_TYPE_UUID: self = .uuid
        case DUCKDB_TYPE_ENUM:
            let size = duckdb_enum_dictionary_size(handle)
            var values: [String] = []
            values.reserveCapacity(Int(size))
            for index in 0..<idx_t(size) {
                values.append(takeDuckDBString(duckdb_enum_dictionary_value(handle, index)) ?? "")
            }
            self = .enumeration(values)
        case DUCKDB_TYPE_LIST:
            self = .list(LogicalType.child(duckdb_list_type_child_type(handle)))
        case DUCKDB_TYPE_ARRAY:
            self = .array(LogicalType.child(duckdb_array_type_child_type(handle)),
                          size: Int(duckdb_array_type_array_size(handle)))
        case DUCKDB_TYPE_STRUCT:
            let count = duckdb_struct_type_child_count(handle)
            self = .structure((0..<count).map { index in
                StructField(name: takeDuckDBString(duckdb_struct_type_child_name(handle, index)) ?? "",
                            type: LogicalType.child(duckdb_struct_type_child_type(handle, index)))
            })
        case DUCKDB_TYPE_MAP:
            self = .map(key: LogicalType.child(duckdb_map_type_key_type(handle)),
                        value: LogicalType.child(duckdb_map_type_value_type(handle)))
        default:
            self = .unsupported(id: Int32(id.rawValue), name: LogicalType.name(of: id))
        }
    }

    /// Reads and destroys an owned child type handle.
    private static func child(_ handle: duckdb_logical_type?) -> LogicalType {
        var owned = handle
        defer { duckdb_destroy_logical_type(&owned) }
        guard let handle else { return .unsupported(id: 0, name: "INVALID") }
        return LogicalType(handle: handle)
    }

    private static func alias(of handle: duckdb_logical_type) -> String? {
        takeDuckDBString(duckdb_logical_type_get_alias(handle))
    }

    static func name(of id: duckdb_type) -> String {
        switch id {
        case DUCKDB_TYPE_UNION: "UNION"
        case DUCKDB_TYPE_BIT: "BIT"
        case DUCKDB_TYPE_TIME_TZ: "TIME WITH TIME ZONE"
        case DUCKDB_TYPE_BIGNUM: "BIGNUM"
        case DUCKDB_TYPE_SQLNULL: "NULL"
        case DUCKDB_TYPE_TIME_NS: "TIME_NS"
        case DUCKDB_TYPE_ANY: "ANY"
        case DUCKDB_TYPE_INVALID: "INVALID"
        default: "DuckDB type #\(id.rawValue)"
        }
    }

    /// Builds an owned DuckDB logical type for this type; the caller destroys it.
    func makeHandle() throws -> duckdb_logical_type? {
        func scalar(_ id: duckdb_type) -> duckdb_logical_type? { duckdb_create_logical_type(id) }
        switch self {
        case .boolean: return scalar(DUCKDB_TYPE_BOOLEAN)
        case .tinyint: return scalar(DUCKDB_TYPE_TINYINT)
        case .smallint: return scalar(DUCKDB_TYPE_SMALLINT)
        case .integer: return scalar(DUCKDB_TYPE_INTEGER)
        case .bigint: return scalar(DUCKDB_TYPE_BIGINT)
        case .hugeint: return scalar(DUCKDB_TYPE_HUGEINT)
        case .utinyint: return scalar(DUCKDB_TYPE_UTINYINT)
        case .usmallint: return scalar(DUCKDB_TYPE_USMALLINT)
        case .uinteger: return scalar(DUCKDB_TYPE_UINTEGER)
        case .ubigint: return scalar(DUCKDB_TYPE_UBIGINT)
        case .uhugeint: return scalar(DUCKDB_TYPE_UHUGEINT)
        case .float: return scalar(DUCKDB_TYPE_FLOAT)
        case .double: return scalar(DUCKDB_TYPE_DOUBLE)
        case let .decimal(width, scale): return duckdb_create_decimal_type(width, scale)
        case .varchar, .json: return scalar(DUCKDB_TYPE_VARCHAR)
        case .blob: return scalar(DUCKDB_TYPE_BLOB)
        case .date: return scalar(DUCKDB_TYPE_DATE)
        case .time: return scalar(DUCKDB_TYPE_TIME)
        case .timestamp(.seconds): return scalar(DUCKDB_TYPE_TIMESTAMP_S)
        case .timestamp(.milliseconds): return scalar(DUCKDB_TYPE_TIMESTAMP_MS)
        case .timestamp(.microseconds): return scalar(DUCKDB_TYPE_TIMESTAMP)
        case .timestamp(.nanoseconds): return scalar(DUCKDB_TYPE_TIMESTAMP_NS)
        case .timestampTZ: return scalar(DUCKDB_TYPE_TIMESTAMP_TZ)
        case .interval: return scalar(DUCKDB_TYPE_INTERVAL)
        case .uuid: return scalar(DUCKDB_TYPE_UUID)
        case let .enumeration(values):
            return try withCStrings(values) { pointers in
                guard let handle = duckdb_create_enum_type(pointers, idx_t(values.count)) else {
                    throw DuckDBError(kind: .invalidInput, message: "could not create ENUM type with \(values.count) values")
                }
                return handle
            }
        case let .list(child):
            var childHandle = try child.makeHandle()
            defer { duckdb_destroy_logical_type(&childHandle) }
            return duckdb_create_list_type(childHandle)
        case let .array(child, size):
            var childHandle = try child.makeHandle()
            defer { duckdb_destroy_logical_type(&childHandle) }
            return duckdb_create_array_type(childHandle, idx_t(size))
        case let .map(key, value):
            var keyHandle = try key.makeHandle()
            defer { duckdb_destroy_logical_type(&keyHandle) }
            var valueHandle = try value.makeHandle()
            defer { duckdb_destroy_logical_type(&valueHandle) }
            return duckdb_create_map_type(keyHandle, valueHandle)
        case let .structure(fields):
            var handles: [duckdb_logical_type?] = []
            defer { for index in handles.indices { duckdb_destroy_logical_type(&handles[index]) } }
            for field in fields { handles.append(try field.type.makeHandle()) }
            return try withCStrings(fields.map(\.name)) { names in
                try handles.withUnsafeMutableBufferPointer { types in
                    guard let handle = duckdb_create_struct_type(types.baseAddress, names, idx_t(fields.count)) else {
                        throw DuckDBError(kind: .invalidInput, message: "could not create \(self)")
                    }
                    return handle
                }
            }
        case let .unsupported(_, name):
            throw DuckDBError(kind: .unsupportedType, message: "the DuckDB type \(name) is not supported by this binding")
        }
    }
}

/// Copies a DuckDB-allocated C string into Swift and frees it with `duckdb_free`.
func takeDuckDBString(_ pointer: UnsafeMutablePointer<CChar>?) -> String? {
    guard let pointer else { return nil }
    defer { duckdb_free(pointer) }
    return String(cString: pointer)
}

/// Calls `body` with an array of C string pointers valid for the duration of the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R {
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    var pointers = duplicates.map { UnsafePointer<CChar>($0) }
    return try pointers.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
}

/// A valid, empty C string for APIs that need a non-null pointer when a Swift buffer is empty.
nonisolated(unsafe) let emptyCString: UnsafePointer<CChar> = {
    let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    pointer.pointee = 0
    return UnsafePointer(pointer)
}()
