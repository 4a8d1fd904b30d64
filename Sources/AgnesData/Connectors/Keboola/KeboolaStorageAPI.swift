// Keboola's Storage API, the part a sync needs (`<stack_url>/v2/storage`, token in `X-StorageApi-Token`): verify the
// token, list buckets and tables, read a table's columns, start an asynchronous export, poll its job with backoff
// until it succeeds, fails or passes its deadline, read the exported file (with `federationToken=1`), and download it
// — every slice of a sliced file, listed by its manifest — to disk as it arrives.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

struct KeboolaStorageAPI: Sendable {
    let stackURL: URL
    let token: String
    /// Polling of export jobs: the first wait, the factor, the longest wait, and the deadline.
    var firstPoll: TimeAmount = .milliseconds(200)
    var pollFactor = 1.5
    var longestPoll: TimeAmount = .seconds(10)
    var deadline: TimeAmount = .seconds(1800)

    struct TokenInfo: Decodable { let description: String? }
    struct Bucket: Decodable { let id: String; let name: String? }
    struct Table: Decodable {
        let id: String
        let name: String?
        let columns: [String]?
        let primaryKey: [String]?
        let rowsCount: Int64?
    }
    struct Job: Decodable {
        struct Results: Decodable {
            struct FileReference: Decodable { let id: Int64 }
            let file: FileReference?
        }
        struct Failure: Decodable { let message: String? }
        let id: Int64
        let status: String
        let results: Results?
        let error: Failure?
    }
    struct File: Decodable {
        let id: Int64
        let isSliced: Bool?
        let url: String
        let name: String?
    }
    /// An error answer (`{"error": "Invalid access token", "code": "storage.tokenInvalid"}`).
    struct APIFailure: Decodable {
        let error: String?
        let code: String?
    }
    struct Manifest: Decodable {
        struct Entry: Decodable { let url: String }
        let entries: [Entry]
    }

    func verifyToken() async throws -> TokenInfo { try await get("tokens/verify") }
    func buckets() async throws -> [Bucket] { try await get("buckets") }
    func tables() async throws -> [Table] { try await get("tables?include=columns") }
    func table(_ id: String) async throws -> Table { try await get("tables/\(Self.segment(id))") }

    /// Starts an export of `table`; answers the job.
    func exportAsync(_ table: String, fields: [(String, String)]) async throws -> Job {
        var request = HTTPClientRequest(url: url("tables/\(Self.segment(table))/export-async"))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: Self.form(fields)))
        return try await send(request, what: "export of \(table)")
    }

    /// Polls job `id` until it is done; answers the exported file's id.
    func waitForExport(_ job: Job, table: String) async throws -> Int64 {
        let started = NIODeadline.now()
        var wait = firstPoll, current = job
        while true {
            switch current.status {
            case "success":
                guard let file = current.results?.file?.id else { throw ConnectorError("keboola: the export of \(table) succeeded without a file") }
                return file
            case "error", "cancelled", "terminated":
                throw ConnectorError("keboola: the export of \(table) failed: \(current.error?.message ?? current.status)")
            default:
                guard NIODeadline.now() - started < deadline else {
                    throw ConnectorError("keboola: the export of \(table) did not finish in \(deadline.nanoseconds / 1_000_000_000) s (job \(job.id))")
                }
                try await Task.sleep(nanoseconds: UInt64(wait.nanoseconds))
                wait = .nanoseconds(min(Int64(Double(wait.nanoseconds) * pollFactor), longestPoll.nanoseconds))
                current = try await get("jobs/\(job.id)")
            }
        }
    }

    /// The exported file's description, with credentials to download it.
    func file(_ id: Int64) async throws -> File { try await get("files/\(id)?federationToken=1") }

    /// Downloads `file` into `directory`: its slices (a sliced file) or the file; answers the paths, in order.
    func download(_ file: File, into directory: URL) async throws -> [String] {
        let urls: [String]
        if file.isSliced == true {
            let manifest: Manifest = try await fetchJSON(try checked(file.url), what: "the slice manifest of file \(file.id)")
            urls = manifest.entries.map(\.url)
        } else {
            urls = [file.url]
        }
        var paths: [String] = []
        for (index, address) in urls.enumerated() {
            let target = directory.appendingPathComponent(String(format: "slice-%05d.csv.gz", index))
            try await save(try checked(address), to: target, what: "slice \(index + 1) of \(urls.count) of file \(file.id)")
            paths.append(target.path)
        }
        return paths
    }

    // MARK: - HTTP

    private func url(_ path: String) -> String {
        stackURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/v2/storage/" + path
    }

    private func get<T: Decodable>(_ path: String) async throws -> T {
        try await send(HTTPClientRequest(url: url(path)), what: path.split(separator: "?").first.map(String.init) ?? path)
    }

    private func send<T: Decodable>(_ request: HTTPClientRequest, what: String) async throws -> T {
        var request = request
        request.headers.add(name: "X-StorageApi-Token", value: token)
        request.headers.add(name: "Accept", value: "application/json")
        let (status, body) = try await exchange(request, what: what)
        guard (200..<300).contains(status) else {
            let failure = try? JSONDecoder().decode(APIFailure.self, from: body)
            if status == 401 { throw ConnectorError("keboola: the Storage API token is refused (\(failure?.error ?? "401 Unauthorized"))") }
            throw ConnectorError("keboola: \(what): HTTP \(status)\(failure?.error.map { ": \($0)" } ?? "")")
        }
        do { return try JSONDecoder().decode(T.self, from: body) } catch {
            throw ConnectorError("keboola: \(what): the answer is not what the Storage API documents")
        }
    }

    /// A file URL the API handed out: https, or the stack's own origin (a local stack in tests).
    private func checked(_ address: String) throws -> String {
        guard let url = URL(string: address), let scheme = url.scheme?.lowercased(), url.host != nil,
              scheme == "https" || (url.scheme == stackURL.scheme && url.host == stackURL.host && url.port == stackURL.port) else {
            throw ConnectorError("keboola: a file URL the API gave is not https: \(address.prefix(80))")
        }
        return address
    }

    private func fetchJSON<T: Decodable>(_ address: String, what: String) async throws -> T {
        let (status, body) = try await exchange(HTTPClientRequest(url: address), what: what)
        guard status == 200, let value = try? JSONDecoder().decode(T.self, from: body) else { throw ConnectorError("keboola: \(what): HTTP \(status)") }
        return value
    }

    private func exchange(_ request: HTTPClientRequest, what: String) async throws -> (Int, Data) {
        do {
            let response = try await ConnectorHTTP.client.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 16 << 20)
            return (Int(response.status.code), Data(body.readableBytesView))
        } catch let error as ConnectorError {
            throw error
        } catch {
            throw ConnectorError("keboola: \(what): \(stackURL.host ?? "the stack") cannot be reached (\(error))")
        }
    }

    /// Streams `address` into `target` (through a `.partial` name).
    private func save(_ address: String, to target: URL, what: String) async throws {
        let partial = target.appendingPathExtension("partial")
        do {
            let response = try await ConnectorHTTP.client.execute(HTTPClientRequest(url: address), timeout: .hours(6))
            guard response.status == .ok else { throw ConnectorError("keboola: \(what): HTTP \(response.status.code)") }
            guard FileManager.default.createFile(atPath: partial.path, contents: nil) else { throw ConnectorError("keboola: cannot write \(partial.path)") }
            let handle = try FileHandle(forWritingTo: partial)
            do {
                for try await chunk in response.body { try handle.write(contentsOf: Data(chunk.readableBytesView)) }
                try handle.close()
            } catch {
                try? handle.close()
                throw error
            }
            try FileManager.default.moveItem(at: partial, to: target)
        } catch let error as ConnectorError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw ConnectorError("keboola: \(what): the download broke off (\(error))")
        }
    }

    /// A path segment (a table id has dots, never slashes; anything else is escaped).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func form(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }
}
