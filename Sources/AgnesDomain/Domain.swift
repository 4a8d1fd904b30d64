// The use cases of Agnes, over the state database and the data plane: what every surface (the HTTP API, the web
// pages, MCP tools) calls. Each concept has a service type (`domain.catalog`, `domain.query`, …) taking typed input and
// the caller, returning wire types or throwing `ServiceError`. Rules — grants, caps, audit facts — live here, once.
import AgnesAPI
import AgnesData
import AgnesState
import Foundation
import Logging

/// The settings the use cases read (a slice of the server's configuration).
public struct DomainSettings: Sendable, Equatable {
    public var queryLimits: QueryLimits
    /// Items at most in a request's list field (`api.max_list_items`).
    public var maximumListItems: Int
    /// Where extracts, uploads and scratch files live.
    public var dataDirectory: URL
    /// The public base URL, for links in mail.
    public var serverURL: String
    /// Bytes of uploads each user may keep (`uploads.max_bytes_per_user`).
    public var uploadQuotaBytes: Int64
    /// Sources may name hosts on private networks (`sources.allow_private_hosts`).
    public var allowPrivateSourceHosts: Bool
    /// Sign-in with an OpenID provider (Google) and group sync from its directory; nil: not configured.
    public var openID: OpenIDSettings?
    /// How analysts' stacks are made (`stack.auto_membership`; auto by default, as upstream).
    public var stackMode: StackMode

    public init(queryLimits: QueryLimits = QueryLimits(), maximumListItems: Int = 50, dataDirectory: URL, serverURL: String,
                uploadQuotaBytes: Int64 = 1 << 30, allowPrivateSourceHosts: Bool = false, openID: OpenIDSettings? = nil,
                stackMode: StackMode = .auto) {
        self.stackMode = stackMode
        self.allowPrivateSourceHosts = allowPrivateSourceHosts
        self.openID = openID
        self.queryLimits = queryLimits
        self.maximumListItems = maximumListItems
        self.dataDirectory = dataDirectory
        self.serverURL = serverURL
        self.uploadQuotaBytes = uploadQuotaBytes
    }
}

/// Limits on users' queries and scans (`query.*`).
public struct QueryLimits: Sendable, Equatable {
    /// Rows at most (a request's `limit` is clamped to it).
    public var maximumRows = 100_000
    /// Bytes of JSON at most: rows past it are cut off and the answer says `truncated`.
    public var maximumResultBytes = 64 << 20
    /// An answer larger than this is sent as it is read rather than held whole (see `QueryService.answer`).
    public var streamAfterBytes = 1 << 20
    /// Seconds before the query (or scan) is interrupted.
    public var timeoutSeconds = 30
    /// Queries and scans one user may run at once; more wait their turn.
    public var concurrentPerUser = 4
    /// Grant scopes (one DuckDB per distinct set of readable tables) kept at once; the least recently used go first.
    public var grantScopes = 256
    /// Bytes one query may read from the sources of the remote tables it names, as their statistics tell it (upstream's
    /// `bq_max_scan_bytes`, 5 GiB); 0: no limit.
    public var maximumRemoteScanBytes: Int64 = 5 << 30
    /// The query engine's DuckDB `memory_limit` (and each grant scope's), as DuckDB reads it ("2GB", "512MiB").
    public var engineMemoryLimit = "2GB"
    /// The query engine's DuckDB threads (and each grant scope's).
    public var engineThreads = 2

    public init(maximumRows: Int = 100_000, maximumResultBytes: Int = 64 << 20, timeoutSeconds: Int = 30, concurrentPerUser: Int = 4,
                grantScopes: Int = 256, maximumRemoteScanBytes: Int64 = 5 << 30) {
        self.maximumRemoteScanBytes = maximumRemoteScanBytes
        self.maximumRows = maximumRows
        self.maximumResultBytes = maximumResultBytes
        self.timeoutSeconds = timeoutSeconds
        self.concurrentPerUser = concurrentPerUser
        self.grantScopes = grantScopes
    }
}

/// The use cases over one state store and data plane, with the caches they share.
public struct Domain: Sendable {
    public let settings: DomainSettings
    public let state: StateStore
    public let dataPlane: DataPlane
    public let logger: Logger
    /// Delivers invitations, reset and sign-in links.
    public let mailer: any Mailer
    /// Hashes and verifies passwords.
    public let passwords: PasswordHasher
    /// How many queries and scans each user runs at once (`query.max_concurrent_per_user`).
    public let queryConcurrency: CallerConcurrency
    /// Full-text search over corporate memory (DuckDB `fts`).
    public let knowledgeSearch = KnowledgeSearchIndex()
    /// The one knowledge search's index: memory, metrics, glossary, semantic models, tables and columns.
    let knowledgeIndex = FullTextIndex()
    /// When users last asked for the manifest, until the next batch is written.
    public let pullStamps = PullStamps()
    /// The readiness canary's verdict (`/readyz`).
    public let readiness = ReadinessProbe()
    /// What the searchable rows were at the last write (the index is rebuilt when it changes).
    let knowledgeGenerations: StateCache<String>
    /// The parquet slices policied callers download (`<data>/slices`).
    public let slices: PolicySlices
    /// MCP OAuth requests waiting for consent, and codes waiting to be exchanged.
    public let oauthSessions = OAuthSessions()
    /// The OpenID provider users sign in with (nil when none is configured).
    public let openID: OpenIDProvider?
    /// Where users' directory groups come from (nil: no group sync).
    public let directory: (any DirectoryGroupSource)?
    /// Sign-ins waiting for the provider to send the browser back.
    public let signIns = PendingSignIns()
    /// The spools Jira webhooks append to, and the coalesced syncs they ask for.
    public let jiraSpools = JiraSpools()
    public let jiraRefresh = JiraRefresh()
    /// The Jira sources (webhooks look them up for every event), until the next write.
    let jiraSources: StateCache<[DataSource]>
    /// A user's memberships and grants, until the next write to the state database.
    let userAccess: StateCache<UserGrants>
    /// The registry with each table's sync state, until the next write.
    let catalogSnapshots: StateCache<CatalogSnapshot>
    /// Every data package and memory domain, until the next write.
    let packageCatalogs: StateCache<PackageCatalog>
    /// The manifest's entries for every table, until the next write.
    let manifestEntries: StateCache<ManifestService.Entries>
    /// Each caller's manifest body and ETag, until the next write.
    let manifestBodies: StateCache<ManifestService.Body>
    /// Manifest bodies compressed for clients that accept gzip, by ETag, made when first asked for.
    let manifestGzipBodies: StateCache<ManifestService.GzippedBody>
    /// Each reader's memory bundle, until the next write or vote.
    let memoryBundles: StateCache<MemoryBundle>
    let voteGeneration = VoteGeneration()

    public init(settings: DomainSettings, state: StateStore, dataPlane: DataPlane, mailer: any Mailer, passwords: PasswordHasher, logger: Logger,
                directory: (any DirectoryGroupSource)? = nil) {
        self.settings = settings
        openID = settings.openID.map(OpenIDProvider.init(settings:))
        self.directory = directory ?? settings.openID?.directory.map(GoogleDirectory.init(settings:))
        self.state = state
        self.dataPlane = dataPlane
        self.mailer = mailer
        self.passwords = passwords
        self.logger = logger
        queryConcurrency = CallerConcurrency(limit: settings.queryLimits.concurrentPerUser)
        slices = PolicySlices(directory: settings.dataDirectory.appendingPathComponent("slices", isDirectory: true),
                              exclusive: ExclusiveWork(location: state.location))
        userAccess = StateCache(store: state)
        catalogSnapshots = StateCache(store: state, capacity: 1)
        packageCatalogs = StateCache(store: state, capacity: 1)
        knowledgeGenerations = StateCache(store: state, capacity: 1)
        manifestEntries = StateCache(store: state)
        manifestBodies = StateCache(store: state, capacity: 1_000)
        manifestGzipBodies = StateCache(store: state, capacity: 1_000)
        memoryBundles = StateCache(store: state, capacity: 1_000)
        jiraSources = StateCache(store: state, capacity: 1)
    }

    public var access: Access { Access(domain: self) }
    public var policies: Policies { Policies(domain: self) }
    public var catalog: CatalogService { CatalogService(domain: self) }
    public var query: QueryService { QueryService(domain: self) }
    public var manifest: ManifestService { ManifestService(domain: self) }
    public var sync: SyncService { SyncService(domain: self) }
    public var jobs: JobService { JobService(domain: self) }
    public var scans: ScanService { ScanService(domain: self) }
    public var memory: MemoryService { MemoryService(domain: self) }
    public var links: OneTimeLinks { OneTimeLinks(domain: self) }
    public var users: UserAdministration { UserAdministration(domain: self) }
    public var backups: StateBackups { StateBackups(domain: self) }
    public var accessAdmin: AccessAdministration { AccessAdministration(domain: self) }
    public var registry: RegistryService { RegistryService(domain: self) }
    public var sources: SourceService { SourceService(domain: self) }
    public var metrics: MetricService { MetricService(domain: self) }
    public var downloads: DownloadService { DownloadService(domain: self) }
    public var uploads: UploadService { UploadService(domain: self) }
    public var workspace: WorkspaceService { WorkspaceService(domain: self) }
    public var health: HealthService { HealthService(domain: self) }
    public var mcpAuthorization: MCPAuthorization { MCPAuthorization(domain: self) }
    public var openIDSignIn: OpenIDSignIn { OpenIDSignIn(domain: self) }
    public var directoryGroupSync: DirectoryGroupSync { DirectoryGroupSync(domain: self) }
    public var jiraWebhooks: JiraWebhooks { JiraWebhooks(domain: self) }
    public var packages: PackageAdministration { PackageAdministration(domain: self) }
    public var semantic: SemanticLayer { SemanticLayer(domain: self) }
    public var knowledge: KnowledgeSearch { KnowledgeSearch(domain: self) }
    public var usage: UsageReports { UsageReports(domain: self) }
    public var stack: StackService { StackService(domain: self) }

    /// Every registered table (by id) with its sync state (cached until the next write).
    public func catalogSnapshot() async throws -> CatalogSnapshot {
        try await catalogSnapshots.value(for: "all") {
            CatalogSnapshot(tables: try await RegistryRepository(store: state).list().sorted { $0.id < $1.id },
                            states: Dictionary(try await SyncStateRepository(store: state).states().map { ($0.tableId, $0) }, uniquingKeysWith: { $1 }))
        }
    }

    /// Every data package and memory domain, deleted ones too (cached until the next write).
    public func packageCatalog() async throws -> PackageCatalog {
        try await packageCatalogs.value(for: "all") {
            let repository = DataPackagesRepository(store: state)
            return PackageCatalog(packages: try await repository.packages(), domains: try await repository.domains())
        }
    }

    /// A user's memberships, the grants they hold through them and their stack subscriptions (cached until the next
    /// write).
    public func grants(ofUser userId: String) async throws -> UserGrants {
        try await userAccess.value(for: userId) {
            UserGrants(memberships: try await GroupsRepository(store: state).memberships(ofUser: userId),
                       grants: try await GrantsRepository(store: state).grants(forUser: userId),
                       subscriptions: try await StackRepository(store: state).subscriptions(ofUser: userId))
        }
    }
}

/// The registry and the sync state of its tables, read together.
public struct CatalogSnapshot: Sendable {
    /// Sorted by id.
    public var tables: [RegisteredTable]
    public var states: [String: SyncState]

    /// The registered table `id` (a binary search: a download looks its table up on every request).
    public func table(_ id: String) -> RegisteredTable? {
        var (low, high) = (0, tables.count)
        while low < high {
            let middle = (low + high) / 2
            if tables[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low < tables.count && tables[low].id == id ? tables[low] : nil
    }
}

/// A user's memberships, the grants that reach them, and what they subscribed to.
public struct UserGrants: Sendable {
    public var memberships: [UserMembership]
    public var grants: [ResourceGrant]
    public var subscriptions: [StackSubscription]
}

/// Every data package and memory domain, read together.
public struct PackageCatalog: Sendable {
    public var packages: [DataPackage]
    public var domains: [MemoryDomain]
}
