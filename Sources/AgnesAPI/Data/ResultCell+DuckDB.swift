// How a DuckDB value goes on the wire as a result cell — one rule for the server's query answers and for the
// workspace's results that `agnes mcp` hands to a model.
import DuckDB

extension ResultCell {
    /// The value as JSON: numbers, booleans, strings and null as they are; anything else as DuckDB prints it.
    public init(_ value: DuckDBValue) {
        switch value {
        case .null: self = .null
        case let .bool(v): self = .bool(v)
        case let .int8(v): self = .integer(Int64(v))
        case let .int16(v): self = .integer(Int64(v))
        case let .int32(v): self = .integer(Int64(v))
        case let .int64(v): self = .integer(v)
        case let .uint8(v): self = .integer(Int64(v))
        case let .uint16(v): self = .integer(Int64(v))
        case let .uint32(v): self = .integer(Int64(v))
        case let .float(v) where v.isFinite: self = .number(Double(v))
        case let .double(v) where v.isFinite: self = .number(v)
        case let .decimal(v): self = Double(v.description).map(ResultCell.number) ?? .text(v.description)
        case let .string(v): self = .text(v)
        default: self = .text(value.description)
        }
    }
}
