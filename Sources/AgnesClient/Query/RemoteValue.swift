// A remote query's answer (`POST /api/query`): its JSON cells decoded strictly (a boolean stays a boolean, an integer
// an integer) into DuckDB values, so local and remote results share one formatter.
import DuckDB
import Foundation

public struct RemoteResult: Decodable, Sendable {
    public var columns: [String]
    public var rows: [[Cell]]
    public var truncated: Bool

    public struct Cell: Decodable, Sendable {
        public var value: DuckDBValue

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { value = .null }
            else if let bool = try? container.decode(Bool.self) { value = .bool(bool) }
            else if let integer = try? container.decode(Int64.self) { value = .int64(integer) }
            else if let number = try? container.decode(Double.self) { value = .double(number) }
            else { value = .string(try container.decode(String.self)) }
        }
    }

    public var values: [[DuckDBValue]] { rows.map { $0.map(\.value) } }
}
