// The server's health and version: `GET /api/health`, `GET /api/health/detailed` and `GET /api/version`.
import Foundation

/// The body of `GET /api/health`: whether the server is up, which Agnes and DuckDB it runs, and (as upstream) whether
/// the state database schema is the one this server expects.
public struct HealthStatus: Codable, Sendable, Equatable {
    /// `ok`, or `unhealthy` when the state database is unreachable or at another schema version.
    public var status: String
    /// The Agnes version (`AgnesVersion.current`).
    public var version: String
    /// The DuckDB library version, for example `v1.5.5`.
    public var duckdb: String
    /// `ok`, `mismatch` or `unreachable`; nil when the server runs without a state database (tests).
    public var dbSchema: String?
    /// The schema version of the state database, and the one this server expects.
    public var current: Int?
    public var expected: Int?
    /// In `/api/health/detailed` only: `operator` (absent from `/api/health`).
    public var audience: String?

    public init(status: String, version: String, duckdb: String, dbSchema: String? = nil, current: Int? = nil, expected: Int? = nil) {
        self.status = status
        self.version = version
        self.duckdb = duckdb
        self.dbSchema = dbSchema
        self.current = current
        self.expected = expected
    }

    enum CodingKeys: String, CodingKey {
        case status, version, duckdb, current, expected, audience
        case dbSchema = "db_schema"
    }
}

/// The body of `GET /api/version`: which build is running, as upstream reports it.
public struct VersionInfo: Codable, Sendable, Equatable {
    public var version: String
    public var channel: String
    public var imageTag: String
    public var commitSha: String
    public var schemaVersion: Int
    @Nullable public var deployedAt: String?

    public init(version: String, channel: String, imageTag: String, commitSha: String, schemaVersion: Int, deployedAt: String?) {
        self.version = version
        self.channel = channel
        self.imageTag = imageTag
        self.commitSha = commitSha
        self.schemaVersion = schemaVersion
        self.deployedAt = deployedAt
    }

    enum CodingKeys: String, CodingKey {
        case version, channel
        case imageTag = "image_tag"
        case commitSha = "commit_sha"
        case schemaVersion = "schema_version"
        case deployedAt = "deployed_at"
    }
}

/// The body of `GET /api/health/detailed`: the version fields, then the overall status and each part's.
public struct DetailedHealth: Codable, Sendable, Equatable {
    /// One part's status.
    public struct Service: Codable, Sendable, Equatable {
        public var status: String
        public var detail: String?
        /// Who the check is for: `analyst` (what an analyst's work depends on) or `operator` (the server's upkeep).
        public var audience: String?

        public init(status: String, detail: String? = nil, audience: String? = nil) {
            self.status = status
            self.detail = detail
            self.audience = audience
        }
    }

    /// The tables the caller may read: how many, how fresh, and what the last rebuild could not serve.
    public struct DataHealth: Codable, Sendable, Equatable {
        public var status: String
        public var tables: Int
        public var totalRows: Int64
        public var staleTables: [String]
        /// Table ids offered by more than one source with none named in the registry: served by none of them.
        public var conflicts: [String: [String]] = [:]
        /// Sources whose extract or live connection could not be read at the last rebuild (administrators only).
        public var unreadableSources: [String: String] = [:]
        /// `analyst`.
        public var audience: String = "analyst"

        public init(status: String, tables: Int, totalRows: Int64, staleTables: [String]) {
            self.status = status
            self.tables = tables
            self.totalRows = totalRows
            self.staleTables = staleTables
        }

        enum CodingKeys: String, CodingKey {
            case status, tables, conflicts, audience
            case totalRows = "total_rows"
            case staleTables = "stale_tables"
            case unreadableSources = "unreadable_sources"
        }
    }

    /// How many users there are, and how many are active (the counts for administrators only).
    public struct UsersHealth: Codable, Sendable, Equatable {
        public var status: String
        public var count: Int?
        public var active: Int?
        /// `operator`.
        public var audience: String = "operator"

        public init(status: String, count: Int?, active: Int?) {
            self.status = status
            self.count = count
            self.active = active
        }
    }

    /// Every part's status.
    public struct Services: Codable, Sendable, Equatable {
        public var duckdbState: Service
        public var dbSchema: HealthStatus
        public var data: DataHealth
        public var users: UsersHealth

        public init(duckdbState: Service, dbSchema: HealthStatus, data: DataHealth, users: UsersHealth) {
            self.duckdbState = duckdbState
            self.dbSchema = dbSchema
            self.data = data
            self.users = users
        }

        enum CodingKeys: String, CodingKey {
            case data, users
            case duckdbState = "duckdb_state"
            case dbSchema = "db_schema"
        }
    }

    /// `healthy`, `degraded` or `unhealthy`, over every check.
    public var status: String
    /// The same over the checks an analyst's work depends on (upstream's `overall_analyst`): an analyst is told the
    /// server is fine when only operator checks warn.
    public var overallAnalyst: String
    /// `admin` or `analyst`: what the caller was shown (operator checks come to analysts as their status only).
    public var callerRole: String
    public var version: VersionInfo
    public var timestamp: Date
    public var services: Services

    public init(status: String, overallAnalyst: String, callerRole: String, version: VersionInfo, timestamp: Date, services: Services) {
        self.status = status
        self.overallAnalyst = overallAnalyst
        self.callerRole = callerRole
        self.version = version
        self.timestamp = timestamp
        self.services = services
    }

    enum CodingKeys: String, CodingKey {
        case status, timestamp, services
        case overallAnalyst = "overall_analyst"
        case callerRole = "caller_role"
    }

    public init(from decoder: any Decoder) throws {
        version = try VersionInfo(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        status = try container.decode(String.self, forKey: .status)
        overallAnalyst = try container.decode(String.self, forKey: .overallAnalyst)
        callerRole = try container.decode(String.self, forKey: .callerRole)
        timestamp = try container.decode(Date.self, forKey: .timestamp)
        services = try container.decode(Services.self, forKey: .services)
    }

    public func encode(to encoder: any Encoder) throws {
        try version.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(overallAnalyst, forKey: .overallAnalyst)
        try container.encode(callerRole, forKey: .callerRole)
        try container.encode(timestamp, forKey: .timestamp)
        try container.encode(services, forKey: .services)
    }
}

/// `GET /healthz`: the process is alive.
public struct Liveness: Codable, Sendable, Equatable {
    public var status: String

    public init(status: String = "alive") { self.status = status }
}

/// `GET /readyz` (200 when ready, 503 when not): the write canary's verdict, as upstream.
public struct Readiness: Codable, Sendable, Equatable {
    /// `ready` or `not_ready`.
    public var status: String
    public var failedChecks: [String]
    /// A canary has succeeded since start.
    public var canaryReady: Bool
    public var consecutiveFailures: Int
    @Nullable public var lastCanaryAt: Date?

    public init(status: String, failedChecks: [String], canaryReady: Bool, consecutiveFailures: Int, lastCanaryAt: Date?) {
        self.status = status
        self.failedChecks = failedChecks
        self.canaryReady = canaryReady
        self.consecutiveFailures = consecutiveFailures
        self.lastCanaryAt = lastCanaryAt
    }

    enum CodingKeys: String, CodingKey {
        case status
        case failedChecks = "failed_checks"
        case canaryReady = "canary_ready"
        case consecutiveFailures = "consecutive_failures"
        case lastCanaryAt = "last_canary_at"
    }
}

/// `GET /api/admin/usage` (and the web UI's usage page): who pulls, whose workspace went quiet, which tables no one
/// uses.
public struct UsageReport: Codable, Sendable, Equatable {
    public struct Puller: Codable, Sendable, Equatable {
        public var email: String
        public var lastPullAt: Date
        /// Tables they downloaded in the window, by id.
        public var tablesDownloaded: [String]

        public init(email: String, lastPullAt: Date, tablesDownloaded: [String]) {
            self.email = email
            self.lastPullAt = lastPullAt
            self.tablesDownloaded = tablesDownloaded
        }

        enum CodingKeys: String, CodingKey {
            case email
            case lastPullAt = "last_pull_at"
            case tablesDownloaded = "tables_downloaded"
        }
    }

    /// Everyone who ever pulled, most recent first.
    public var pullers: [Puller]
    /// Active users who pulled once but not in `idle_days` days.
    public var idleWorkspaces: [Puller]
    /// Registered tables no one downloaded or queried in `unused_days` days.
    public var unusedTables: [String]
    public var idleDays: Int
    public var unusedDays: Int

    public init(pullers: [Puller], idleWorkspaces: [Puller], unusedTables: [String], idleDays: Int, unusedDays: Int) {
        self.pullers = pullers
        self.idleWorkspaces = idleWorkspaces
        self.unusedTables = unusedTables
        self.idleDays = idleDays
        self.unusedDays = unusedDays
    }

    enum CodingKeys: String, CodingKey {
        case pullers
        case idleWorkspaces = "idle_workspaces"
        case unusedTables = "unused_tables"
        case idleDays = "idle_days"
        case unusedDays = "unused_days"
    }
}
