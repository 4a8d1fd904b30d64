// Policied tables distributed as slices: the parquet of exactly what one set of policy values shows, written once and
// shared by every caller with the same values. A slice's name says what it is made of — the version (the policy and
// the data of every table it reads) and the caller values it binds — so a file with the right name is never stale,
// and making a slice of a new version removes the table's slices of older ones. Files are written to a temporary
// name, digested, described by a sidecar and only then renamed into place — by one process at a time when several
// share the data directory (`ExclusiveWork`), so a sidecar always describes the file beside it.
import AgnesCore
import AgnesState
import Crypto
import DuckDB
import Foundation
import Synchronization

/// The slices of policied tables, under one folder (`<data>/slices/<table>/<version>-<values>.parquet`).
public final class PolicySlices: Sendable {
    /// One written slice.
    public struct Slice: Codable, Sendable, Equatable {
        public var sha256: String
        public var md5: String
        public var sizeBytes: Int64
        public var rows: Int64
        /// The parquet file (not stored in the sidecar).
        public var path: String = ""

        enum CodingKeys: String, CodingKey {
            case sha256, md5, rows
            case sizeBytes = "size_bytes"
        }
    }

    public let directory: URL
    /// Slices known in this process, by file path, with when they were last asked for.
    private let known = Mutex<[String: (slice: Slice, lastUse: Date)]>([:])
    /// A slice nobody asked for in this long is removed (the values it binds may belong to no one any more).
    public let maximumIdle: TimeInterval
    /// Held while a slice is written: one at a time, so two requests never write the same file (or its sidecar) at once.
    private let writing = Mutex<Void>(())
    /// Keeps other processes sharing the directory from writing the same slice at the same time.
    private let exclusive: ExclusiveWork

    public init(directory: URL, maximumIdle: TimeInterval = 24 * 3600, exclusive: ExclusiveWork = ExclusiveWork(location: .embedded)) {
        self.directory = directory
        self.maximumIdle = maximumIdle
        self.exclusive = exclusive
    }

    /// A short, file-name-safe hash of `text`.
    public static func hash(_ text: String) -> String {
        String(Hex.encode(SHA256.hash(data: Data(text.utf8))).prefix(32))
    }

    /// The slice of table `tableId` at `version` for `values` when this process has made or read it already (a lookup,
    /// no I/O but one `stat`): the manifest's path once slices exist.
    public func existing(tableId: String, version: String, values: String) -> Slice? {
        let path = directory.appendingPathComponent(tableId, isDirectory: true).appendingPathComponent("\(version)-\(values).parquet").path
        guard let found = known.withLock({ known -> Slice? in
            known[path]?.lastUse = Date()
            return known[path]?.slice
        }), FileManager.default.fileExists(atPath: path) else { return nil }
        return found
    }

    /// The slice of table `tableId` at `version` for the caller values hashed as `values`, written from `source` when
    /// there is none yet (blocking: call it off the event loop).
    public func slice(tableId: String, version: String, values: String, source: ScanSource) throws -> Slice {
        if let found = existing(tableId: tableId, version: version, values: values) { return found }
        return try writing.withLock { _ in
            // Another request may have written it while this one waited; another process, while this one waited for
            // it (`write` then finds its file and sidecar).
            if let found = existing(tableId: tableId, version: version, values: values) { return found }
            return try exclusive.run("slice:\(tableId)/\(version)-\(values)") {
                try write(tableId: tableId, version: version, values: values, source: source)
            }
        }
    }

    /// Reads the slice's sidecar when a file of that name is on disk (from before a restart), else writes it.
    private func write(tableId: String, version: String, values: String, source: ScanSource) throws -> Slice {
        let folder = directory.appendingPathComponent(tableId, isDirectory: true)
        let file = folder.appendingPathComponent("\(version)-\(values).parquet")
        let sidecar = file.appendingPathExtension("json")
        if FileManager.default.fileExists(atPath: file.path), let data = try? Data(contentsOf: sidecar),
           var described = try? JSONDecoder().decode(Slice.self, from: data) {
            described.path = file.path
            known.withLock { $0[file.path] = (described, Date()) }
            return described
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let temporary = folder.appendingPathComponent(".\(UUID().uuidString.lowercased()).parquet.partial")
        defer { try? FileManager.default.removeItem(at: temporary) }
        let rows = try ScanRunner.copy("SELECT * FROM \(source.relation) AS agnes_slice", source: source, to: temporary,
                                       deadline: QueryDeadline(milliseconds: 3_600_000))
        let digest = try FileDigest.of(temporary)
        var slice = Slice(sha256: digest.sha256, md5: digest.md5, sizeBytes: digest.size, rows: rows)
        let sidecarTemporary = folder.appendingPathComponent(".\(UUID().uuidString.lowercased()).json.partial")
        try JSONEncoder().encode(slice).write(to: sidecarTemporary)
        try Self.move(sidecarTemporary, to: sidecar)
        try Self.move(temporary, to: file)
        slice.path = file.path
        known.withLock { $0[file.path] = (slice, Date()) }
        removeOtherVersions(in: folder, keeping: version)
        return slice
    }

    /// Renames `source` over `destination` in one step (POSIX rename: atomic on one file system).
    static func move(_ source: URL, to destination: URL) throws {
        guard rename(source.path, destination.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination.path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)])
        }
    }

    /// Removes the table's slices of versions other than `version` (a new sync or policy made them stale).
    private func removeOtherVersions(in folder: URL, keeping version: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let hourAgo = Date().addingTimeInterval(-3600)
        for name in names where !name.hasPrefix(version + "-") {
            let path = folder.appendingPathComponent(name).path
            if name.hasPrefix(".") {
                // Another slice being written now, or one a crash left behind (removed once it is an hour old).
                let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date()
                if modified > hourAgo { continue }
            }
            try? FileManager.default.removeItem(atPath: path)
            known.withLock { $0[path] = nil }
        }
    }

    /// Removes the slices of every table not in `tables` (no policy any more, or unregistered), and slices nobody asked
    /// for within `maximumIdle` (last use as this process saw it, else the file's age).
    public func retain(tables: Set<String>, now: Date = Date()) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names {
            let folder = directory.appendingPathComponent(name)
            guard tables.contains(name) else {
                try? FileManager.default.removeItem(at: folder)
                known.withLock { known in known = known.filter { !$0.key.hasPrefix(folder.path + "/") } }
                continue
            }
            for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".parquet") && !file.hasPrefix(".") {
                let path = folder.appendingPathComponent(file).path
                let written = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? now
                let lastUse = known.withLock { $0[path]?.lastUse } ?? written
                guard now.timeIntervalSince(lastUse) > maximumIdle else { continue }
                try? FileManager.default.removeItem(atPath: path)
                try? FileManager.default.removeItem(atPath: path + ".json")
                known.withLock { $0[path] = nil }
            }
        }
    }
}
