// SHA-256 and MD5 of a file, read in 1 MiB blocks (MD5 because upstream clients verify downloads with it).
import AgnesCore
import Crypto
import Foundation

public enum FileDigest {
    /// The size and the lower-case hex SHA-256 and MD5 of the file at `url`.
    public static func of(_ url: URL) throws -> (size: Int64, sha256: String, md5: String) {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var sha = SHA256()
        var md5 = Insecure.MD5()
        var size: Int64 = 0
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
            sha.update(data: block)
            md5.update(data: block)
            size += Int64(block.count)
        }
        return (size, hex(sha.finalize()), hex(md5.finalize()))
    }

    /// Lower-case hex of a digest.
    public static func hex(_ digest: some Sequence<UInt8>) -> String {
        Hex.encode(digest)
    }
}
