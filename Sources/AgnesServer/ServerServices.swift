// Everything the routes share: configuration, the state store and its repositories, the audit writer, token keys,
// password hashing, rate limits, mail and metrics. Built once at startup.
import AgnesCore
import AgnesData
import AgnesDomain
import AgnesState
import AgnesWeb
import Foundation
import Logging

/// The shared services of a running server.
public struct ServerServices: Sendable {
    public let configuration: AgnesConfiguration
    public let state: StateStore
    public let audit: AuditLog
    public let tokens: AccessTokens
    public let passwords: PasswordHasher
    /// Sign-in and other per-client limits (replaced by tests that need a fixed clock).
    public internal(set) var rateLimiter: RateLimiter
    public let mailer: any Mailer
    public let metrics: RequestMetrics
    /// The use cases every surface calls.
    public let domain: Domain
    /// The web UI's pages (templates parsed once).
    let web: WebUI
    public let logger: Logger
    /// The user every request is in `LOCAL_DEV_MODE`.
    public let localDeveloper: User?
    /// Who a token's subject is (and the token's row), until the next write to the state database.
    let credentials: StateCache<StoredCredentials>
    /// When each token was last used (written once a minute per token, without invalidating the caches).
    let tokenUses = TokenUses()
    /// The names MCP clients gave at `initialize`, per credential (for the audit trail).
    let mcpClientNames = MCPClientNames()
    /// The open MCP event streams (the SSE transport).
    let mcpEventStreams = MCPEventStreams()

    /// Syncs, the extracts and the query engine.
    public var dataPlane: DataPlane { domain.dataPlane }
    /// Full-text search over corporate memory (DuckDB `fts`).
    public var knowledgeSearch: KnowledgeSearchIndex { domain.knowledgeSearch }
    /// Reading the audit trail.
    public var auditService: AuditService { AuditService(domain: domain, log: audit) }
    /// Personal access tokens, signed with the server's key.
    public var tokenService: TokenService { TokenService(domain: domain, signer: tokens) }

    public var users: UsersRepository { UsersRepository(store: state) }
    public var groups: GroupsRepository { GroupsRepository(store: state) }
    public var grants: GrantsRepository { GrantsRepository(store: state) }
    public var oneTimeTokens: OneTimeTokensRepository { OneTimeTokensRepository(store: state) }
    public var personalAccessTokens: PersonalAccessTokensRepository { PersonalAccessTokensRepository(store: state) }

    /// Sets the services up over an open state store: starts the audit writer, seeds the admin from
    /// `SEED_ADMIN_EMAIL`/`SEED_ADMIN_PASSWORD` and, in `LOCAL_DEV_MODE`, the development user.
    public static func start(configuration: AgnesConfiguration, state: StateStore, mailer: (any Mailer)? = nil,
                             logger: Logger = Logger(label: "agnes-server")) async throws -> ServerServices {
        let audit = AuditLog(store: state)
        try audit.start()
        let passwords = PasswordHasher(cost: configuration.bcryptCost)
        let mailer: any Mailer = mailer ?? {
            switch configuration.mailerKind {
            case .log: LogMailer(logger: logger)
            case .http: HTTPMailer(url: configuration.mailerURL ?? "", apiKey: configuration.mailerAPIKey, from: configuration.mailerFrom)
            }
        }()
        if configuration.mailerKind == .log {
            logger.notice("mail (invitations, reset and sign-in links) is written to this log, not sent: set AGNES_MAILER=http to deliver it")
        }
        let users = UsersRepository(store: state)
        if let email = configuration.seedAdminEmail, let password = configuration.seedAdminPassword {
            try await seedAdmin(email: email, password: password, users: users, passwords: passwords, state: state, logger: logger)
        }
        var developer: User?
        if configuration.localDevMode {
            logger.warning("LOCAL_DEV_MODE is on: every request is \(Self.localDeveloperEmail) with admin rights. Never use it in production.")
            developer = try await seedUser(email: Self.localDeveloperEmail, name: "Local developer", admin: true, users: users, state: state)
        }
        let dataPlane = DataPlane(state: state, dataDirectory: configuration.dataDirectory,
                                  settings: EngineSettings(memoryLimit: configuration.queryLimits.engineMemoryLimit,
                                                          threads: configuration.queryLimits.engineThreads,
                                                          maximumScopes: configuration.queryLimits.grantScopes,
                                                          lake: configuration.dataLake ? configuration.stateLocation.dataLake(dataDirectory: configuration.dataDirectory) : nil),
                                  logger: logger)
        let removed = ScratchSpace.removeAbandoned(in: configuration.dataDirectory, alone: configuration.stateLocation == .embedded)
        if !removed.isEmpty { logger.info("removed scratch folders of processes that are gone: \(removed.joined(separator: ", "))") }
        if let lake = dataPlane.orchestrator.settings.lake {
            logger.info("data lake: catalog in the state database (schema \(DataLake.metadataSchema)), files in \(lake.dataPath.path)")
        }
        // Extracts are repaired by a process that writes them (on a shared state, several API replicas must not).
        if configuration.role.runsJobs { try await dataPlane.reconcileExtracts() }
        try await dataPlane.rebuild()
        let domain = Domain(settings: DomainSettings(queryLimits: configuration.queryLimits, maximumListItems: configuration.maximumListItems,
                                                     dataDirectory: configuration.dataDirectory, serverURL: configuration.serverURL,
                                                     uploadQuotaBytes: configuration.uploadQuotaBytes,
                                                     allowPrivateSourceHosts: configuration.allowPrivateSourceHosts, openID: configuration.openID,
                                                     stackMode: configuration.stackMode),
                            state: state, dataPlane: dataPlane, mailer: mailer, passwords: passwords, logger: logger)
        let tokens = await AccessTokens(secret: configuration.jwtSecret)
        return ServerServices(configuration: configuration, state: state, audit: audit, tokens: tokens,
                              passwords: passwords, rateLimiter: RateLimiter(enabled: configuration.rateLimitEnabled,
                                                                                        shared: state.dialect == .postgreSQL ? RateLimitRepository(store: state) : nil),
                              mailer: mailer,
                              metrics: RequestMetrics(), domain: domain,
                              web: try WebUI(domain: domain, tokens: TokenService(domain: domain, signer: tokens), auditTrail: AuditService(domain: domain, log: audit)),
                              logger: logger, localDeveloper: developer,
                              credentials: StateCache(store: state))
    }

    /// Every registered table (by id) with its sync state (cached until the next write).
    func catalogSnapshot() async throws -> CatalogSnapshot { try await domain.catalogSnapshot() }

    /// A user's memberships and the grants they hold through them (cached until the next write).
    func grants(ofUser userId: String) async throws -> UserGrants { try await domain.grants(ofUser: userId) }

    /// Stops the audit writer after writing what it holds.
    public func shutdown() async throws {
        try await audit.close()
    }

    static let localDeveloperEmail = "dev@localhost"

    /// The seeded admin exists, is active, is in `Admin`, and has the configured password (set only when the user has
    /// none yet, so a password changed later is not reset at every start).
    private static func seedAdmin(email: String, password: String, users: UsersRepository, passwords: PasswordHasher,
                                  state: StateStore, logger: Logger) async throws {
        let user = try await seedUser(email: email, name: nil, admin: true, users: users, state: state)
        if user.passwordHash == nil {
            try await users.setPasswordHash(id: user.id, try await passwords.hash(password))
            logger.info("seeded admin \(user.email)")
        }
    }

    private static func seedUser(email: String, name: String?, admin: Bool, users: UsersRepository, state: StateStore) async throws -> User {
        let user: User
        if let existing = try await users.find(email: email) {
            user = existing
        } else {
            do { user = try await users.create(email: email, name: name) } catch StateError.conflict {
                user = try await users.find(email: email)!
            }
        }
        if !user.active { try await users.reactivate(id: user.id) }
        if admin, let group = try await GroupsRepository(store: state).find(name: Group.adminName) {
            try await GroupsRepository(store: state).addMember(userId: user.id, groupId: group.id, source: .systemSeed, addedBy: "system:seed")
        }
        return user
    }
}

/// What the state database says about a token's subject: the user with their groups, and the token's row for a PAT.
struct StoredCredentials: Sendable {
    var access: UserAccess?
    var personalAccessToken: PersonalAccessToken?
    /// For an MCP OAuth access token: its pair and client.
    var mcpGrant: (token: OAuthToken, client: OAuthClient)?
}
