// `POST /webhooks/jira` (no session: the body's HMAC signature is the credential). The raw body is read (1 MiB at most)
// and handed to the use case, which checks the signature before reading a byte of it as JSON.
import AgnesDomain
import Foundation
import HTTPTypes
import Hummingbird

struct JiraWebhookRoutes {
    let services: ServerServices
    static let maximumBody = 1 << 20

    func register(on router: Router<AgnesRequestContext>) {
        router.post("/webhooks/jira") { request, context -> JiraWebhookReceipt in
            context.audit.record("jira.webhook")
            // Events come by the thousand: their entries are batched like reads (the spool holds the event itself).
            context.audit.markRead()
            let body = try await request.body.collect(upTo: Self.maximumBody)
            let signature = request.headers[HTTPField.Name("X-Hub-Signature-256")!] ?? request.headers[HTTPField.Name("X-Hub-Signature")!]
            return try await services.domain.jiraWebhooks.receive(body: Data(body.readableBytesView), signature: signature)
        }
    }
}
