// DuckDB values to PostgreSQL parameters and PostgreSQL cells back to DuckDB values, so that a repository binds and
// decodes the same way on both state backends.
import DuckDB
import Foundation
import NIOCore
import PostgresNIO

enum PostgresValues {
    /// Appends `value` to `bindings` as the PostgreSQL type closest to it. NULL is sent untyped, so the server infers
    /// its type from the statement.
    static func bind(_ value: DuckDBValue, into bindings: inout PostgresBindings) throws {
        switch value {
        case .null: bindings.appendNull()
        case let .bool(v): bindings.append(v)
        case let .int8(v): bindings.append(Int16(v))
        case let .int16(v): bindings.append(v)
        case let .int32(v): bindings.append(v)
        case let .int64(v): bindings.append(v)
        case let .uint8(v): bindings.append(Int16(v))
        case let .uint16(v): bindings.append(Int32(v))
        case let .uint32(v): bindings.append(Int64(v))
        case .uint64, .hugeint, .uhugeint:
            guard let wide = value.integerValue, let exact = Int64(exactly: wide) else {
                throw DuckDBError(kind: .conversion, message: "\(value) does not fit a PostgreSQL BIGINT")
            }
            bindings.append(exact)
        case let .float(v): bindings.append(Double(v))
        case let .double(v): bindings.append(v)
        case let .decimal(v): bindings.append(v.doubleValue)
        case let .string(v), let .enumeration(v): bindings.append(v)
        case let .blob(v): bindings.append(ByteBuffer(bytes: v))
        case let .uuid(v): bindings.append(v.uuidString.lowercased())
        case let .timestamp(v), let .timestampTZ(v): bindings.append(PostgresTimestamp(unixMicroseconds: v.microseconds))
        case let .date(v): bindings.append(PostgresTimestamp(unixMicroseconds: Int64(v.days) * 86_400_000_000))
        case let .list(values), let .array(values):
            try bindList(values, into: &bindings)
        case .time, .interval, .structure, .map:
            throw DuckDBError(kind: .unsupportedType, message: "\(value) cannot be a parameter of the PostgreSQL state")
        }
    }

    /// A list of strings binds as `text[]`, of integers as `bigint[]`; an empty list as `text[]`.
    private static func bindList(_ values: [DuckDBValue], into bindings: inout PostgresBindings) throws {
        if values.allSatisfy({ $0.integerValue != nil && !$0.isString }) && !values.isEmpty {
            bindings.append(try values.map { value -> Int64 in
                guard let wide = value.integerValue, let exact = Int64(exactly: wide) else {
                    throw DuckDBError(kind: .conversion, message: "\(value) does not fit a PostgreSQL BIGINT")
                }
                return exact
            })
            return
        }
        bindings.append(try values.map { value -> String in
            guard let text = value.stringValue else {
                throw DuckDBError(kind: .unsupportedType, message: "a list holding \(value) cannot be a parameter of the PostgreSQL state")
            }
            return text
        })
    }

    /// The value of one result cell, as DuckDB would have returned it for the same column.
    static func value(of cell: PostgresCell) throws -> DuckDBValue {
        guard cell.bytes != nil else { return .null }
        do {
            switch cell.dataType {
            case .bool: return .bool(try cell.decode(Bool.self))
            case .int2: return .int16(try cell.decode(Int16.self))
            case .int4: return .int32(try cell.decode(Int32.self))
            case .int8, .oid: return .int64(try cell.decode(Int64.self))
            case .float4, .float8: return .double(try cell.decode(Double.self))
            case .numeric:
                let decimal = try cell.decode(Decimal.self)
                if let exact = Int64(exactly: NSDecimalNumber(decimal: decimal).doubleValue), Decimal(exact) == decimal { return .int64(exact) }
                return .double(NSDecimalNumber(decimal: decimal).doubleValue)
            case .timestamptz, .timestamp:
                return .timestampTZ(DuckDBTimestamp(microseconds: try PostgresTimestamp.unixMicroseconds(of: cell)))
            case .date:
                return .timestampTZ(DuckDBTimestamp(try cell.decode(Date.self)))
            case .bytea: return .blob(Data(buffer: try cell.decode(ByteBuffer.self)))
            case .textArray, .varcharArray, .nameArray:
                return .list(try cell.decode([String].self).map { .string($0) })
            case .int8Array: return .list(try cell.decode([Int64].self).map { .int64($0) })
            case .int4Array: return .list(try cell.decode([Int32].self).map { .int32($0) })
            case .uuid: return .string(try cell.decode(UUID.self).uuidString.lowercased())
            default: return .string(try cell.decode(String.self))
            }
        } catch let error as PostgresDecodingError {
            throw DuckDBError(kind: .conversion, message: "cannot read column \(cell.columnName) (\(cell.dataType)): \(error.code)")
        }
    }

    /// A PostgreSQL failure as the `DuckDBError` kind the state layer reacts to: a unique violation is `.constraint`
    /// with "Duplicate key", a serialization failure or deadlock `.transaction` with "Conflict" (and so retried by
    /// `StateStore.write`), a lost connection `.io`. The message is the server's, never the connection's settings.
    static func stateError(_ error: PSQLError) -> DuckDBError {
        guard let info = error.serverInfo, let state = info[.sqlState] else {
            return DuckDBError(kind: .io, message: "PostgreSQL: \(error.code)" + (error.underlying.map { " (\($0))" } ?? ""))
        }
        let message = info[.message] ?? "error \(state)"
        let detail = info[.detail].map { " — \($0)" } ?? ""
        switch state {
        case "23505": return DuckDBError(kind: .constraint, message: "Duplicate key: \(message)\(detail)")
        case "40001", "40P01": return DuckDBError(kind: .transaction, message: "Conflict: \(message)")
        case "57014": return DuckDBError(kind: .interrupt, message: message)
        default: break
        }
        let kind: DuckDBError.Kind = switch state.prefix(2) {
        case "23": .constraint
        case "22": .conversion
        case "42": state == "42601" ? .syntax : (state == "42P01" || state == "42P07" || state == "42703" ? .catalog : .binder)
        case "08", "57", "53": .io
        case "40", "25": .transaction
        default: .other(0)
        }
        return DuckDBError(kind: kind, message: "\(message)\(detail)")
    }
}

/// A TIMESTAMPTZ to the microsecond, as both databases keep it (Foundation's `Date` is a Double and may round).
struct PostgresTimestamp: PostgresDynamicTypeEncodable {
    /// Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 UTC.
    static let epochOffset: Int64 = 946_684_800_000_000
    let unixMicroseconds: Int64

    var psqlType: PostgresDataType { .timestamptz }
    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(unixMicroseconds - Self.epochOffset)
    }

    /// The microseconds since 1970 of a binary TIMESTAMP or TIMESTAMPTZ cell.
    static func unixMicroseconds(of cell: PostgresCell) throws -> Int64 {
        guard cell.format == .binary, var bytes = cell.bytes, bytes.readableBytes == 8, let micros = bytes.readInteger(as: Int64.self) else {
            throw DuckDBError(kind: .conversion, message: "cannot read column \(cell.columnName) as a timestamp")
        }
        return micros + epochOffset
    }
}

private extension DuckDBValue {
    var isString: Bool { if case .string = self { true } else { false } }
}
