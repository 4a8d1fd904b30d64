// The transport under the typed client: requests with the bearer token and a `User-Agent`, JSON bodies encoded from
// the wire types of AgnesAPI, errors turned into `ClientError`s with the server's detail, and streamed downloads. The
// operations themselves (`APIClient+*.swift`) are one typed method each.
import AgnesAPI
import AgnesCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A client of one Agnes server.
public struct APIClient: Sendable {
    public let baseURL: String
    public let token: String?
    /// Headers sent with every request (the MCP tool call a request serves, for the server's audit trail).
    public var headers: [(String, String)] = []
    let client: HTTPClient

    /// The process's HTTP client: it accepts gzip (the server compresses the manifest, six times smaller for a
    /// thousand tables) and inflates it on the fly.
    public static let sharedClient = HTTPClient(eventLoopGroupProvider: .singleton,
                                                configuration: HTTPClient.Configuration(decompression: .enabled(limit: .size(1 << 30))))

    public init(baseURL: String, token: String?, client: HTTPClient = APIClient.sharedClient) {
        self.baseURL = baseURL
        self.token = token
        self.client = client
    }

    /// A finished exchange.
    public struct Reply: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: Data

        /// The server's `detail` message.
        public var detail: String {
            (try? JSONCoding.decoder.decode(ErrorBody.self, from: body))?.detail.text ?? "HTTP \(status)"
        }

        /// The body decoded as `T`; a body that does not decode is the server's fault.
        public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
            do { return try JSONCoding.decoder.decode(T.self, from: body) } catch {
                throw ClientError(.server, "the server's answer is unreadable (\(T.self)): \(APIClient.describe(error))")
            }
        }
    }

    /// A JSON body made from a wire type.
    public static func json(_ value: some Encodable) throws -> RawBody {
        RawBody(try JSONCoding.encoder.encode(value), contentType: "application/json")
    }

    func request(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = []) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "User-Agent", value: "agnes/\(AgnesVersion.current)")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in self.headers + headers { request.headers.add(name: name, value: value) }
        return request
    }

    /// A request body that is not JSON.
    public struct RawBody: Sendable {
        public var data: Data
        public var contentType: String
        public init(_ data: Data, contentType: String) {
            self.data = data
            self.contentType = contentType
        }

        /// A `multipart/form-data` body with one file field.
        public static func multipartFile(field: String, filename: String, data: Data) -> RawBody {
            let boundary = "agnes-\(UUID().uuidString)"
            var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\n".utf8)
            body += Data("Content-Type: application/octet-stream\r\n\r\n".utf8) + data + Data("\r\n--\(boundary)--\r\n".utf8)
            return RawBody(body, contentType: "multipart/form-data; boundary=\(boundary)")
        }
    }

    /// Sends a request with an optional body and collects the answer (any status).
    func send(_ method: HTTPMethod, _ path: String, body raw: RawBody? = nil, headers: [(String, String)] = [],
              timeout: TimeAmount = .seconds(30), maximumBytes: Int = 256 << 20) async throws -> Reply {
        var request = self.request(method, path, headers: headers)
        if let raw {
            request.headers.add(name: "Content-Type", value: raw.contentType)
            request.body = .bytes(ByteBuffer(bytes: raw.data))
        }
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: maximumBytes)
            return Reply(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.unreachable, "cannot reach \(baseURL): \(Self.describe(error))")
        }
    }

    /// `send`, then throws the server's error unless the status is 2xx (or listed in `accepting`).
    func call(_ method: HTTPMethod, _ path: String, body: RawBody? = nil, headers: [(String, String)] = [],
              accepting: Set<Int> = [], timeout: TimeAmount = .seconds(30)) async throws -> Reply {
        let reply = try await send(method, path, body: body, headers: headers, timeout: timeout)
        guard (200..<300).contains(reply.status) || accepting.contains(reply.status) else {
            throw ClientError.http(status: reply.status, detail: reply.detail, path: path)
        }
        return reply
    }

    /// Streams a GET's body into `sink` (for 200 and 206), after telling `onStatus` the status and headers; returns them.
    /// Other statuses throw.
    @discardableResult
    func stream(_ path: String, method: HTTPMethod = .GET, body raw: RawBody? = nil, headers: [(String, String)] = [],
                timeout: TimeAmount = .hours(6), onStatus: (Int, HTTPHeaders) throws -> Void = { _, _ in },
                into sink: (ByteBuffer) async throws -> Void) async throws -> (status: Int, headers: HTTPHeaders) {
        var request = self.request(method, path, headers: headers)
        if let raw {
            request.headers.add(name: "Content-Type", value: raw.contentType)
            request.body = .bytes(ByteBuffer(bytes: raw.data))
        }
        let response: HTTPClientResponse
        do { response = try await client.execute(request, timeout: timeout) } catch {
            throw ClientError(.unreachable, "cannot reach \(baseURL): \(Self.describe(error))")
        }
        let status = Int(response.status.code)
        guard status == 200 || status == 206 else {
            let body = (try? await response.body.collect(upTo: 1 << 20)).map { Data($0.readableBytesView) } ?? Data()
            let reply = Reply(status: status, headers: response.headers, body: body)
            throw ClientError.http(status: status, detail: reply.detail, path: path)
        }
        try onStatus(status, response.headers)
        do {
            for try await chunk in response.body { try await sink(chunk) }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.unreachable, "download of \(path) broke off: \(Self.describe(error))")
        }
        return (status, response.headers)
    }

    /// `GET path`, decoded.
    func get<T: Decodable>(_ path: String, timeout: TimeAmount = .seconds(30)) async throws -> T {
        try await call(.GET, path, timeout: timeout).decode()
    }

    /// `method path` with `body` as JSON, the answer decoded.
    func send<T: Decodable>(_ method: HTTPMethod, _ path: String, json body: some Encodable, timeout: TimeAmount = .seconds(30)) async throws -> T {
        try await call(method, path, body: try Self.json(body), timeout: timeout).decode()
    }

    /// A path segment with everything but unreserved characters percent-encoded.
    static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .urlUnreserved) ?? value
    }

    /// `?name=value&…` for the pairs whose value is not nil, percent-encoded; "" when none is.
    static func query(_ pairs: [(String, String?)]) -> String {
        let present = pairs.compactMap { name, value in value.map { "\(name)=\(segment($0))" } }
        return present.isEmpty ? "" : "?" + present.joined(separator: "&")
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}

extension CharacterSet {
    /// RFC 3986 unreserved characters: letters, digits, `-._~`.
    static let urlUnreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}
