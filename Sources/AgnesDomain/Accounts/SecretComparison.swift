// Comparing secrets without leaking, through timing, how much of a guess was right.
import AgnesCore
import Crypto
import Foundation

public enum SecretComparison {
    /// True when `a` and `b` are equal; takes the same time wherever they differ. Both are hashed first, so the time
    /// does not depend on where they differ nor (beyond hashing) on their lengths.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let left = Array(SHA256.hash(data: Data(a.utf8)))
        let right = Array(SHA256.hash(data: Data(b.utf8)))
        var difference: UInt8 = 0
        for index in 0..<left.count { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    /// The SHA-256 of `text` as lower-case hex: how tokens are stored.
    public static func sha256Hex(_ text: String) -> String {
        Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }

    /// A new random secret of `byteCount` bytes, URL-safe base64 without padding.
    public static func randomToken(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64URLEncoded
    }
}
