// A download reserves the disk blocks of the bytes to come without changing the file's size (resuming goes by it),
// and gives back what it reserved for bytes that did not come.
@testable import AgnesClient
import Foundation
import Testing

@Suite("download reservation")
struct DownloadReservationTests {
    /// The file's size and the bytes the disk holds for it.
    func sizes(_ descriptor: Int32) -> (size: Int64, allocated: Int64) {
        var status = stat()
        _ = fstat(descriptor, &status)
        return (Int64(status.st_size), Int64(status.st_blocks) * 512)
    }

    @Test("the rest of a file is reserved with its size unchanged, and given back with what arrived kept")
    func reserveAndGiveBack() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-reserve-\(UUID().uuidString).partial")
        let descriptor = open(file.path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(file.path)
        }
        let arrived = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        #expect(arrived.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) } == arrived.count)

        #expect(Downloader.reserve(descriptor, from: 1 << 20, to: 17 << 20))
        #expect(sizes(descriptor).size == 1 << 20, "the size a resumed download starts from")
        #expect(sizes(descriptor).allocated >= 17 << 20)

        Downloader.unreserve(descriptor, keeping: 1 << 20)
        #expect(sizes(descriptor).size == 1 << 20)
        #expect(sizes(descriptor).allocated < 2 << 20, "\(sizes(descriptor).allocated) bytes still held")
        #expect(try Data(contentsOf: file) == arrived)

        #expect(!Downloader.reserve(descriptor, from: 1 << 20, to: 1 << 20), "nothing to reserve")
    }
}
