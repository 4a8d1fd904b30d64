// Every configuration setting of agnes-server: its key in instance.yaml, its environment variable, its default.

/// One setting. `docs/configuration.md` documents the same table; a test keeps the two in step.
public struct ConfigurationKey: Sendable, Hashable {
    /// The dotted path in `instance.yaml` (`server.port`).
    public let path: String
    /// The environment variable that overrides it.
    public let environment: String
    /// Whether the value is a secret (never logged, never shown).
    public let isSecret: Bool

    init(_ path: String, _ environment: String, secret: Bool = false) {
        self.path = path
        self.environment = environment
        self.isSecret = secret
    }

    public static let host = ConfigurationKey("server.host", "AGNES_HOST")
    public static let port = ConfigurationKey("server.port", "AGNES_PORT")
    public static let trustForwardedFor = ConfigurationKey("server.trust_forwarded_for", "AGNES_TRUST_FORWARDED_FOR")
    public static let headerTimeoutSeconds = ConfigurationKey("server.header_timeout_seconds", "AGNES_HEADER_TIMEOUT_SECONDS")
    public static let idleTimeoutSeconds = ConfigurationKey("server.idle_timeout_seconds", "AGNES_IDLE_TIMEOUT_SECONDS")
    public static let maximumConnections = ConfigurationKey("server.max_connections", "AGNES_MAX_CONNECTIONS")
    public static let uploadQuotaBytes = ConfigurationKey("uploads.max_bytes_per_user", "AGNES_UPLOAD_QUOTA_BYTES")
    public static let maximumListItems = ConfigurationKey("api.max_list_items", "AGNES_MAX_LIST_ITEMS")
    public static let serverURL = ConfigurationKey("server.url", "SERVER_URL")
    public static let dataDirectory = ConfigurationKey("data_dir", "DATA_DIR")
    public static let stateURL = ConfigurationKey("state.url", "AGNES_STATE_URL", secret: true)
    public static let role = ConfigurationKey("deployment.role", "AGNES_ROLE")
    public static let jobLeaseSeconds = ConfigurationKey("jobs.lease_seconds", "AGNES_JOB_LEASE_SECONDS")
    public static let dataLake = ConfigurationKey("data.lake", "AGNES_DATA_LAKE")
    public static let jwtSecret = ConfigurationKey("auth.jwt_secret_key", "JWT_SECRET_KEY", secret: true)
    public static let sessionSecret = ConfigurationKey("auth.session_secret", "SESSION_SECRET", secret: true)
    public static let seedAdminEmail = ConfigurationKey("auth.seed_admin_email", "SEED_ADMIN_EMAIL")
    public static let seedAdminPassword = ConfigurationKey("auth.seed_admin_password", "SEED_ADMIN_PASSWORD", secret: true)
    public static let schedulerToken = ConfigurationKey("auth.scheduler_api_token", "SCHEDULER_API_TOKEN", secret: true)
    public static let rateLimitEnabled = ConfigurationKey("auth.rate_limit_enabled", "AGNES_AUTH_RATELIMIT_ENABLED")
    public static let bcryptCost = ConfigurationKey("auth.bcrypt_cost", "AGNES_BCRYPT_COST")
    public static let localDevMode = ConfigurationKey("auth.local_dev_mode", "LOCAL_DEV_MODE")
    public static let scheduler = ConfigurationKey("sync.scheduler", "AGNES_SCHEDULER")
    public static let allowPrivateSourceHosts = ConfigurationKey("sources.allow_private_hosts", "AGNES_ALLOW_PRIVATE_SOURCE_HOSTS")
    public static let queryMaxRows = ConfigurationKey("query.max_rows", "AGNES_QUERY_MAX_ROWS")
    public static let queryMaxResultBytes = ConfigurationKey("query.max_result_bytes", "AGNES_QUERY_MAX_RESULT_BYTES")
    public static let queryStreamAfterBytes = ConfigurationKey("query.stream_after_bytes", "AGNES_QUERY_STREAM_AFTER_BYTES")
    public static let queryTimeoutSeconds = ConfigurationKey("query.timeout_seconds", "AGNES_QUERY_TIMEOUT_SECONDS")
    public static let queryConcurrentPerUser = ConfigurationKey("query.max_concurrent_per_user", "AGNES_QUERY_MAX_CONCURRENT_PER_USER")
    public static let queryGrantScopes = ConfigurationKey("query.max_grant_scopes", "AGNES_QUERY_MAX_GRANT_SCOPES")
    public static let queryMemoryLimit = ConfigurationKey("query.memory_limit", "AGNES_QUERY_MEMORY_LIMIT")
    public static let queryThreads = ConfigurationKey("query.threads", "AGNES_QUERY_THREADS")
    public static let queryRemoteMaxScanBytes = ConfigurationKey("query.remote_max_scan_bytes", "AGNES_QUERY_REMOTE_MAX_SCAN_BYTES")
    public static let mcpMaxRows = ConfigurationKey("mcp.max_rows", "AGNES_MCP_MAX_ROWS")
    public static let stackAutoMembership = ConfigurationKey("stack.auto_membership", "AGNES_STACK_AUTO_MEMBERSHIP")
    public static let mcpMaxOutputCharacters = ConfigurationKey("mcp.max_output_chars", "AGNES_MCP_MAX_OUTPUT_CHARS")
    public static let mailerKind = ConfigurationKey("mailer.kind", "AGNES_MAILER")
    public static let mailerURL = ConfigurationKey("mailer.url", "AGNES_MAILER_URL")
    public static let mailerAPIKey = ConfigurationKey("mailer.api_key", "AGNES_MAILER_API_KEY", secret: true)
    public static let mailerFrom = ConfigurationKey("mailer.from", "AGNES_MAILER_FROM")

    /// All settings, in documentation order.
    public static let all: [ConfigurationKey] = [
        .host, .port, .trustForwardedFor, .headerTimeoutSeconds, .idleTimeoutSeconds, .maximumConnections, .serverURL, .dataDirectory, .stateURL, .role, .jobLeaseSeconds, .dataLake, .jwtSecret, .sessionSecret, .seedAdminEmail, .seedAdminPassword,
        .schedulerToken, .rateLimitEnabled, .bcryptCost, .localDevMode, .scheduler, .allowPrivateSourceHosts, .queryMaxRows,
        .queryMaxResultBytes, .queryStreamAfterBytes, .queryTimeoutSeconds, .queryConcurrentPerUser, .queryGrantScopes, .queryMemoryLimit, .queryThreads, .queryRemoteMaxScanBytes, .uploadQuotaBytes, .maximumListItems, .mcpMaxRows, .mcpMaxOutputCharacters, .stackAutoMembership, .mailerKind, .mailerURL, .mailerAPIKey, .mailerFrom,
    ] + openIDKeys
}
