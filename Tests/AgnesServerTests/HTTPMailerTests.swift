// The http mailer against a real HTTP server on 127.0.0.1 that speaks SendGrid's JSON.
import AgnesDomain
@testable import AgnesServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@Suite("http mailer")
struct HTTPMailerTests {
    final class Inbox: Sendable {
        let requests = Mutex<[(authorization: String?, body: Data)]>([])
    }

    @Test("posts SendGrid JSON with the API key; a failed delivery is an error naming the status")
    func sendsSendGridJSON() async throws {
        let inbox = Inbox()
        let router = Router()
        router.post("/v3/mail/send") { request, context -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            let data = Data(buffer: body)
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            let recipient = ((json["personalizations"] as? [[String: Any]])?.first?["to"] as? [[String: Any]])?.first?["email"] as? String
            let authorization = request.headers[.authorization]
            inbox.requests.withLock { $0.append((authorization, data)) }
            return recipient == "fail@example.com" ? .internalServerError : .accepted
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).testLive { client in
            let port = try #require(client.port)
            let mailer = HTTPMailer(url: "http://127.0.0.1:\(port)/v3/mail/send", apiKey: "SG.test-key", from: "agnes@example.com")
            try await mailer.send(MailMessage(to: "ann@example.com", subject: "Hello", text: "Your link: http://x/y"))
            let request = try #require(inbox.requests.withLock { $0.first })
            #expect(request.authorization == "Bearer SG.test-key")
            let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
            #expect((body["from"] as? [String: Any])?["email"] as? String == "agnes@example.com")
            #expect(body["subject"] as? String == "Hello")
            #expect(((body["content"] as? [[String: Any]])?.first?["value"] as? String) == "Your link: http://x/y")

            await #expect(throws: MailerError.self) {
                try await mailer.send(MailMessage(to: "fail@example.com", subject: "x", text: "y"))
            }
        }
    }
}
