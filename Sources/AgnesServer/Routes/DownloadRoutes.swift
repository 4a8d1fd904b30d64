// Table downloads: `GET|HEAD /api/data/{id}/download` sends the table's parquet from disk by sendfile with a strong ETag (its
// sha256), `If-None-Match` → 304, `Range`/`If-Range` → 206 with `Content-Range` (416 for a range past the end; a header
// that does not parse, or asks for several ranges, gets the whole file, as RFC 9110 allows); and
// `GET /api/data/{id}/check-access` (204/403/404). A partitioned table is downloaded whole (its parts joined, made once
// per version), part by part from `/api/data/{id}/parts/{part}` (our CLI), or as upstream's clients do, with
// `?part=<path>` from the manifest's `parts` (`X-Agnes-Content-MD5` on parts up to 8 MiB) — all with the same headers. Access is checked by registry id; every download is audited.
import AgnesAPI
import AgnesCore
import AgnesData
import AgnesDomain
import AgnesState
import Foundation
import HTTPTypes
import Hummingbird

struct DownloadRoutes {
    let services: ServerServices

    var downloads: DownloadService { services.domain.downloads }

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.get("/api/data/{id}/download") { request, context in try await table(request, context, head: false) }
        router.head("/api/data/{id}/download") { request, context in try await table(request, context, head: true) }
        router.get("/api/data/{id}/parts/{part}") { request, context in try await part(request, context, head: false) }
        router.head("/api/data/{id}/parts/{part}") { request, context in try await part(request, context, head: true) }
        router.get("/api/data/{id}/check-access") { _, context -> HTTPResponse.Status in
            _ = try await downloads.accessibleTable(try context.pathParameter("id"), for: try context.caller())
            return .noContent
        }
    }

    func table(_ request: Request, _ context: AgnesRequestContext, head: Bool) async throws -> Response {
        // `?part=<path>`: one part, as upstream clients fetch partitioned tables (the manifest's `parts`).
        let part = request.uri.queryParameters.get("part")
        return try await serve(try await downloads.table(try context.pathParameter("id"), part: part, for: try context.caller()), request, context,
                               head: head)
    }

    func part(_ request: Request, _ context: AgnesRequestContext, head: Bool) async throws -> Response {
        let file = try await downloads.part(try context.pathParameter("part"), of: try context.pathParameter("id"), for: try context.caller())
        return try await serve(file, request, context, head: head)
    }

    /// Streams the file at `path` with its sha256 as a strong ETag, honouring `If-None-Match`, `Range` and `If-Range`.
    private func serve(_ file: DownloadService.File, _ request: Request, _ context: AgnesRequestContext, head: Bool) async throws -> Response {
        let (path, sha256, filename) = (file.path, file.sha256, file.filename)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path), let size = (attributes[.size] as? NSNumber)?.intValue else {
            throw ServiceError.notFound("The file of '\(filename)' is missing; the next sync writes it again")
        }
        let etag = "\"\(sha256)\""
        var headers = Self.headers(of: file, etag: etag, modified: attributes[.modificationDate] as? Date)
        if request.isCurrent(etag) {
            context.audit.skip()
            return Response(status: .notModified, headers: headers)
        }

        var range: ClosedRange<Int>?
        if let header = request.headers[.range], request.headers[.ifRange].map({ $0 == etag }) ?? true {
            switch Self.rangeRequest(header, size: size) {
            case .whole: break
            case let .bytes(bytes): range = bytes
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
        }
        let status: HTTPResponse.Status = range == nil ? .ok : .partialContent
        let served = range ?? 0...max(size - 1, 0)
        if let range { headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)" }
        headers[.contentLength] = String(size == 0 ? 0 : served.count)
        if head || size == 0 { return Response(status: status, headers: headers) }
        // The bytes go out by sendfile (see Sendfile.swift): the route sends the headers and names the file's range.
        guard let inode = Sendfile.inode(of: path) else { throw ServiceError.notFound("The file of '\(filename)' is missing; the next sync writes it again") }
        headers[Sendfile.field] = Sendfile.Target(path: path, offset: served.lowerBound, length: served.count, inode: inode).headerValue
        return Response(status: status, headers: headers)
    }

    /// The headers every answer about a file carries (304s and 416s too).
    private static func headers(of file: DownloadService.File, etag: String, modified: Date?) -> HTTPFields {
        var headers: HTTPFields = [.eTag: etag, .acceptRanges: "bytes", .contentType: "application/octet-stream",
                                   .contentDisposition: "attachment; filename=\"\(file.filename)\""]
        if let modified { headers[.lastModified] = HTTPDate.format(modified) }
        if let md5 = file.contentMD5 { headers[HTTPField.Name("X-Agnes-Content-MD5")!] = md5 }
        return headers
    }

    /// What a `Range` header asks of a file of `size` bytes (RFC 9110 §14.2).
    enum RangeRequest: Equatable {
        /// Send the whole file: the header does not parse, names another unit, or asks for several ranges (which this
        /// server does not serve as multipart) — a server may ignore such a header.
        case whole
        case bytes(ClosedRange<Int>)
        /// A well-formed single range that starts past the end (or a suffix of 0 bytes): 416.
        case unsatisfiable
    }

    static func rangeRequest(_ header: String, size: Int) -> RangeRequest {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else { return .whole }
        let spec = trimmed.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces), last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        let digits = CharacterSet.decimalDigits
        guard first.unicodeScalars.allSatisfy(digits.contains), last.unicodeScalars.allSatisfy(digits.contains), !(first.isEmpty && last.isEmpty) else {
            return .whole
        }
        if first.isEmpty {
            guard let suffix = Int(last) else { return .whole }
            guard suffix > 0, size > 0 else { return .unsatisfiable }
            return .bytes(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(first) else { return .whole }
        let end = last.isEmpty ? Int.max : Int(last)
        guard let end, end >= start else { return .whole }
        guard start < size else { return .unsatisfiable }
        return .bytes(start...min(end, size - 1))
    }
}
