// One file field of a `multipart/form-data` body, streamed to disk as it arrives: never more than a megabyte in
// memory, a size limit checked as bytes come in, the sha256 computed on the way, and nothing left behind on failure.
import AgnesData
import Crypto
import Foundation
import Hummingbird

final class MultipartFileReceiver {
    /// What was received.
    struct File {
        let filename: String
        let bytes: Int64
        let sha256: String
    }

    enum Failure: Error, Equatable {
        case notMultipart
        case malformed
        case missingField(String)
        case badFilename(String)
        case tooLarge
    }

    private let field: String
    private let destination: URL
    private let limit: Int64
    private let acceptsFilename: (String) -> Bool
    private var parser: MultipartStreamParser

    private var inField = false
    private var filename: String?
    private var handle: FileHandle?
    private var pending = Data()
    private var hasher = SHA256()
    private var received: Int64 = 0
    private var complete = false

    /// Receives the part named `field` into `destination` (created; removed again by `discard()`).
    init(contentType: String?, field: String, destination: URL, limit: Int64, acceptsFilename: @escaping (String) -> Bool) throws {
        guard let contentType, let boundary = Self.boundary(of: contentType) else { throw Failure.notMultipart }
        self.field = field
        self.destination = destination
        self.limit = limit
        self.acceptsFilename = acceptsFilename
        self.parser = MultipartStreamParser(boundary: boundary)
    }

    deinit { try? handle?.close() }

    /// Streams the request body through the parser. After a refusal the rest of the body (up to the limit again) is
    /// read and dropped, so that clients which send the whole body before reading the answer get to see it.
    func receive(_ body: RequestBody) async throws -> File {
        var iterator = body.makeAsyncIterator()
        while !complete, let chunk = try await iterator.next() {
            do {
                try chunk.withUnsafeReadableBytes { bytes in try parser.feed(bytes) { try handle($0) } }
            } catch {
                var drained: Int64 = 0
                while drained <= limit, let rest = try await iterator.next() { drained += Int64(rest.readableBytes) }
                throw error is MultipartStreamParser.ParseError ? Failure.malformed : error
            }
        }
        guard complete, let filename else { throw filename == nil && parser.isFinished ? Failure.missingField(field) : Failure.malformed }
        return File(filename: filename, bytes: received, sha256: FileDigest.hex(hasher.finalize()))
    }

    /// Removes whatever was written.
    func discard() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(at: destination)
    }

    private func handle(_ event: MultipartStreamParser.Event) throws {
        switch event {
        case let .partStart(headers):
            let disposition = headers["content-disposition"].map(Self.dispositionParameters) ?? [:]
            guard disposition["name"] == field else { return }
            let name = disposition["filename"] ?? ""
            guard acceptsFilename(name) else { throw Failure.badFilename(name) }
            guard FileManager.default.createFile(atPath: destination.path, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
            handle = try FileHandle(forWritingTo: destination)
            filename = name
            inField = true
        case let .body(bytes):
            guard inField else { return }
            received += Int64(bytes.count)
            guard received <= limit else { throw Failure.tooLarge }
            bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            pending.append(contentsOf: bytes)
            if pending.count >= 1 << 20 { try flush() }
        case .partEnd:
            guard inField else { return }
            try flush()
            try handle?.close()
            handle = nil
            inField = false
            complete = true
        }
    }

    private func flush() throws {
        guard !pending.isEmpty, let handle else { return }
        try handle.write(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// The `boundary` parameter of a `multipart/form-data` content type.
    static func boundary(of contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for part in parts.dropFirst() where part.lowercased().hasPrefix("boundary=") {
            let value = part.dropFirst("boundary=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return value.isEmpty || value.count > 200 ? nil : value
        }
        return nil
    }

    /// `form-data; name="file"; filename="a.jsonl"` → `["name": "file", "filename": "a.jsonl"]`.
    static func dispositionParameters(_ value: String) -> [String: String] {
        var parameters: [String: String] = [:]
        for part in value.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            var text = pair[1]
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
            parameters[pair[0].lowercased()] = text.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return parameters
    }
}
