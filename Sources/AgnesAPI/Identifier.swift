// Ids of new rows and requests, made the same way everywhere: random UUIDs (version 4), lower-case. Made from the
// system's generator (`getrandom`) and formatted by hand: Foundation's `UUID()` opens and reads `/dev/urandom` for
// every id on Linux and its `uuidString` formats through `sprintf` — together about 5 % of the server's time
// answering `GET /api/health`, where every request gets an id.

/// Ids of new rows and requests.
public enum Identifier {
    /// A new random id (UUID version 4, variant 1, lower-case, 36 characters).
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(high: generator.next(), low: generator.next())
    }

    /// The UUID of 128 random bits, with its version (4) and variant (10) bits set.
    static func make(high: UInt64, low: UInt64) -> String {
        let high = (high & ~0xF000) | 0x4000
        let low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var position = 0
            func put(_ word: UInt64, nibbles: ClosedRange<Int>) {
                for nibble in nibbles.reversed() {
                    if position == 8 || position == 13 || position == 18 || position == 23 {
                        buffer[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    buffer[position] = digits.utf8Start[Int((word >> (UInt64(nibble) * 4)) & 0xF)]
                    position += 1
                }
            }
            put(high, nibbles: 0...15)
            put(low, nibbles: 0...15)
            return position
        }
    }
}
