// The `jira` connector: a Jira site's `issues`, `comments` and `changelog` (a table's `source_table` names which), as
// Jira's webhooks deliver them to `POST /webhooks/jira` (kept in the source's spool, JiraSpool) — each table the newest
// version of every id. Register them `partitioned` by `created` for one parquet part per month. The source's config
// names the environment variable with the webhook secret (`webhook_secret_env`, default `JIRA_WEBHOOK_SECRET`), and
// for a backfill of the issues that exist already the site (`site_url`), an account (`email`, `token_env`) and a JQL
// query (`backfill_jql`): the first sync of `issues` reads them through Jira's REST search, page by page.
import AgnesAPI
import AgnesState
import DuckDB
import Foundation

public struct JiraConnector: StagedConnector {
    public struct Configuration: Decodable, Sendable, Equatable {
        /// The environment variable with the webhook secret.
        public var webhookSecretEnv: String?
        /// For the backfill: the site, the account and its API token's variable, and which issues.
        public var siteUrl: String?
        public var email: String?
        public var tokenEnv: String?
        public var backfillJql: String?

        enum CodingKeys: String, CodingKey {
            case email
            case webhookSecretEnv = "webhook_secret_env"
            case siteUrl = "site_url"
            case tokenEnv = "token_env"
            case backfillJql = "backfill_jql"
        }
    }

    public static let defaultSecretVariable = "JIRA_WEBHOOK_SECRET"
    public let configuration: Configuration
    let environment: [String: String]

    public init(configuration: Configuration, environment: [String: String]) throws {
        if let variable = configuration.webhookSecretEnv, !DatabaseServerSource.isPlain(variable) {
            throw ConnectorError("jira: webhook_secret_env must name an environment variable")
        }
        if let site = configuration.siteUrl {
            guard NetworkPolicy.apiURL(site) != nil else {
                throw ConnectorError("jira: site_url must be an https URL (https://your-site.atlassian.net)")
            }
        }
        self.configuration = configuration
        self.environment = environment
    }

    /// The webhook secret, when its variable is set.
    public var webhookSecret: String? {
        environment[configuration.webhookSecretEnv ?? Self.defaultSecretVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    public func prepare(_ connection: Connection) throws {}

    public func query(for table: RegisteredTable) throws -> String {
        throw ConnectorError("jira: table \(table.id) is built from the webhook events when it syncs")
    }

    public func test(on connection: Connection, policy: NetworkPolicy) throws -> String {
        throw ConnectorError("jira: checked without a connection")
    }

    public func stage(_ table: RegisteredTable, context: StagingContext) async throws -> String {
        let name = table.sourceTable ?? ""
        guard let columns = JiraEvent.columns[name] else {
            throw ConnectorError("table \(table.id): source_table must be issues, comments or changelog")
        }
        let spool = JiraSpool(directory: context.sourceDirectory)
        let backfill = spool.directory.appendingPathComponent("\(name).backfill.ndjson")
        if name == "issues", context.lastSync == nil, configuration.backfillJql != nil {
            try await JiraBackfill(configuration: configuration, environment: environment).run(into: backfill)
        }
        let files = [spool.file(name), backfill].filter { FileManager.default.fileExists(atPath: $0.path) }
        guard !files.isEmpty else {
            return "SELECT " + columns.map { "CAST(NULL AS \($0.1)) AS \(SQL.identifier($0.0))" }.joined(separator: ", ") + " WHERE false"
        }
        let types = "{" + columns.map { "\(SQL.literal($0.0)): \(SQL.literal($0.1))" }.joined(separator: ", ") + "}"
        return """
            SELECT \(columns.map { SQL.identifier($0.0) }.joined(separator: ", "))
            FROM read_ndjson([\(files.map { SQL.literal($0.path) }.joined(separator: ", "))], columns = \(types), ignore_errors = true)
            WHERE id IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY id ORDER BY updated DESC) = 1
            """
    }

    public func columns(of table: RegisteredTable) async throws -> [String] {
        guard let columns = JiraEvent.columns[table.sourceTable ?? ""] else {
            throw ConnectorError("table \(table.id): source_table must be issues, comments or changelog")
        }
        return columns.map(\.0)
    }

    /// The three tables a Jira source keeps.
    public func listTables() async throws -> [SourceTableListing] {
        ["issues", "comments", "changelog"].map { SourceTableListing(id: $0, columns: JiraEvent.columns[$0]?.map(\.0) ?? [], rows: nil, primaryKey: ["id"]) }
    }

    public func check(policy: NetworkPolicy) async throws -> String {
        guard webhookSecret != nil else {
            throw ConnectorError("jira: the environment variable \(configuration.webhookSecretEnv ?? Self.defaultSecretVariable) with the webhook secret is not set")
        }
        return "ready for webhooks at /webhooks/jira (secret set)"
    }
}
