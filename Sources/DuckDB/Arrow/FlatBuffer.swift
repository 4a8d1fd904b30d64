// Just enough of the FlatBuffers binary format (flatbuffers.dev/internals) to write the metadata of Arrow IPC
// messages: tables with scalar and offset fields, vectors of tables and of structs, and strings. Objects are laid out
// front to back — a parent, then its children — so every offset points forward, as unsigned offsets must; each table's
// vtable sits just before it.

/// A FlatBuffers object to serialize.
indirect enum FlatBufferObject {
    /// A table: field `i` of the schema is `fields[i]`, nil when absent.
    case table([FlatBufferField?])
    case tables([FlatBufferObject])
    /// A vector of structs, each `stride` bytes (aligned to 8), given as little-endian bytes.
    case structs(count: Int, bytes: [UInt8])
    case string(String)
}

/// A table's field.
enum FlatBufferField {
    case uint8(UInt8)
    case bool(Bool)
    case int16(Int16)
    case int32(Int32)
    case int64(Int64)
    case object(FlatBufferObject)

    var size: Int {
        switch self {
        case .uint8, .bool: 1
        case .int16: 2
        case .int32, .object: 4
        case .int64: 8
        }
    }
}

/// Serializes a root object into a FlatBuffers buffer.
struct FlatBufferWriter {
    private(set) var bytes: [UInt8] = []

    static func serialize(_ root: FlatBufferObject) -> [UInt8] {
        var writer = FlatBufferWriter()
        writer.bytes = [0, 0, 0, 0]
        let position = writer.write(root)
        writer.patch(at: 0, UInt32(position))
        return writer.bytes
    }

    private mutating func align(_ alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private mutating func patch(at position: Int, _ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { for (index, byte) in $0.enumerated() { bytes[position + index] = byte } }
    }

    /// Writes `object` and its children; returns where it starts (where an offset to it must point).
    private mutating func write(_ object: FlatBufferObject) -> Int {
        switch object {
        case let .table(fields): return writeTable(fields)
        case let .tables(elements):
            align(4)
            let start = bytes.count
            append(UInt32(elements.count))
            let slots = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: 4 * elements.count))
            for (index, element) in elements.enumerated() {
                let position = write(element)
                patch(at: slots + 4 * index, UInt32(position - (slots + 4 * index)))
            }
            return start
        case let .structs(count, structBytes):
            // The length comes right before the first struct, which must be 8-aligned.
            while (bytes.count + 4) % 8 != 0 { bytes.append(0) }
            let start = bytes.count
            append(UInt32(count))
            bytes.append(contentsOf: structBytes)
            return start
        case let .string(text):
            align(4)
            let start = bytes.count
            let utf8 = Array(text.utf8)
            append(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
            bytes.append(0)
            return start
        }
    }

    private mutating func writeTable(_ fields: [FlatBufferField?]) -> Int {
        // Inline layout: the vtable offset, then the fields from the widest down, each aligned to its size.
        var layout: [(id: Int, offset: Int)] = []
        var cursor = 4
        for (id, field) in fields.enumerated().compactMap({ pair in pair.element.map { (pair.offset, $0) } }).sorted(by: { $0.1.size > $1.1.size }) {
            while cursor % field.size != 0 { cursor += 1 }
            layout.append((id, cursor))
            cursor += field.size
        }
        let inlineSize = (cursor + 3) / 4 * 4
        align(2)
        let vtable = bytes.count
        append(UInt16(4 + 2 * fields.count))
        append(UInt16(inlineSize))
        for id in fields.indices { append(UInt16(layout.first { $0.id == id }?.offset ?? 0)) }
        align(8)
        let table = bytes.count
        append(Int32(table - vtable))
        bytes.append(contentsOf: repeatElement(0, count: inlineSize - 4))
        var children: [(position: Int, object: FlatBufferObject)] = []
        for (id, offset) in layout {
            let position = table + offset
            switch fields[id]! {
            case let .uint8(value): bytes[position] = value
            case let .bool(value): bytes[position] = value ? 1 : 0
            case let .int16(value): withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { bytes[position + i] = b } }
            case let .int32(value): withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { bytes[position + i] = b } }
            case let .int64(value): withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { bytes[position + i] = b } }
            case let .object(child): children.append((position, child))
            }
        }
        for (position, child) in children {
            let target = write(child)
            patch(at: position, UInt32(target - position))
        }
        return table
    }
}
