// One file field of a `multipart/form-data` body, streamed to disk as it arrives: never more than a megabyte in
// memory, a size limit checked as bytes come in, the sha256 computed on the way, and nothing left behind on failure.
import Crypto
import Foundation
import Hummingbird
import MultipartKit

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
    private let parser: MultipartParser

    // Parser state, touched only from `consume` (the parser's callbacks run synchronously inside it).
    private var headers: [String: String] = [:]
    private var inField = false
    private var filename: String?
    private var handle: FileHandle?
    private var pending = ByteBuffer()
    private var hasher = SHA256()
    private var received: Int64 = 0
    private var complete = false
    private var failure: (any Error)?

    /// Receives the part named `field` into `destination` (created; removed again by `discard()`).
    init(contentType: String?, field: String, destination: URL, limit: Int64, acceptsFilename: @escaping (String) -> Bool) throws {
        guard let contentType, let boundary = Self.boundary(of: contentType) else { throw Failure.notMultipart }
        self.field = field
        self.destination = destination
        self.limit = limit
        self.acceptsFilename = acceptsFilename
        self.parser = MultipartParser(boundary: boundary)
        parser.onHeader = { [unowned self] name, value in headers[name.lowercased()] = value }
        parser.onBody = { [unowned self] body in self.body(&body) }
        parser.onPartComplete = { [unowned self] in partComplete() }
    }

    deinit { try? handle?.close() }

    /// Streams the request body through the parser.
    func receive(_ body: RequestBody) async throws -> File {
        for try await chunk in body {
            do { try parser.execute(chunk) } catch { throw Failure.malformed }
            if let failure { throw failure }
            if complete { break }
        }
        guard complete, let filename else { throw filename == nil ? Failure.missingField(field) : Failure.malformed }
        return File(filename: filename, bytes: received, sha256: hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }

    /// Removes whatever was written.
    func discard() {
        try? handle?.close()
        handle = nil
        try? FileManager.default.removeItem(at: destination)
    }

    private func body(_ body: inout ByteBuffer) {
        guard failure == nil, !complete else { return }
        if !inField {
            guard startPart() else { return }
        }
        received += Int64(body.readableBytes)
        guard received <= limit else { return fail(Failure.tooLarge) }
        body.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        pending.writeBuffer(&body)
        if pending.readableBytes >= 1 << 20 { flush() }
    }

    private func partComplete() {
        guard failure == nil, !complete else { return }
        if !inField, startPart() == false { headers = [:]; return }
        flush()
        try? handle?.close()
        handle = nil
        complete = failure == nil
    }

    /// At the first body bytes (or the end) of a part: whether it is the file field; opens the destination if so.
    private func startPart() -> Bool {
        let disposition = headers["content-disposition"].map(Self.dispositionParameters) ?? [:]
        guard disposition["name"] == field else { headers = [:]; return false }
        let name = disposition["filename"] ?? ""
        guard acceptsFilename(name) else { fail(Failure.badFilename(name)); return false }
        guard FileManager.default.createFile(atPath: destination.path, contents: nil),
              let opened = try? FileHandle(forWritingTo: destination) else {
            fail(CocoaError(.fileWriteUnknown))
            return false
        }
        filename = name
        handle = opened
        inField = true
        return true
    }

    private func flush() {
        guard pending.readableBytes > 0, let handle else { return }
        do { try handle.write(contentsOf: pending.readableBytesView) } catch { return fail(error) }
        pending.clear()
    }

    private func fail(_ error: any Error) {
        if failure == nil { failure = error }
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
