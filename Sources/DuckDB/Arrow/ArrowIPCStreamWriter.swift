// The Arrow IPC streaming format (arrow.apache.org/docs/format/Columnar.html#ipc-streaming-format) around arrays in
// the Arrow C data interface, as DuckDB hands them out: a Schema message, one RecordBatch message per chunk (the
// buffers copied into the body, each padded to 8 bytes), and the end-of-stream marker. Every message is a
// continuation marker, the metadata's length, the FlatBuffers metadata (Message.fbs, Schema.fbs) and the body.
// Dictionary-encoded, view and run-end types are refused with a clear error.
import CDuckDB

/// Writes an Arrow IPC stream through `sink`, message by message.
public struct ArrowIPCStreamWriter {
    private let sink: (UnsafeRawBufferPointer) throws -> Void

    public init(sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.sink = sink
    }

    /// The Schema message for a struct schema whose children are the columns.
    func writeSchema(_ schema: UnsafePointer<ArrowSchema>) throws {
        let fields = try (0..<Int(schema.pointee.n_children)).map { try Self.field(schema.pointee.children[$0]!) }
        let header = FlatBufferObject.table([nil, .object(.tables(fields))])
        try writeMessage(headerType: 1, header: header, body: [], bodyLength: 0)
    }

    /// A RecordBatch message for a struct array whose children are the columns (described by `schema`).
    func writeBatch(_ array: UnsafePointer<ArrowArray>, schema: UnsafePointer<ArrowSchema>) throws {
        var nodes: [UInt8] = [], buffers: [UInt8] = [], body: [UnsafeRawBufferPointer] = []
        var bodyLength = 0
        func addBuffer(_ pointer: UnsafeRawPointer?, _ length: Int) {
            let length = pointer == nil ? 0 : length
            append(Int64(bodyLength), to: &buffers)
            append(Int64(length), to: &buffers)
            if let pointer, length > 0 { body.append(UnsafeRawBufferPointer(start: pointer, count: length)) }
            bodyLength += (length + 7) / 8 * 8
        }
        func visit(_ array: UnsafePointer<ArrowArray>, _ schema: UnsafePointer<ArrowSchema>) throws {
            let a = array.pointee
            guard a.offset == 0 else { throw DuckDBError(kind: .unsupportedType, message: "Arrow arrays with an offset are not written") }
            let format = String(cString: schema.pointee.format)
            let length = Int(a.length)
            let validity = a.n_buffers > 0 ? a.buffers[0] : nil
            var nulls = Int(a.null_count)
            if nulls < 0 { nulls = Self.countNulls(validity, length) }
            append(Int64(length), to: &nodes)
            append(Int64(validity == nil ? 0 : nulls), to: &nodes)
            let layout = try Self.layout(format)
            switch layout {
            case .null: break
            case let .fixed(bits):
                addBuffer(validity, (length + 7) / 8)
                addBuffer(a.buffers[1], (length * bits + 7) / 8)
            case let .variable(offsetBytes):
                addBuffer(validity, (length + 7) / 8)
                addBuffer(a.buffers[1], (length + 1) * offsetBytes)
                let end: Int = length == 0 || a.buffers[1] == nil ? 0
                    : offsetBytes == 4 ? Int(a.buffers[1]!.load(fromByteOffset: length * 4, as: Int32.self))
                    : Int(a.buffers[1]!.load(fromByteOffset: length * 8, as: Int64.self))
                addBuffer(a.buffers[2], end)
            case let .list(offsetBytes):
                addBuffer(validity, (length + 7) / 8)
                addBuffer(a.buffers[1], (length + 1) * offsetBytes)
            case .fixedList, .struct:
                addBuffer(validity, (length + 7) / 8)
            }
            for index in 0..<Int(a.n_children) { try visit(a.children[index]!, schema.pointee.children[index]!) }
        }
        for index in 0..<Int(array.pointee.n_children) { try visit(array.pointee.children[index]!, schema.pointee.children[index]!) }
        let header = FlatBufferObject.table([.int64(array.pointee.length), .object(.structs(count: nodes.count / 16, bytes: nodes)),
                                             .object(.structs(count: buffers.count / 16, bytes: buffers))])
        try writeMessage(headerType: 3, header: header, body: body, bodyLength: bodyLength)
    }

    /// The end-of-stream marker.
    func finish() throws {
        try [UInt8]([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]).withUnsafeBytes(sink)
    }

    private func writeMessage(headerType: UInt8, header: FlatBufferObject, body: [UnsafeRawBufferPointer], bodyLength: Int) throws {
        // Message { version: V5, header_type, header, bodyLength }
        var metadata = FlatBufferWriter.serialize(.table([.int16(4), .uint8(headerType), .object(header), .int64(Int64(bodyLength))]))
        while (metadata.count + 8) % 8 != 0 { metadata.append(0) }
        var prefix: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF]
        append(Int32(metadata.count), to: &prefix)
        try prefix.withUnsafeBytes(sink)
        try metadata.withUnsafeBytes(sink)
        let zeros = [UInt8](repeating: 0, count: 8)
        for buffer in body {
            try sink(buffer)
            let padding = (8 - buffer.count % 8) % 8
            if padding > 0 { try zeros.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<padding])) } }
        }
    }

    private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func countNulls(_ validity: UnsafeRawPointer?, _ length: Int) -> Int {
        guard let validity else { return 0 }
        var valid = 0
        let bytes = validity.assumingMemoryBound(to: UInt8.self)
        for index in 0..<length where bytes[index / 8] & (1 << (index % 8)) != 0 { valid += 1 }
        return length - valid
    }

    // MARK: - Types

    /// How a type's buffers are laid out.
    enum Layout {
        case null
        /// Validity and values of `bits` each (booleans are 1 bit).
        case fixed(bits: Int)
        /// Validity, offsets of `offsetBytes`, data (strings and binaries).
        case variable(offsetBytes: Int)
        /// Validity and offsets, then the child.
        case list(offsetBytes: Int)
        /// Validity, then the child.
        case fixedList
        /// Validity, then the children.
        case `struct`
    }

    static func layout(_ format: String) throws -> Layout {
        switch format {
        case "n": return .null
        case "b": return .fixed(bits: 1)
        case "c", "C": return .fixed(bits: 8)
        case "s", "S", "e": return .fixed(bits: 16)
        case "i", "I", "f", "tdD", "tts", "ttm", "tiM": return .fixed(bits: 32)
        case "l", "L", "g", "tdm", "ttu", "ttn", "tiD": return .fixed(bits: 64)
        case "tin": return .fixed(bits: 128)
        case "u", "z": return .variable(offsetBytes: 4)
        case "U", "Z": return .variable(offsetBytes: 8)
        case "+l", "+m": return .list(offsetBytes: 4)
        case "+L": return .list(offsetBytes: 8)
        case "+s": return .struct
        default:
            if format.hasPrefix("ts") || format.hasPrefix("tD") { return .fixed(bits: 64) }
            if format.hasPrefix("d:") { return .fixed(bits: decimalBitWidth(format)) }
            if format.hasPrefix("w:"), let width = Int(format.dropFirst(2)) { return .fixed(bits: width * 8) }
            if format.hasPrefix("+w:") { return .fixedList }
            throw unsupported(format)
        }
    }

    static func decimalBitWidth(_ format: String) -> Int {
        let parts = format.dropFirst(2).split(separator: ",")
        return parts.count > 2 ? Int(parts[2]) ?? 128 : 128
    }

    static func unsupported(_ format: String) -> DuckDBError {
        DuckDBError(kind: .unsupportedType, message: "the Arrow type '\(format)' cannot be written as an IPC stream here; cast the column (e.g. to VARCHAR)")
    }

    /// A Field table (Schema.fbs) for a column.
    static func field(_ schema: UnsafePointer<ArrowSchema>) throws -> FlatBufferObject {
        let s = schema.pointee
        guard s.dictionary == nil else { throw unsupported("dictionary") }
        let format = String(cString: s.format)
        let (typeId, type) = try self.type(format, flags: s.flags)
        let children = try (0..<Int(s.n_children)).map { try field(s.children[$0]!) }
        // Field { name, nullable, type_type, type, dictionary, children }
        return .table([s.name.map { .object(.string(String(cString: $0))) }, .bool(s.flags & Int64(ARROW_FLAG_NULLABLE) != 0),
                       .uint8(typeId), .object(type), nil, .object(.tables(children))])
    }

    /// The Type union's tag and table for a format string.
    static func type(_ format: String, flags: Int64) throws -> (UInt8, FlatBufferObject) {
        func int(_ bits: Int32, _ signed: Bool) -> (UInt8, FlatBufferObject) { (2, .table([.int32(bits), .bool(signed)])) }
        func float(_ precision: Int16) -> (UInt8, FlatBufferObject) { (3, .table([.int16(precision)])) }
        func unit(_ character: Character) throws -> Int16 {
            switch character {
            case "s": 0
            case "m": 1
            case "u": 2
            case "n": 3
            default: throw unsupported(format)
            }
        }
        switch format {
        case "n": return (1, .table([]))
        case "b": return (6, .table([]))
        case "c": return int(8, true)
        case "C": return int(8, false)
        case "s": return int(16, true)
        case "S": return int(16, false)
        case "i": return int(32, true)
        case "I": return int(32, false)
        case "l": return int(64, true)
        case "L": return int(64, false)
        case "e": return float(0)
        case "f": return float(1)
        case "g": return float(2)
        case "z": return (4, .table([]))
        case "u": return (5, .table([]))
        case "Z": return (19, .table([]))
        case "U": return (20, .table([]))
        case "tdD": return (8, .table([.int16(0)]))
        case "tdm": return (8, .table([.int16(1)]))
        case "tts", "ttm": return (9, .table([.int16(try unit(format.last!)), .int32(32)]))
        case "ttu", "ttn": return (9, .table([.int16(try unit(format.last!)), .int32(64)]))
        case "tiM": return (11, .table([.int16(0)]))
        case "tiD": return (11, .table([.int16(1)]))
        case "tin": return (11, .table([.int16(2)]))
        case "+l": return (12, .table([]))
        case "+L": return (21, .table([]))
        case "+s": return (13, .table([]))
        case "+m": return (17, .table([.bool(flags & Int64(ARROW_FLAG_MAP_KEYS_SORTED) != 0)]))
        default:
            let characters = Array(format)
            if format.hasPrefix("ts"), characters.count >= 4, characters[3] == ":" {
                let zone = String(format.dropFirst(4))
                return (10, .table([.int16(try unit(characters[2])), zone.isEmpty ? nil : .object(.string(zone))]))
            }
            if format.hasPrefix("tD"), characters.count == 3 { return (18, .table([.int16(try unit(characters[2]))])) }
            if format.hasPrefix("d:") {
                let parts = format.dropFirst(2).split(separator: ",").compactMap { Int32($0) }
                guard parts.count >= 2 else { throw unsupported(format) }
                return (7, .table([.int32(parts[0]), .int32(parts[1]), .int32(parts.count > 2 ? parts[2] : 128)]))
            }
            if format.hasPrefix("w:"), let width = Int32(format.dropFirst(2)) { return (15, .table([.int32(width)])) }
            if format.hasPrefix("+w:"), let size = Int32(format.dropFirst(3)) { return (16, .table([.int32(size)])) }
            throw unsupported(format)
        }
    }
}
