// The few HTTP exchanges sign-in and group sync make with the provider (discovery, keys, token endpoints, the
// directory): JSON in, JSON out, bounded in time and size, and errors that say which exchange failed without
// repeating a secret.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An exchange with the provider that did not give what sign-in needs.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

enum ProviderHTTP {
    /// An OAuth error answer (`{"error": "invalid_grant", …}`).
    private struct OAuthError: Decodable { let error: String? }

    /// GETs `url` (with a bearer token) and decodes the JSON answer.
    static func get<T: Decodable>(_ url: URL, bearer: String? = nil, as type: T.Type, what: String) async throws -> T {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.headers.add(name: "Accept", value: "application/json")
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        return try await exchange(request, as: type, what: what)
    }

    /// POSTs `fields` as a form and decodes the JSON answer.
    static func postForm<T: Decodable>(_ url: URL, _ fields: [(String, String)], as type: T.Type, what: String) async throws -> T {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: formEncoded(fields)))
        return try await exchange(request, as: type, what: what)
    }

    /// `application/x-www-form-urlencoded` of `fields`.
    static func formEncoded(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    private static func exchange<T: Decodable>(_ request: HTTPClientRequest, as type: T.Type, what: String) async throws -> T {
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw ProviderError("\(what): the provider cannot be reached (\(error))")
        }
        guard (200..<300).contains(response.status.code) else {
            // An OAuth error body names the error; nothing else of it is repeated.
            let reason = (try? JSONDecoder().decode(OAuthError.self, from: Data(body.readableBytesView)))?.error.map { " (\($0))" } ?? ""
            throw ProviderError("\(what): the provider answered \(response.status.code)\(reason)")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw ProviderError("\(what): the provider's answer is not what OpenID Connect says it is")
        }
    }
}
