// A query result read chunk by chunk, with conveniences to decode rows or read whole columns.
import CDuckDB

/// A column of a result: its name and type.
public struct Column: Hashable, Sendable {
    public var name: String
    public var type: LogicalType
}

/// The result of a query. Rows arrive in chunks (`nextChunk()`) so a large result is never held in memory unless a
/// convenience such as `rows()` or `decode(_:)` is asked to collect it.
public final class ResultSet {
    var result: duckdb_result
    private var isOpen = true
    /// The statement that produced this result (kept alive while it is read).
    private let statement: PreparedStatement?
    /// Name and type of each column.
    public let columns: [Column]
    /// Column names and their index (the first column of a duplicated name wins), shared by all rows.
    private let names: ColumnNames
    /// Number of rows the statement changed (INSERT/UPDATE/DELETE), 0 for queries.
    public let rowsChanged: Int

    init(result: duckdb_result, statement: PreparedStatement?) {
        self.result = result
        self.statement = statement
        var result = result
        let count = duckdb_column_count(&result)
        var columns: [Column] = []
        columns.reserveCapacity(Int(count))
        for index in 0..<count {
            let name = duckdb_column_name(&result, index).map { String(cString: $0) } ?? "column\(index)"
            var handle = duckdb_column_logical_type(&result, index)
            let type = handle.map { LogicalType(handle: $0) } ?? .unsupported(id: 0, name: "INVALID")
            duckdb_destroy_logical_type(&handle)
            columns.append(Column(name: name, type: type))
        }
        self.columns = columns
        var index: [String: Int] = [:]
        for (offset, column) in columns.enumerated() where index[column.name] == nil { index[column.name] = offset }
        names = ColumnNames(columns: columns, index: index)
        rowsChanged = duckdb_result_return_type(result) == DUCKDB_RESULT_TYPE_CHANGED_ROWS ? Int(duckdb_rows_changed(&result)) : 0
    }

    deinit { close() }

    /// Releases the result now; further reads return no rows.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        duckdb_destroy_result(&result)
    }

    /// The position of the column named `name`.
    public func columnIndex(named name: String) throws -> Int {
        guard let index = names.index[name] else {
            throw DuckDBError(kind: .typeMismatch, message: "the result has no column named \(name); columns: \(columns.map(\.name).joined(separator: ", "))")
        }
        return index
    }

    /// The next chunk of rows (up to 2,048), or nil when the result is exhausted.
    public func nextChunk() throws -> DataChunk? {
        guard isOpen else { return nil }
        if let chunk = duckdb_fetch_chunk(result) {
            return DataChunk(handle: chunk, columns: columns)
        }
        if let error = duckdb_result_error(&result) {
            let failure = DuckDBError(errorType: duckdb_result_error_type(&result), message: String(cString: error), sql: statement?.sql)
            close()
            throw failure
        }
        close()
        return nil
    }

    /// Calls `body` with each remaining chunk.
    public func forEachChunk(_ body: (DataChunk) throws -> Void) throws {
        while let chunk = try nextChunk() { try body(chunk) }
    }

    /// Calls `body` with each remaining row.
    public func forEachRow(_ body: (Row) throws -> Void) throws {
        while let chunk = try nextChunk() {
            let readers = chunk.readers()
            for row in 0..<chunk.count { try body(try self.row(row, of: readers)) }
        }
    }

    /// Row `index` of a chunk whose column vectors are `readers`.
    private func row(_ index: Int, of readers: [ColumnVector]) throws -> Row {
        Row(names: names, values: try readers.map { try $0.value(at: index) })
    }

    /// Collects every remaining row.
    public func rows() throws -> [Row] {
        var rows: [Row] = []
        try forEachRow { rows.append($0) }
        return rows
    }

    /// Decodes every remaining row into `T`, matching coding keys to column names.
    public func decode<T: Decodable>(_ type: T.Type) throws -> [T] {
        var values: [T] = []
        try forEachRow { values.append(try $0.decode(type)) }
        return values
    }

    /// Decodes the first row into `T`, or returns nil when there are no rows; the rest are discarded.
    public func decodeFirst<T: Decodable>(_ type: T.Type) throws -> T? {
        defer { close() }
        guard let chunk = try nextChunk(), chunk.count > 0 else { return nil }
        return try row(0, of: chunk.readers()).decode(type)
    }

    /// The first column of the first row as `T`; nil when there are no rows or the value is NULL.
    public func scalar<T: DuckDBValueConvertible>(_ type: T.Type) throws -> T? {
        defer { close() }
        guard !columns.isEmpty, let chunk = try nextChunk(), chunk.count > 0 else { return nil }
        let value = try chunk.column(0).value(at: 0)
        if value.isNull { return nil }
        guard let converted = T(duckDBValue: value) else {
            throw DuckDBError(kind: .typeMismatch, message: "cannot read \(columns[0].type) value \(value) of column \(columns[0].name) as \(T.self)")
        }
        return converted
    }
}
