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
        reserve(descriptor, from: offset, to: item.size)
        let hasher = ParallelHasher(continuing: resumed)
        let resumedFrom = offset
        var transferred: Int64 = 0

        if offset < item.size {
            let headers = offset > 0 ? [("Range", "bytes=\(offset)-"), ("If-Range", "\"\(item.sha256)\"")] : []
            var position = offset
            var writtenBack = offset
            do {
                try await api.download(item.path, headers: headers, onStatus: { status, headers in
                    // A whole file where the rest was asked for: the server's copy changed (or it ignores ranges); start over.
                    if offset > 0, status == 200 || !(headers.first(name: "Content-Range")?.hasPrefix("bytes \(offset)-") ?? false) {
                        hasher.restart()
                        position = 0
                        guard ftruncate(descriptor, 0) == 0 else { throw ClientError(.failure, "cannot truncate \(partial.path)") }
                        reserve(descriptor, from: 0, to: item.size)
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
            } catch {
                // The bytes that came stay, to be resumed; the room reserved for the rest is given back.
                unreserve(descriptor, keeping: position)
                throw error
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

    /// Reserves the disk blocks of bytes `offset..<size` of a download before they arrive: one call, where the file
    /// system would otherwise allocate a page at a time as they are written (30–45 ms of a 338 MB cold pull). The file's
    /// size does not change, so resuming still goes by it. A file system that cannot reserve goes on without; a full
    /// disk shows at the write, as before. False when nothing was reserved.
    @discardableResult
    static func reserve(_ descriptor: Int32, from offset: Int64, to size: Int64) -> Bool {
        size > offset && agnes_reserve(descriptor, offset, size - offset) == 0
    }

    /// Gives back the blocks reserved past the `length` bytes that came (a download that broke off): truncating a file to
    /// its own size frees what it holds beyond it (punching a hole there does not, on ext4).
    static func unreserve(_ descriptor: Int32, keeping length: Int64) {
        _ = ftruncate(descriptor, off_t(length))
    }

    /// Removes what unfinished downloads left for tables not in `offered` — `.partial` files, with any disk space
    /// reserved for them, and their sha256 records — which no later pull would resume. What is left for an offered
    /// table stays, to be resumed.
    static func removeUnfinished(in workspace: Workspace, keeping offered: Set<String>) {
        let manager = FileManager.default
        func unfinishedOf(_ name: String) -> String? {
            [".parquet.partial", ".parquet.partial.sha256"].first { name.hasSuffix($0) }.map { String(name.dropLast($0.count)) }
        }
        for name in (try? manager.contentsOfDirectory(atPath: workspace.parquetDirectory.path)) ?? [] {
            if let table = unfinishedOf(name) {
                if !offered.contains(table) { try? manager.removeItem(at: workspace.parquetDirectory.appendingPathComponent(name)) }
            } else if !name.hasSuffix(".parquet"), !offered.contains(name) {
                // The parts folder of a partitioned table no longer offered.
                let parts = workspace.partsDirectory(of: name)
                for part in (try? manager.contentsOfDirectory(atPath: parts.path)) ?? [] where unfinishedOf(part) != nil {
                    try? manager.removeItem(at: parts.appendingPathComponent(part))
                }
                rmdir(parts.path)  // only when nothing else is in it
            }
        }
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
