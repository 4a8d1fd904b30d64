// One chunk of a result (up to DuckDB's vector size of rows), giving typed access to its column vectors.
import CDuckDB

/// A chunk of result rows. Its column vectors are valid while the chunk is alive.
public final class DataChunk {
    var handle: duckdb_data_chunk?
    /// Rows in this chunk.
    public let count: Int
    /// The result's columns.
    public let columns: [Column]

    init(handle: duckdb_data_chunk, columns: [Column]) {
        self.handle = handle
        self.columns = columns
        count = Int(duckdb_data_chunk_get_size(handle))
    }

    deinit { duckdb_destroy_data_chunk(&handle) }

    /// The vector of column `index`.
    public func column(_ index: Int) -> ColumnVector {
        precondition(index >= 0 && index < columns.count, "column \(index) out of range 0..<\(columns.count)")
        return ColumnVector(vector: duckdb_data_chunk_get_vector(handle, idx_t(index))!, type: columns[index].type,
                            name: columns[index].name, count: count, owner: self)
    }

    func readers() -> [ColumnVector] { (0..<columns.count).map(column) }
}
