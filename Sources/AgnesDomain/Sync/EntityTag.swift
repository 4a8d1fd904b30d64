// Strong entity tags of generated bodies: a fingerprint that changes exactly when the body does.
import AgnesData
import Crypto
import Foundation

/// Entity tags for conditional requests.
public enum EntityTag {
    /// `"<first 16 bytes of the body's sha256, hex>"`.
    public static func of(_ body: Data) -> String {
        "\"" + FileDigest.hex(SHA256.hash(data: body).prefix(16)) + "\""
    }
}
