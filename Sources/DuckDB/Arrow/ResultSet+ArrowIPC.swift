// A result written as an Arrow IPC stream, chunk by chunk: DuckDB converts each chunk to the Arrow C data interface
// (with the connection's Arrow settings), `ArrowIPCStreamWriter` frames it. Only one chunk is in memory at a time.
import CDuckDB
import Foundation

extension ResultSet {
    /// Writes the remaining rows as an Arrow IPC stream through `sink` (one record batch per chunk of up to 2,048
    /// rows); returns the rows written. The result is consumed.
    public func writeArrowIPC(to sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> Int64 {
        var options = duckdb_result_get_arrow_options(&result)
        defer { duckdb_destroy_arrow_options(&options) }
        let count = duckdb_column_count(&result)
        var types = (0..<count).map { duckdb_column_logical_type(&result, $0) }
        defer { for index in types.indices { duckdb_destroy_logical_type(&types[index]) } }
        let names = (0..<count).map { strdup(columns[Int($0)].name) }
        defer { names.forEach { free($0) } }
        var schema = ArrowSchema()
        var pointers: [UnsafePointer<CChar>?] = names.map { $0.map { UnsafePointer($0) } }
        try Self.check(duckdb_to_arrow_schema(options, &types, &pointers, count, &schema))
        defer { schema.release?(&schema) }
        let writer = ArrowIPCStreamWriter(sink: sink)
        try writer.writeSchema(&schema)
        var rows: Int64 = 0
        while let chunk = try nextChunk() {
            var array = ArrowArray()
            try Self.check(duckdb_data_chunk_to_arrow(options, chunk.handle, &array))
            defer { array.release?(&array) }
            try writer.writeBatch(&array, schema: &schema)
            rows += array.length
        }
        try writer.finish()
        return rows
    }

    static func check(_ error: duckdb_error_data?) throws {
        var error = error
        defer { duckdb_destroy_error_data(&error) }
        guard let data = error, duckdb_error_data_has_error(data) else { return }
        throw DuckDBError(kind: .conversion, message: duckdb_error_data_message(data).map { String(cString: $0) } ?? "Arrow conversion failed")
    }
}
