// A query's answer written as the JSON of a `QueryResult` straight from DuckDB's vectors into one byte buffer: no row
// of boxed values, no encoder. Numbers, booleans, text and null are written as they are; every other type goes
// through `ResultCell`, the one rule of how a DuckDB value goes on the wire, so both paths agree value for value.
// The byte cap counts the bytes really written. A large answer can be handed on in chunks as it is written
// (`streamed`), always at row boundaries, with the caps counting every byte handed on.
import AgnesAPI
import DuckDB
import Foundation

/// A streamed answer failed after some of it was handed on: the status has gone, so the body must tell the rest.
public struct QueryStreamBroken: Error {
    /// Rows in the bytes handed on.
    public let rowsSent: Int
    /// Why it stopped (`QueryTimedOut`, `QueryCancelled`, `ResultPipeClosed`, a DuckDB error …).
    public let cause: any Error
}

/// The JSON of a `QueryResult`, rows written; `finished(rowScope:)` closes it.
public struct QueryResultJSON: Sendable {
    /// `{"columns":[…],"rows":[…]` (what was not handed on yet, when streamed).
    private var head: [UInt8]
    public let rowCount: Int
    public let truncated: Bool

    /// The whole body: the rows, then `row_count`, `truncated` and `row_scope` (the rows' bytes are moved, not copied).
    public mutating func finished(rowScope: RowScope?) throws -> [UInt8] {
        var out: [UInt8] = []
        swap(&out, &head)
        try Self.close(&out, rowCount: rowCount, truncated: truncated, rowScope: rowScope, error: nil)
        return out
    }

    /// The end of a body whose rows have been sent up to `rowCount` when the query failed with `error`: the rows array
    /// closed, `truncated: true` and the error, so the client reads valid JSON that says it is incomplete.
    public static func failedEnd(rowCount: Int, rowScope: RowScope?, error: String) throws -> [UInt8] {
        var out = Array("]".utf8)
        try close(&out, rowCount: rowCount, truncated: true, rowScope: rowScope, error: error)
        return out
    }

    private static func close(_ out: inout [UInt8], rowCount: Int, truncated: Bool, rowScope: RowScope?, error: String?) throws {
        out.append(contentsOf: Array(#","row_count":\#(rowCount),"truncated":\#(truncated),"row_scope":"#.utf8))
        if let rowScope { out.append(contentsOf: try JSONCoding.encoder.encode(rowScope)) } else { out.append(contentsOf: Array("null".utf8)) }
        out.append(contentsOf: Array(#","error":"#.utf8))
        if var error { error.withUTF8 { JSONText.appendString($0, to: &out) } } else { out.append(contentsOf: Array("null".utf8)) }
        out.append(UInt8(ascii: "}"))
    }

    /// Reads rows while they fit `limit` and `maximumBytes` (of the body as `finished` writes it, give or take its
    /// closing fields); a first row larger than `maximumBytes` is `RowTooLarge`.
    static func collect(_ result: ResultSet, limit: Int, maximumBytes: Int) throws -> QueryResultJSON {
        try streamed(result, limit: limit, maximumBytes: maximumBytes, firstChunk: .max, chunk: .max, handOn: { _, _ in })
    }

    /// `collect`, handing the bytes written so far to `send` at the end of a row once `firstChunk` bytes (the first
    /// time) or `chunk` bytes (later) wait. What was not handed on is in the answer, for `finished`; a failure after
    /// bytes were handed on is `QueryStreamBroken`.
    static func streamed(_ result: ResultSet, limit: Int, maximumBytes: Int, firstChunk: Int, chunk chunkBytes: Int,
                         send: ([UInt8]) throws -> Void) throws -> QueryResultJSON {
        var rowsSent = 0
        do {
            return try streamed(result, limit: limit, maximumBytes: maximumBytes, firstChunk: firstChunk, chunk: chunkBytes) { bytes, rows in
                try send(bytes)
                rowsSent = rows
            }
        } catch let error where rowsSent > 0 {
            throw QueryStreamBroken(rowsSent: rowsSent, cause: error)
        }
    }

    private static func streamed(_ result: ResultSet, limit: Int, maximumBytes: Int, firstChunk: Int, chunk chunkBytes: Int,
                                 handOn send: ([UInt8], _ rows: Int) throws -> Void) throws -> QueryResultJSON {
        defer { result.close() }
        var sentBytes = 0
        var out: [UInt8] = []
        out.reserveCapacity(64 << 10)
        out.append(contentsOf: Array(#"{"columns":["#.utf8))
        for (index, column) in result.columns.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            var name = column.name
            name.withUTF8 { JSONText.appendString($0, to: &out) }
        }
        out.append(contentsOf: Array(#"],"rows":["#.utf8))
        var rows = 0
        func answer(truncated: Bool, tooLarge: Bool = false) throws -> QueryResultJSON {
            if rows == 0, tooLarge { throw RowTooLarge(maximumBytes: maximumBytes) }
            out.append(UInt8(ascii: "]"))
            return QueryResultJSON(head: out, rowCount: rows, truncated: truncated)
        }
        while let chunk = try result.nextChunk() {
            let writers = (0..<result.columns.count).map { CellWriter(chunk.column($0)) }
            for row in 0..<chunk.count {
                if rows == limit { return try answer(truncated: true) }
                if rows > 0, out.count >= (sentBytes == 0 ? firstChunk : chunkBytes) {
                    var handed: [UInt8] = []
                    handed.reserveCapacity(out.count + out.count / 8)
                    swap(&handed, &out)
                    sentBytes += handed.count
                    try send(handed, rows)
                }
                let rowStart = out.count
                if rows > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "["))
                for (index, writer) in writers.enumerated() {
                    if index > 0 { out.append(UInt8(ascii: ",")) }
                    // A long text is measured before it is copied: past the cap it is never read.
                    if let length = writer.vector.byteLength(at: row), sentBytes + out.count + length > maximumBytes {
                        out.removeSubrange(rowStart...)
                        return try answer(truncated: true, tooLarge: true)
                    }
                    try writer.write(row, to: &out)
                }
                out.append(UInt8(ascii: "]"))
                if sentBytes + out.count > maximumBytes {
                    out.removeSubrange(rowStart...)
                    return try answer(truncated: true, tooLarge: true)
                }
                rows += 1
            }
        }
        return try answer(truncated: false)
    }
}

/// Writes the cells of one column vector.
private struct CellWriter {
    enum Kind { case boolean, int8, int16, int32, int64, uint8, uint16, uint32, float, double, text, other }

    let vector: ColumnVector
    let kind: Kind
    let values: UnsafeRawPointer?

    init(_ vector: ColumnVector) {
        self.vector = vector
        kind = switch vector.type {
        case .boolean: .boolean
        case .tinyint: .int8
        case .smallint: .int16
        case .integer: .int32
        case .bigint: .int64
        case .utinyint: .uint8
        case .usmallint: .uint16
        case .uinteger: .uint32
        case .float: .float
        case .double: .double
        case .varchar: .text
        default: .other
        }
        values = switch kind {
        case .boolean: (try? vector.withUnsafeValues(as: Bool.self) { UnsafeRawPointer($0.baseAddress) }) ?? nil
        case .int8: (try? vector.withUnsafeValues(as: Int8.self) { UnsafeRawPointer($0.baseAddress) }) ?? nil
        case .int16: (try? vector.withUnsafeValues(as: Int16.self) { UnsafeRawPointer($0.baseAddress) }) ?? nil
        case .int32: (try? vector.withUnsafeValues(as: Int32.self) { UnsafeRawPointer($0.baseAddress) }) ?? nil
        case .int64: (try? vector.withUnsafeValues(as: Int64.self) { UnsafeRawPointer($0.baseAddress) }) ?? nil
        case .uint8: (try? vector.withUnsafeValues(as: UInt8.self) { UnsafeRawPointer($0.baseAddress) }) ?? nil
        case .uint16: (try? vector.withUnsafeValues(as: UInt16.self) { UnsafeRawPointer($0.baseAddress) }) ?? nil
        case .uint32: (try? vector.withUnsafeValues(as: UInt32.self) { UnsafeRawPointer($0.baseAddress) }) ?? nil
        case .float: (try? vector.withUnsafeValues(as: Float.self) { UnsafeRawPointer($0.baseAddress) }) ?? nil
        case .double: (try? vector.withUnsafeValues(as: Double.self) { UnsafeRawPointer($0.baseAddress) }) ?? nil
        case .text, .other: nil
        }
    }

    func write(_ row: Int, to out: inout [UInt8]) throws {
        if vector.isNull(row) { return out.append(contentsOf: Self.null) }
        func load<T>(_: T.Type) -> T { values!.load(fromByteOffset: row &* MemoryLayout<T>.stride, as: T.self) }
        switch kind {
        case .boolean: out.append(contentsOf: load(UInt8.self) != 0 ? Self.true : Self.false)
        case .int8: Self.append(Int64(load(Int8.self)), to: &out)
        case .int16: Self.append(Int64(load(Int16.self)), to: &out)
        case .int32: Self.append(Int64(load(Int32.self)), to: &out)
        case .int64: Self.append(load(Int64.self), to: &out)
        case .uint8: Self.append(Int64(load(UInt8.self)), to: &out)
        case .uint16: Self.append(Int64(load(UInt16.self)), to: &out)
        case .uint32: Self.append(Int64(load(UInt32.self)), to: &out)
        case .float: try Self.append(Double(load(Float.self)), orCell: row, of: vector, to: &out)
        case .double: try Self.append(load(Double.self), orCell: row, of: vector, to: &out)
        case .text: JSONText.appendString(vector.unsafeBytes(at: row)!, to: &out)
        case .other: try Self.append(ResultCell(vector.value(at: row)), to: &out)
        }
    }

    static let null = Array("null".utf8), `true` = Array("true".utf8), `false` = Array("false".utf8)

    /// Decimal digits, no allocation.
    static func append(_ value: Int64, to out: inout [UInt8]) {
        if value == 0 { return out.append(UInt8(ascii: "0")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        let count = withUnsafeMutableBytes(of: &digits) { buffer -> Int in
            var index = buffer.count
            while magnitude > 0 {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            return buffer.count - index
        }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { out.append(contentsOf: $0[($0.count - count)...]) }
    }

    /// A finite number as Swift prints it (the shortest text that reads back the same); anything else as its cell.
    static func append(_ value: Double, orCell row: Int, of vector: ColumnVector, to out: inout [UInt8]) throws {
        guard value.isFinite else { return try append(ResultCell(vector.value(at: row)), to: &out) }
        var text = value.description
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    static func append(_ cell: ResultCell, to out: inout [UInt8]) throws {
        switch cell {
        case .null: out.append(contentsOf: null)
        case let .bool(value): out.append(contentsOf: value ? Self.true : Self.false)
        case let .integer(value): append(value, to: &out)
        case let .number(value): var text = value.description; text.withUTF8 { out.append(contentsOf: $0) }
        case var .text(value): value.withUTF8 { JSONText.appendString($0, to: &out) }
        }
    }
}
