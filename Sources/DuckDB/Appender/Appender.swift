// Fast bulk insertion into a table: row by row, or whole columns at a time through DuckDB data chunks.
import CDuckDB
import Foundation

/// Appends rows to one table, bypassing SQL parsing. Rows become visible when the appender is flushed or closed;
/// close it (or let `Connection.withAppender` do so) to find out whether the final flush succeeded.
public final class Appender {
    private var handle: duckdb_appender?
    /// The connection the appender writes through.
    public let connection: Connection
    /// The table appended to.
    public let table: String
    /// The types of the table's columns, in order.
    public let columnTypes: [LogicalType]

    init(connection: Connection, catalog: String?, schema: String?, table: String) throws {
        self.connection = connection
        self.table = table
        var appender: duckdb_appender?
        let state = duckdb_appender_create_ext(try connection.raw(), catalog, schema, table, &appender)
        guard state == DuckDBSuccess, let appender else {
            let message = appender.flatMap { duckdb_appender_error($0) }.map { String(cString: $0) }
            duckdb_appender_destroy(&appender)
            throw DuckDBError(kind: .catalog, message: message ?? "could not create an appender for table \(table)")
        }
        handle = appender
        let count = duckdb_appender_column_count(appender)
        columnTypes = (0..<count).map { index in
            var type = duckdb_appender_column_type(appender, index)
            defer { duckdb_destroy_logical_type(&type) }
            return type.map { LogicalType(handle: $0) } ?? .unsupported(id: 0, name: "INVALID")
        }
    }

    deinit { duckdb_appender_destroy(&handle) }

    private func raw() throws -> duckdb_appender {
        guard let handle else { throw DuckDBError(kind: .misuse, message: "the appender for \(table) is closed") }
        return handle
    }

    private func check(_ state: duckdb_state, _ what: @autoclosure () -> String) throws {
        guard state == DuckDBSuccess else {
            let detail = handle.flatMap { duckdb_appender_error($0) }.map { String(cString: $0) }
            throw DuckDBError(kind: Self.kind(of: detail), message: detail.map { "\(what()): \($0)" } ?? what())
        }
    }

    private static func kind(of message: String?) -> DuckDBError.Kind {
        guard let message else { return .invalidInput }
        if message.contains("Constraint") || message.contains("constraint") || message.contains("Duplicate key") { return .constraint }
        if message.contains("Conversion") || message.contains("Could not convert") { return .conversion }
        return .invalidInput
    }

    // MARK: Row by row

    /// Appends one value to the current row.
    public func append(_ value: (any DuckDBValueConvertible)?) throws {
        let appender = try raw()
        let value = value?.duckDBValue ?? .null
        let state: duckdb_state
        switch value {
        case .null: state = duckdb_append_null(appender)
        case let .bool(v): state = duckdb_append_bool(appender, v)
        case let .int8(v): state = duckdb_append_int8(appender, v)
        case let .int16(v): state = duckdb_append_int16(appender, v)
        case let .int32(v): state = duckdb_append_int32(appender, v)
        case let .int64(v): state = duckdb_append_int64(appender, v)
        case let .hugeint(v): state = duckdb_append_hugeint(appender, duckdb_hugeint(v))
        case let .uint8(v): state = duckdb_append_uint8(appender, v)
        case let .uint16(v): state = duckdb_append_uint16(appender, v)
        case let .uint32(v): state = duckdb_append_uint32(appender, v)
        case let .uint64(v): state = duckdb_append_uint64(appender, v)
        case let .uhugeint(v): state = duckdb_append_uhugeint(appender, duckdb_uhugeint(v))
        case let .float(v): state = duckdb_append_float(appender, v)
        case let .double(v): state = duckdb_append_double(appender, v)
        case let .string(v):
            var text = v
            state = text.withUTF8 { buffer in
                buffer.withMemoryRebound(to: CChar.self) { duckdb_append_varchar_length(appender, $0.baseAddress ?? emptyCString, idx_t($0.count)) }
            }
        case let .blob(v):
            state = v.withUnsafeBytes { duckdb_append_blob(appender, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, idx_t($0.count)) }
        case let .date(v): state = duckdb_append_date(appender, duckdb_date(days: v.days))
        case let .time(v): state = duckdb_append_time(appender, duckdb_time(micros: v.microseconds))
        case let .timestamp(v) where v.unit == .microseconds:
            state = duckdb_append_timestamp(appender, duckdb_timestamp(micros: v.value))
        case let .interval(v):
            state = duckdb_append_interval(appender, duckdb_interval(months: v.months, days: v.days, micros: v.microseconds))
        default:
            var handle = try ValueHandle.make(value)
            defer { duckdb_destroy_value(&handle) }
            state = duckdb_append_value(appender, handle)
        }
        try check(state, "could not append \(value) to \(table)")
    }

    /// Appends the column's default value to the current row.
    public func appendDefault() throws {
        try check(duckdb_append_default(try raw()), "could not append a default value to \(table)")
    }

    /// Finishes the current row.
    public func endRow() throws {
        try check(duckdb_appender_end_row(try raw()), "could not finish a row of \(table)")
    }

    /// Appends a whole row.
    public func appendRow(_ values: (any DuckDBValueConvertible)?...) throws {
        try appendRow(values)
    }

    /// Appends a whole row of `DuckDBValue`s. (Without this overload an array would match the variadic form as
    /// one LIST value.)
    public func appendRow(_ values: [DuckDBValue]) throws {
        try appendRow(values.map { $0 as (any DuckDBValueConvertible)? })
    }

    /// Appends a whole row given as an array.
    public func appendRow(_ values: [(any DuckDBValueConvertible)?]) throws {
        guard values.count == columnTypes.count else {
            throw DuckDBError(kind: .invalidInput, message: "\(table) has \(columnTypes.count) columns but the row has \(values.count) values")
        }
        for value in values { try append(value) }
        try endRow()
    }

    // MARK: Column-wise

    /// Appends whole columns at once, one `AppendColumn` per table column, all of the same length. Values are
    /// written straight into DuckDB data chunks (`duckdb_append_data_chunk`), the fastest way to load data.
    public func appendColumns(_ columns: [AppendColumn]) throws {
        let appender = try raw()
        guard columns.count == columnTypes.count else {
            throw DuckDBError(kind: .invalidInput, message: "\(table) has \(columnTypes.count) columns but \(columns.count) were given")
        }
        guard let rowCount = columns.first?.count else { return }
        for (index, column) in columns.enumerated() {
            guard column.count == rowCount else {
                throw DuckDBError(kind: .invalidInput, message: "column \(index) has \(column.count) values, column 0 has \(rowCount)")
            }
            try column.checkCompatible(columnTypes[index], index)
        }
        var typeHandles: [duckdb_logical_type?] = []
        defer { for index in typeHandles.indices { duckdb_destroy_logical_type(&typeHandles[index]) } }
        for index in columnTypes.indices { typeHandles.append(duckdb_appender_column_type(appender, idx_t(index))) }
        var chunk = typeHandles.withUnsafeMutableBufferPointer { duckdb_create_data_chunk($0.baseAddress, idx_t(columns.count)) }
        defer { duckdb_destroy_data_chunk(&chunk) }
        guard let chunk else { throw DuckDBError(kind: .outOfMemory, message: "could not allocate a data chunk") }

        let chunkSize = Database.vectorSize
        var start = 0
        while start < rowCount {
            let count = min(chunkSize, rowCount - start)
            duckdb_data_chunk_reset(chunk)
            for (index, column) in columns.enumerated() {
                let vector = VectorWriter(vector: duckdb_data_chunk_get_vector(chunk, idx_t(index))!, type: columnTypes[index])
                try column.write(vector, start, count)
            }
            duckdb_data_chunk_set_size(chunk, idx_t(count))
            try check(duckdb_append_data_chunk(appender, chunk), "could not append rows \(start)..<\(start + count) to \(table)")
            start += count
        }
    }

    /// Appends a chunk read from a result — of any database of this process — whose columns are the table's.
    public func append(_ chunk: DataChunk) throws {
        let appender = try raw()
        guard let handle = chunk.handle else { return }
        try check(duckdb_append_data_chunk(appender, handle), "could not append a chunk of \(chunk.count) rows to \(table)")
    }

    // MARK: Finishing

    /// Writes buffered rows to the table.
    public func flush() throws {
        try check(duckdb_appender_flush(try raw()), "could not flush the appender for \(table)")
    }

    /// Flushes and closes the appender.
    public func close() throws {
        guard handle != nil else { return }
        let state = duckdb_appender_close(handle!)
        let failure: DuckDBError? = state == DuckDBSuccess ? nil : {
            let detail = duckdb_appender_error(handle!).map { String(cString: $0) }
            return DuckDBError(kind: Self.kind(of: detail), message: "could not close the appender for \(table): \(detail ?? "unknown error")")
        }()
        duckdb_appender_destroy(&handle)
        if let failure { throw failure }
    }
}
