// The download's hasher: the digest of every chunk in order, whatever the backlog limit, and a restart forgets what
// came before it.
@testable import AgnesClient
import Crypto
import NIOCore
import Testing

@Suite("parallel hasher")
struct ParallelHasherTests {
    /// `count` chunks of 1 to 70,000 random bytes.
    func chunks(_ count: Int) -> [ByteBuffer] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            var chunk = ByteBuffer()
            for _ in 0..<Int.random(in: 1...8_750, using: &generator) { chunk.writeInteger(generator.next() as UInt64) }
            return chunk
        }
    }

    @Test("the digest equals SHA-256 of the concatenation, with a backlog limit far below the data (the caller waits)")
    func digestInOrder() async {
        let parts = chunks(200)
        var expected = SHA256()
        for part in parts { part.withUnsafeReadableBytes { expected.update(bufferPointer: $0) } }
        for limit in [1, 100_000, 32 << 20] {
            let hasher = ParallelHasher(limit: limit)
            for part in parts { await hasher.update(part) }
            #expect(await hasher.finalize() == expected.finalize(), "limit \(limit)")
        }
    }

    @Test("continuing a resumed file's hash, and restarting when the whole file comes again")
    func continueAndRestart() async {
        let parts = chunks(20)
        var head = SHA256()
        parts[0].withUnsafeReadableBytes { head.update(bufferPointer: $0) }
        var whole = SHA256()
        for part in parts { part.withUnsafeReadableBytes { whole.update(bufferPointer: $0) } }

        let resumed = ParallelHasher(continuing: head, limit: 1_000)
        for part in parts.dropFirst() { await resumed.update(part) }
        #expect(await resumed.finalize() == whole.finalize())

        let restarted = ParallelHasher(continuing: head, limit: 1_000)
        await restarted.update(parts[5])
        restarted.restart()
        for part in parts { await restarted.update(part) }
        #expect(await restarted.finalize() == whole.finalize())
    }
}
