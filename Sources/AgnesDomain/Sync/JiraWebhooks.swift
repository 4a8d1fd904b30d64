// `POST /webhooks/jira` (upstream's contract): no secret configured → 503; `X-Hub-Signature-256` (or
// `X-Hub-Signature`), with or without `sha256=`, must be the hex HMAC-SHA256 of the raw body under the secret (compared
// in constant time) → else 401; a body that is not an issue event → 400. An accepted event is on disk (the source's
// spool, group commit) before the answer `{"status": "ok", "event", "issue"}`, and the source's tables are synced from
// the spool at most once a second, however many events arrive (`JiraRefresh`).
import AgnesAPI
import AgnesData
import AgnesState
import Crypto
import Foundation
import Synchronization

/// The answer to an accepted webhook.
public struct JiraWebhookReceipt: Codable, Sendable, Equatable {
    public var status = "ok"
    public var event: String
    public var issue: String
}

public struct JiraWebhooks: Sendable {
    let domain: Domain

    public func receive(body: Data, signature: String?) async throws -> JiraWebhookReceipt {
        let sources = try await domain.jiraSources.value(for: "jira") {
            try await DataSourcesRepository(store: domain.state).list().filter { $0.type == "jira" }
        }
        guard let source = sources.first, let connector = try? Connectors.make(source) as? JiraConnector, let secret = connector.webhookSecret else {
            throw ServiceError(.serviceUnavailable, "Jira webhooks are not configured: add a jira data source and set its webhook secret variable")
        }
        guard let signature, Self.verify(signature, body: body, secret: secret) else { throw ServiceError(.unauthorized, "Invalid webhook signature") }
        let parsed: (event: String, issue: String, rows: JiraRows)
        do { parsed = try JiraEvent.parse(body) } catch let rejection as JiraEventRejection { throw ServiceError.badRequest(rejection.description) }
        try await domain.jiraSpools.spool(for: source.name, dataDirectory: domain.settings.dataDirectory).append(parsed.rows)
        domain.jiraRefresh.schedule(source.name, domain: domain)
        return JiraWebhookReceipt(event: parsed.event, issue: parsed.issue)
    }

    /// Whether `signature` (hex, optionally `sha256=`-prefixed) is the HMAC-SHA256 of `body` under `secret`.
    static func verify(_ signature: String, body: Data, secret: String) -> Bool {
        let given = signature.hasPrefix("sha256=") ? String(signature.dropFirst(7)) : signature
        let expected = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(secret.utf8))).map { String(format: "%02x", $0) }.joined()
        return SecretComparison.equal(given.lowercased(), expected)
    }
}

/// The spool of each Jira source (one writer per file, shared by every request).
public final class JiraSpools: Sendable {
    private let spools = Mutex<[String: JiraSpool]>([:])

    public init() {}

    func spool(for source: String, dataDirectory: URL) -> JiraSpool {
        spools.withLock { spools in
            if let spool = spools[source] { return spool }
            let spool = JiraSpool(directory: TableSyncer.sourceDirectory(source, extractsDirectory: dataDirectory.appendingPathComponent("extracts")))
            spools[source] = spool
            return spool
        }
    }
}

/// Coalesces the syncs webhooks ask for: one per second at most, of every table of the sources that got events.
public final class JiraRefresh: Sendable {
    struct State: Sendable {
        var sources: Set<String> = []
        var scheduled = false
        var runs = 0
    }

    private let state = Mutex(State())
    /// The delay that gathers a burst of events into one sync.
    public static let interval: Duration = .seconds(1)

    public init() {}

    /// Syncs started so far (a tick that found a sync running and tried again later is not one).
    public var runs: Int { state.withLock { $0.runs } }

    func schedule(_ source: String, domain: Domain) {
        let start = state.withLock { state -> Bool in
            state.sources.insert(source)
            if state.scheduled { return false }
            state.scheduled = true
            return true
        }
        guard start else { return }
        Task {
            try? await Task.sleep(for: Self.interval)
            let sources = state.withLock { state -> Set<String> in
                let sources = state.sources
                state.sources = []
                state.scheduled = false
                return sources
            }
            do {
                let tables = try await RegistryRepository(store: domain.state).list().filter { $0.sourceName.map(sources.contains) ?? false }.map(\.id)
                if !tables.isEmpty {
                    try await domain.dataPlane.triggerSync(tables, trigger: "jira-webhook")
                    state.withLock { $0.runs += 1 }
                }
            } catch is DataPlane.SyncInProgress {
                // The running sync may have missed these events: try again after it.
                for source in sources { schedule(source, domain: domain) }
            } catch {
                domain.logger.warning("jira refresh failed", metadata: ["error": .string(String(describing: error))])
            }
        }
    }
}
