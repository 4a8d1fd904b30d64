// What a scan's rows are written as: parquet (our CLI asks for it) or an Arrow IPC stream (what every released
// upstream client reads, so the default).
import Foundation

public enum ScanFormat: String, Sendable {
    case parquet
    case arrow

    public var contentType: String {
        switch self {
        case .parquet: "application/vnd.apache.parquet"
        case .arrow: "application/vnd.apache.arrow.stream"
        }
    }

    public var fileExtension: String {
        switch self {
        case .parquet: "parquet"
        case .arrow: "arrows"
        }
    }

    /// The format an `Accept` header asks for: parquet when it names parquet, else Arrow (upstream's default).
    public init(accept: String?) {
        self = accept?.lowercased().contains(ScanFormat.parquet.contentType) == true ? .parquet : .arrow
    }
}

/// Writes a file through a 1 MiB buffer (many small writes become few large ones).
final class BufferedFileWriter {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let path: String
    static let capacity = 1 << 20

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
        buffer.reserveCapacity(Self.capacity)
    }

    deinit { if descriptor >= 0 { Foundation.close(descriptor) } }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > Self.capacity { try flush() }
        if bytes.count >= Self.capacity {
            try writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    func close() throws {
        try flush()
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            guard written > 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path]) }
            offset += written
        }
    }
}
