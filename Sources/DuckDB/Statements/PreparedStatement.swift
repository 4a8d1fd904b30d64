// A prepared statement: parsed once, bound by position or by name, executed many times.
import CDuckDB
import Foundation

/// A statement prepared on a connection. Bind parameters by position (1-based, as `$1`/`?` in SQL) or by name
/// (`$name`), execute, and bind again; bindings persist between executions until replaced or cleared.
public final class PreparedStatement {
    private var handle: duckdb_prepared_statement?
    /// The connection's handle (not the `Connection`, so a connection's statement cache makes no reference cycle).
    private let connectionHandle: ConnectionHandle
    /// The SQL it was prepared from.
    public let sql: String
    /// The number of parameters the statement takes.
    public let parameterCount: Int
    /// The type DuckDB expects for each parameter (index 0 is parameter 1); `DUCKDB_TYPE_INVALID` when unresolved.
    private let parameterTypes: [duckdb_type]

    init(connection: Connection, sql: String) throws {
        connectionHandle = connection.handle
        self.sql = sql
        var statement: duckdb_prepared_statement?
        let state = duckdb_prepare(try connection.raw(), sql, &statement)
        guard state == DuckDBSuccess, let statement else {
            let message = statement.flatMap { duckdb_prepare_error($0) }.map { String(cString: $0) }
            duckdb_destroy_prepare(&statement)
            throw DuckDBError(kind: DuckDBError.Kind(message: message), message: message ?? "could not prepare statement", sql: sql)
        }
        handle = statement
        parameterCount = Int(duckdb_nparams(statement))
        parameterTypes = (0..<parameterCount).map { duckdb_param_type(statement, idx_t($0 + 1)) }
    }

    deinit { duckdb_destroy_prepare(&handle) }

    /// Releases the statement now instead of when it is released.
    public func close() { duckdb_destroy_prepare(&handle) }

    func raw() throws -> duckdb_prepared_statement {
        guard let handle else { throw DuckDBError(kind: .misuse, message: "the prepared statement is closed", sql: sql) }
        return handle
    }

    /// The name of parameter `index` (1-based): its `$name`, or its number for positional parameters.
    public func parameterName(at index: Int) throws -> String {
        guard let name = duckdb_parameter_name(try raw(), idx_t(index)) else {
            throw DuckDBError(kind: .parameter, message: "no parameter \(index) in statement with \(parameterCount)", sql: sql)
        }
        defer { duckdb_free(UnsafeMutableRawPointer(mutating: name)) }
        return String(cString: name)
    }

    // MARK: Binding

    /// Binds `value` (nil binds NULL) to parameter `index`, counted from 1.
    public func bind(_ value: (any DuckDBValueConvertible)?, at index: Int) throws {
        guard index >= 1 && index <= parameterCount else {
            throw DuckDBError(kind: .parameter,
                              message: "parameter index \(index) is out of range: the statement takes \(parameterCount) parameter(s)", sql: sql)
        }
        try bind(value?.duckDBValue ?? .null, raw: idx_t(index))
    }

    /// Binds `value` to the parameter written `$name` in the SQL.
    public func bind(_ value: (any DuckDBValueConvertible)?, named name: String) throws {
        var index: idx_t = 0
        guard duckdb_bind_parameter_index(try raw(), &index, name) == DuckDBSuccess, index > 0 else {
            throw DuckDBError(kind: .parameter, message: "the statement has no parameter named $\(name)", sql: sql)
        }
        try bind(value?.duckDBValue ?? .null, raw: index)
    }

    /// Binds all parameters by position; the count must match the statement's.
    public func bind(_ values: [(any DuckDBValueConvertible)?]) throws {
        guard values.count == parameterCount else {
            throw DuckDBError(kind: .parameter,
                              message: "the statement takes \(parameterCount) parameter(s) but \(values.count) were given", sql: sql)
        }
        for (offset, value) in values.enumerated() {
            try bind(value?.duckDBValue ?? .null, raw: idx_t(offset + 1))
        }
    }

    /// Binds parameters by name (`["id": 1]` for `$id`).
    public func bind(_ values: [String: (any DuckDBValueConvertible)?]) throws {
        for (name, value) in values { try bind(value, named: name) }
    }

    /// Forgets all bound values.
    public func clearBindings() throws {
        guard duckdb_clear_bindings(try raw()) == DuckDBSuccess else {
            throw DuckDBError(kind: .misuse, message: "could not clear bindings", sql: sql)
        }
    }

    private func bind(_ value: DuckDBValue, raw index: idx_t) throws {
        let statement = try raw()
        let state: duckdb_state
        switch Self.integer(value, as: parameterTypes[Int(index) - 1]) {
        case .null: state = duckdb_bind_null(statement, index)
        case let .bool(v): state = duckdb_bind_boolean(statement, index, v)
        case let .int8(v): state = duckdb_bind_int8(statement, index, v)
        case let .int16(v): state = duckdb_bind_int16(statement, index, v)
        case let .int32(v): state = duckdb_bind_int32(statement, index, v)
        case let .int64(v): state = duckdb_bind_int64(statement, index, v)
        case let .uint8(v): state = duckdb_bind_uint8(statement, index, v)
        case let .uint16(v): state = duckdb_bind_uint16(statement, index, v)
        case let .uint32(v): state = duckdb_bind_uint32(statement, index, v)
        case let .uint64(v): state = duckdb_bind_uint64(statement, index, v)
        case let .hugeint(v): state = duckdb_bind_hugeint(statement, index, duckdb_hugeint(v))
        case let .uhugeint(v): state = duckdb_bind_uhugeint(statement, index, duckdb_uhugeint(v))
        case let .float(v): state = duckdb_bind_float(statement, index, v)
        case let .double(v): state = duckdb_bind_double(statement, index, v)
        case let .string(v):
            var text = v
            state = text.withUTF8 { duckdb_bind_varchar_length(statement, index, $0.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) } ?? emptyCString, idx_t($0.count)) }
        case let .blob(v):
            state = v.withUnsafeBytes { duckdb_bind_blob(statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, idx_t($0.count)) }
        case let .date(v): state = duckdb_bind_date(statement, index, duckdb_date(days: v.days))
        case let .time(v): state = duckdb_bind_time(statement, index, duckdb_time(micros: v.microseconds))
        case let .timestamp(v) where v.unit == .microseconds:
            state = duckdb_bind_timestamp(statement, index, duckdb_timestamp(micros: v.value))
        case let .timestampTZ(v) where v.unit == .microseconds:
            state = duckdb_bind_timestamp_tz(statement, index, duckdb_timestamp(micros: v.value))
        case let .interval(v):
            state = duckdb_bind_interval(statement, index, duckdb_interval(months: v.months, days: v.days, micros: v.microseconds))
        default:
            // Decimals, UUIDs, enums, non-microsecond timestamps and nested values go through a duckdb_value.
            var handle = try ValueHandle.make(value)
            defer { duckdb_destroy_value(&handle) }
            state = duckdb_bind_value(statement, index, handle)
        }
        guard state == DuckDBSuccess else {
            throw DuckDBError(kind: .parameter, message: "could not bind \(value) to parameter \(index)", sql: sql)
        }
    }

    /// An integer converted to the width the parameter is declared with, when it fits. DuckDB re-plans a prepared
    /// statement whose bound value's type differs from the parameter's (a Swift `Int` is a BIGINT, a column often
    /// an INTEGER), so binding the declared type keeps a cacheable plan (such as an INSERT … VALUES) cached.
    static func integer(_ value: DuckDBValue, as type: duckdb_type) -> DuckDBValue {
        let number: Int64
        switch value {
        case let .int8(v): number = Int64(v)
        case let .int16(v): number = Int64(v)
        case let .int32(v): number = Int64(v)
        case let .int64(v): number = v
        default: return value
        }
        switch type {
        case DUCKDB_TYPE_TINYINT: return Int8(exactly: number).map { .int8($0) } ?? value
        case DUCKDB_TYPE_SMALLINT: return Int16(exactly: number).map { .int16($0) } ?? value
        case DUCKDB_TYPE_INTEGER: return Int32(exactly: number).map { .int32($0) } ?? value
        case DUCKDB_TYPE_BIGINT: return .int64(number)
        default: return value
        }
    }

    // MARK: Executing

    /// Executes the statement and returns the number of rows it changed (for INSERT, UPDATE, DELETE, COPY,
    /// CREATE TABLE AS); any rows it returns are discarded.
    @discardableResult
    public func execute() throws -> Int {
        var result = duckdb_result()
        defer { duckdb_destroy_result(&result) }
        guard duckdb_execute_prepared(try raw(), &result) == DuckDBSuccess else {
            throw DuckDBError(errorType: duckdb_result_error_type(&result),
                              message: duckdb_result_error(&result).map { String(cString: $0) }, sql: sql)
        }
        return Int(duckdb_rows_changed(&result))
    }

    /// Executes the statement and returns its result, streamed chunk by chunk as it is read.
    public func query() throws -> ResultSet {
        var pending: duckdb_pending_result?
        let state = duckdb_pending_prepared_streaming(try raw(), &pending)
        defer { duckdb_destroy_pending(&pending) }
        guard state == DuckDBSuccess, let pending else {
            let message = pending.flatMap { duckdb_pending_error($0) }.map { String(cString: $0) }
            throw DuckDBError(kind: DuckDBError.Kind(message: message), message: message ?? "could not execute statement", sql: sql)
        }
        var result = duckdb_result()
        guard duckdb_execute_pending(pending, &result) == DuckDBSuccess else {
            defer { duckdb_destroy_result(&result) }
            throw DuckDBError(errorType: duckdb_result_error_type(&result),
                              message: duckdb_result_error(&result).map { String(cString: $0) }, sql: sql)
        }
        return ResultSet(result: result, statement: self)
    }

    /// Executes the statement and returns its whole result, materialized in DuckDB before the first chunk is read.
    /// Cheaper than `query()` for small results such as point lookups.
    public func queryMaterialized() throws -> ResultSet {
        var result = duckdb_result()
        guard duckdb_execute_prepared(try raw(), &result) == DuckDBSuccess else {
            defer { duckdb_destroy_result(&result) }
            throw DuckDBError(errorType: duckdb_result_error_type(&result),
                              message: duckdb_result_error(&result).map { String(cString: $0) }, sql: sql)
        }
        return ResultSet(result: result, statement: self)
    }
}

extension duckdb_hugeint {
    init(_ value: Int128) {
        self.init(lower: UInt64(truncatingIfNeeded: value), upper: Int64(truncatingIfNeeded: value >> 64))
    }
    var int128: Int128 { Int128(upper) << 64 | Int128(lower) }
}

extension duckdb_uhugeint {
    init(_ value: UInt128) {
        self.init(lower: UInt64(truncatingIfNeeded: value), upper: UInt64(truncatingIfNeeded: value >> 64))
    }
    var uint128: UInt128 { UInt128(upper) << 64 | UInt128(lower) }
}
