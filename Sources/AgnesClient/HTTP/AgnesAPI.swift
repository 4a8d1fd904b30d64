// The server's HTTP API as the CLI uses it: JSON calls with the bearer token and a `User-Agent`, errors turned into
// `ClientError`s with the server's detail, and streamed downloads.
import AgnesCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

public struct AgnesAPI: Sendable {
    public let baseURL: String
    public let token: String?
    let client: HTTPClient

    public init(baseURL: String, token: String?, client: HTTPClient = .shared) {
        self.baseURL = baseURL
        self.token = token
        self.client = client
    }

    /// A finished exchange.
    public struct Reply: Sendable {
        public let status: Int
        public let headers: HTTPHeaders
        public let body: Data

        /// The body as a JSON object (empty when it is not one).
        public var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        /// The body as a JSON array of objects (empty when it is not one).
        public var array: [[String: Any]] { (try? JSONSerialization.jsonObject(with: body)) as? [[String: Any]] ?? [] }
        /// The server's `detail` message.
        public var detail: String {
            if let text = object["detail"] as? String { return text }
            if let detail = object["detail"], let data = try? JSONSerialization.data(withJSONObject: detail, options: [.sortedKeys]) {
                return String(decoding: data, as: UTF8.self)
            }
            return "HTTP \(status)"
        }
    }

    func request(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = []) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "User-Agent", value: "agnes/\(AgnesVersion.current)")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
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

    /// Sends a request with an optional JSON (or raw) body and collects the answer (any status).
    public func send(_ method: HTTPMethod, _ path: String, json: Any? = nil, raw: RawBody? = nil, headers: [(String, String)] = [],
                     timeout: TimeAmount = .seconds(30), maximumBytes: Int = 256 << 20) async throws -> Reply {
        var request = self.request(method, path, headers: headers)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        } else if let raw {
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
    public func call(_ method: HTTPMethod, _ path: String, json: Any? = nil, raw: RawBody? = nil, headers: [(String, String)] = [],
                     accepting: Set<Int> = [], timeout: TimeAmount = .seconds(30)) async throws -> Reply {
        let reply = try await send(method, path, json: json, raw: raw, headers: headers, timeout: timeout)
        guard (200..<300).contains(reply.status) || accepting.contains(reply.status) else {
            throw ClientError.http(status: reply.status, detail: reply.detail, path: path)
        }
        return reply
    }

    /// Streams a GET's body into `sink` (for 200 and 206), after telling `onStatus` the status and headers; returns them.
    /// Other statuses throw.
    @discardableResult
    public func stream(_ path: String, method: HTTPMethod = .GET, json: Any? = nil, headers: [(String, String)] = [],
                       timeout: TimeAmount = .hours(6), onStatus: (Int, HTTPHeaders) throws -> Void = { _, _ in },
                       into sink: (ByteBuffer) throws -> Void) async throws -> (status: Int, headers: HTTPHeaders) {
        var request = self.request(method, path, headers: headers)
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
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
            for try await chunk in response.body { try sink(chunk) }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.unreachable, "download of \(path) broke off: \(Self.describe(error))")
        }
        return (status, response.headers)
    }

    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
