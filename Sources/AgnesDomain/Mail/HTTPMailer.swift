// Sends mail through a SendGrid-compatible JSON API (`POST /v3/mail/send` shape), at a configurable URL.
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Posts messages as SendGrid v3 JSON with a bearer API key.
public struct HTTPMailer: Mailer {
    let url: String
    let apiKey: String?
    let from: String
    let client: HTTPClient

    public init(url: String, apiKey: String?, from: String, client: HTTPClient = .shared) {
        self.url = url
        self.apiKey = apiKey
        self.from = from
        self.client = client
    }

    struct Payload: Encodable {
        struct Address: Encodable { let email: String }
        struct Personalization: Encodable { let to: [Address] }
        struct Content: Encodable { let type: String; let value: String }
        let personalizations: [Personalization]
        let from: Address
        let subject: String
        let content: [Content]
    }

    public func send(_ message: MailMessage) async throws {
        let payload = Payload(personalizations: [.init(to: [.init(email: message.to)])], from: .init(email: from),
                              subject: message.subject, content: [.init(type: "text/plain", value: message.text)])
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let apiKey { request.headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(payload)))
        let response = try await client.execute(request, timeout: .seconds(10))
        guard (200..<300).contains(response.status.code) else {
            let body = try? await response.body.collect(upTo: 4096)
            throw MailerError(description: "the mail API answered \(response.status.code): \(body.map { String(buffer: $0) } ?? "")")
        }
    }
}
