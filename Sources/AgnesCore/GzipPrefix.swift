// A gzip body whose first part is compressed once and whose last few bytes change per response (the manifest's
// `server_time`). The prefix is the gzip header and the deflate blocks of the shared bytes, flushed to a byte boundary
// and not final; each response appends its tail as one final stored block and the gzip trailer (the CRC-32 continued
// over the tail, and the total length). RFC 1951 §3.2.4, RFC 1952 §2.3. Decoders see one ordinary gzip member.
import CZlib
import Foundation

/// How to end a gzip body whose prefix `compress` made.
public struct GzipPrefix: Sendable {
    private let crc: UInt
    private let length: Int

    /// The gzip header and the deflate blocks of `data`, and how to end them (level 1: the manifest's hex digests do
    /// not shrink further, and it is four times faster than the default).
    public static func compress(_ data: UnsafeRawBufferPointer, level: Int32 = 1) throws -> (bytes: [UInt8], ending: GzipPrefix) {
        var stream = z_stream()
        // windowBits 16 + 15: a gzip header and trailer around the deflate stream.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw GzipError(message: "deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 64)
        let written = try out.withUnsafeMutableBufferPointer { output -> Int in
            stream.next_in = UnsafeMutablePointer(mutating: data.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(data.count)
            stream.next_out = output.baseAddress
            stream.avail_out = uInt(output.count)
            // A sync flush ends on a byte boundary with every input byte emitted, and leaves the stream open.
            guard deflate(&stream, Z_SYNC_FLUSH) == Z_OK, stream.avail_in == 0 else { throw GzipError(message: "deflate failed") }
            return output.count - Int(stream.avail_out)
        }
        out.removeSubrange(written...)
        let crc = data.isEmpty ? crc32(0, nil, 0) : crc32(0, data.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(data.count))
        return (out, GzipPrefix(crc: crc, length: data.count))
    }

    /// What follows the prefix's bytes to end the body with `tail` (at most 65,535 bytes): a final stored block and the trailer.
    public func suffix(_ tail: [UInt8]) -> [UInt8] {
        precondition(tail.count <= 0xFFFF, "a stored block holds at most 65,535 bytes")
        let count = UInt16(tail.count)
        var out: [UInt8] = [0x01, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8(~count >> 8)]
        out += tail
        let total = tail.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
        let size = UInt32(truncatingIfNeeded: length + tail.count)
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: UInt32(total) >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: size >> UInt32(shift))) }
        return out
    }

    /// Whether an `Accept-Encoding` header value accepts gzip (`gzip` or `*`, with a non-zero quality).
    public static func accepted(by acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let coding = parts.first, coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
        return false
    }
}

/// zlib refused.
public struct GzipError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "gzip: \(message)" }
}
