// One result row as values, addressable by position or column name, decodable into a struct.

/// The column names of a result, shared by all its rows.
final class ColumnNames: Sendable {
    let columns: [Column]
    let index: [String: Int]
    init(columns: [Column], index: [String: Int]) {
        self.columns = columns
        self.index = index
    }
}

/// A row of a result.
public struct Row: Sendable {
    let names: ColumnNames
    /// The row's values, in column order.
    public let values: [DuckDBValue]

    init(names: ColumnNames, values: [DuckDBValue]) {
        self.names = names
        self.values = values
    }

    /// The result's columns.
    public var columns: [Column] { names.columns }

    /// The value in column `index`.
    public subscript(index: Int) -> DuckDBValue { values[index] }

    /// The value in the column named `name`, or nil when there is no such column.
    public subscript(name: String) -> DuckDBValue? { names.index[name].map { values[$0] } }

    /// The value in the column named `name` converted to `T`; nil when NULL; throws when missing or not convertible.
    public func get<T: DuckDBValueConvertible>(_ name: String, as type: T.Type = T.self) throws -> T? {
        guard let index = names.index[name] else {
            throw DuckDBError(kind: .typeMismatch, message: "the result has no column named \(name)")
        }
        let value = values[index]
        if value.isNull { return nil }
        guard let converted = T(duckDBValue: value) else {
            throw DuckDBError(kind: .typeMismatch, message: "cannot read \(names.columns[index].type) value \(value) of column \(name) as \(T.self)")
        }
        return converted
    }

    /// Decodes the row into `T`, matching coding keys to column names.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try RowDecoder.decode(type, from: self)
    }
}
