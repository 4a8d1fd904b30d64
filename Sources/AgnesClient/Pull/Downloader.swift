// Downloads one file of a table so that a broken or killed download is resumed, never trusted: bytes go to
// `<file>.partial` (for a file of 8 MiB or more, with the expected sha256 beside it in `<file>.partial.sha256`); a
// later attempt asks for the rest with `Range` + `If-Range` (a 200 instead of 206 means the file changed: start over);
// the whole file's size and sha256 are checked before it is renamed into place. Network errors and 5xx are retried
// with backoff.
import AgnesCore
import CFileSync
import Crypto
import Foundation
import NIOCore

/// One file to fetch.
public struct DownloadItem: Sendable, Equatable {
    public var table: String
    public var part: String?
    /// The API path (`/api/data/<id>/download` or `/api/data/<id>/parts/<part>`).
    public var path: String
    public var target: URL
    public var sha256: String
    public var size: Int64
}

/// Bytes fetched so far, shared by parallel downloads for the progress line.
public final class TransferCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: Int64 = 0
    private var files = 0
    public init() {}
    func add(_ count: Int) { lock.withLock { bytes += Int64(count) } }
    func fileDone() { lock.withLock { files += 1 } }
    public var total: Int64 { lock.withLock { bytes } }
    public var filesDone: Int { lock.withLock { files } }
}

enum Downloader {
    /// How the file arrived.
    struct Outcome: Equatable {
        var resumedFrom: Int64
        var transferred: Int64
    }

    static let retryDelays: [Duration] = [.milliseconds(300), .seconds(1), .seconds(3)]
    /// Bytes received between two requests to the kernel to start writing them out.
    static let writeBackBytes: Int64 = 8 << 20
    /// A file smaller than this is fetched whole again after a failure rather than resumed, so it needs no record of the
    /// sha256 it was fetched for: a small table costs one file written and renamed, not three.
    static let resumableBytes: Int64 = 8 << 20

    /// Fetches `item`, retrying network errors and server errors, resuming from what arrived.
    static func fetch(_ item: DownloadItem, api: APIClient, counter: TransferCounter) async throws -> Outcome {
        var attempt = 0
        while true {
            do {
                return try await fetchOnce(item, api: api, counter: counter)
            } catch let error as ClientError where (error.code == .unreachable || error.code == .server) && attempt < retryDelays.count {
                try await Task.sleep(for: retryDelays[attempt])
                attempt += 1
            }
        }
    }

    static func fetchOnce(_ item: DownloadItem, api: APIClient, counter: TransferCounter) async throws -> Outcome {
        let partial = URL(fileURLWithPath: item.target.path + ".partial")
        let expected = URL(fileURLWithPath: item.target.path + ".partial.sha256")
        try FileManager.default.createDirectory(at: item.target.deletingLastPathComponent(), withIntermediateDirectories: true)

        // What a previous attempt left for this same file (same sha256), if anything.
        var offset: Int64 = 0
        let resumable = item.size >= Self.resumableBytes
        if resumable, (try? String(contentsOf: expected, encoding: .utf8)) == item.sha256,
           let size = (try? FileManager.default.attributesOfItem(atPath: partial.path))?[.size] as? NSNumber, size.int64Value <= item.size {
            offset = size.int64Value
        } else if resumable {
            try record(item.sha256, at: expected)
        }

        var resumed = SHA256()
        // Anything a previous attempt left that cannot be resumed is truncated away.
        let descriptor = open(partial.path, O_WRONLY | O_CREAT | (offset == 0 ? O_TRUNC : 0), 0o644)
        guard descriptor >= 0 else { throw ClientError(.failure, "cannot write \(partial.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        if offset > 0 { try hash(partial, upTo: offset, into: &resumed) }
        // The disk blocks of what is to come are reserved in one call rather than a page at a time as the bytes arrive
        // (the file's size is unchanged, so resuming still goes by it). A file system that cannot reserve just goes on;
        // a full disk shows at the write, as before.
        if item.size > offset { _ = agnes_reserve(descriptor, offset, item.size - offset) }
        let hasher = ParallelHasher(continuing: resumed)
        let resumedFrom = offset
        var transferred: Int64 = 0

        if offset < item.size {
            let headers = offset > 0 ? [("Range", "bytes=\(offset)-"), ("If-Range", "\"\(item.sha256)\"")] : []
            var position = offset
            var writtenBack = offset
            try await api.download(item.path, headers: headers, onStatus: { status, headers in
                // A whole file where the rest was asked for: the server's copy changed (or it ignores ranges); start over.
                if offset > 0, status == 200 || !(headers.first(name: "Content-Range")?.hasPrefix("bytes \(offset)-") ?? false) {
                    hasher.restart()
                    position = 0
                    guard ftruncate(descriptor, 0) == 0 else { throw ClientError(.failure, "cannot truncate \(partial.path)") }
                }
            }) { chunk in
                await hasher.update(chunk)
                try write(chunk, to: descriptor, at: position, file: partial)
                position += Int64(chunk.readableBytes)
                if position >= item.size / 2 { CrashPoint.pullMidDownload.reach() }
                transferred += Int64(chunk.readableBytes)
                counter.add(chunk.readableBytes)
                // Start writing what arrived to the disk while the rest arrives, so the fsync before the rename waits
                // for the last few megabytes only, not for the whole file.
                if position - writtenBack >= Self.writeBackBytes {
                    _ = agnes_start_writeback(descriptor, writtenBack, position - writtenBack)
                    writtenBack = position
                }
            }
            offset = position
        }

        let digest = Hex.encode(await hasher.finalize())
        guard offset == item.size, digest == item.sha256 else {
            try? FileManager.default.removeItem(at: partial)
            try? FileManager.default.removeItem(at: expected)
            throw ClientError(.failure, "\(item.table)\(item.part.map { " part \($0)" } ?? ""): the download does not match the manifest "
                                        + "(\(offset) of \(item.size) bytes, sha256 \(digest.prefix(12))… instead of \(item.sha256.prefix(12))…); it is fetched again next pull")
        }
        guard fsync(descriptor) == 0 else { throw ClientError(.failure, "cannot write \(partial.path): \(String(cString: strerror(errno)))") }
        CrashPoint.pullBeforeRename.reach()
        guard rename(partial.path, item.target.path) == 0 else {
            throw ClientError(.failure, "cannot move \(partial.path) into place: \(String(cString: strerror(errno)))")
        }
        unlink(expected.path)  // also a record an earlier, larger version of the file left
        return Outcome(resumedFrom: resumedFrom, transferred: transferred)
    }

    /// Writes the sha256 a `.partial` is being fetched for beside it. Not flushed, nor written under a temporary name:
    /// a record a crash tore or lost only means that the next attempt starts over.
    static func record(_ sha256: String, at file: URL) throws {
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw ClientError(.failure, "cannot write \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        try write(ByteBuffer(string: sha256), to: descriptor, at: 0, file: file)
    }

    static func write(_ chunk: ByteBuffer, to descriptor: Int32, at position: Int64, file: URL) throws {
        try chunk.withUnsafeReadableBytes { bytes in
            var done = 0
            while done < bytes.count {
                let written = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(position) + off_t(done))
                guard written > 0 else { throw ClientError(.failure, "cannot write \(file.path): \(String(cString: strerror(errno)))") }
                done += written
            }
        }
    }

    /// Feeds the first `count` bytes of `file` to `hasher`.
    static func hash(_ file: URL, upTo count: Int64, into hasher: inout SHA256) throws {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var remaining = count
        while remaining > 0, let block = try handle.read(upToCount: Int(min(remaining, 4 << 20))), !block.isEmpty {
            hasher.update(data: block)
            remaining -= Int64(block.count)
        }
    }
}
