// Decompresses a gzip body with zlib's inflate, which checks the trailer (CRC-32 and length) — what an HTTP client
// does with `Content-Encoding: gzip`.
import CZlib
import Foundation

public enum Gunzip {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The bytes `data` (one gzip member) holds; throws when it is not a whole, intact gzip member.
    public static func decompress(_ data: Data) throws -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw Failure(description: "inflateInit2") }
        defer { inflateEnd(&stream) }
        var input = [UInt8](data)
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let status: Int32 = input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while true {
                let result = chunk.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[..<(chunk.count - Int(stream.avail_out))])
                if result != Z_OK { return result }
            }
        }
        guard status == Z_STREAM_END, stream.avail_in == 0 else { throw Failure(description: "inflate ended with \(status), \(stream.avail_in) bytes left") }
        return output
    }
}
