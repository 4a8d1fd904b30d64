// Builds the Agnes HTTP application: the request pipeline and every route, ready to run as a service.
import AgnesCore
import AgnesDomain
import AgnesState
import Foundation
import Hummingbird
import HummingbirdCore
import Logging

/// Builds the Agnes server application.
public enum AgnesServerApplication {
    /// The application listening as `services.configuration.server` says. Run it with `runService()`, which stops
    /// cleanly on SIGTERM and SIGINT.
    public static func make(services: ServerServices) -> some ApplicationProtocol {
        let server = services.configuration.server
        return Application(
            router: makeRouter(services: services),
            server: .http1(configuration: .init(
                additionalChannelHandlers: [RequestHeadGuard(headerTimeout: .seconds(Int64(server.headerTimeoutSeconds))), SendfileInstaller(),
                                            ClientDisconnectWatcher()],
                idleTimeout: .seconds(Int64(server.idleTimeoutSeconds)))),
            configuration: .init(address: .hostname(server.host, port: server.port), serverName: "agnes",
                                 availableConnectionsDelegate: MaximumAvailableConnections(server.maximumConnections, logger: services.logger)),
            // What the start freed (the engine's rebuild, the templates, the API description) goes back to the system.
            onServerRunning: { _ in FreedMemory.release() },
            logger: services.logger
        )
    }

    /// Serves until SIGTERM or SIGINT, with the in-process scheduler running beside the server when it is enabled, the
    /// directory's group sync on its own schedule when it is configured, the readiness canary, and the batches of pull
    /// stamps.
    ///
    /// What else runs depends on the role (docs/scale-out.md): the job worker in `all` and `worker`; the scheduler
    /// there too — in-process on an embedded state, elected among the processes of a shared one (it then queues jobs);
    /// and on a shared state, a follower that rebuilds the engine when another process changed the tables.
    public static func run(services: ServerServices) async throws {
        let configuration = services.configuration, domain = services.domain
        let shared = services.state.location != .embedded
        var background: [Task<Void, Never>] = []
        var lease: LeaderLease?
        if configuration.role.runsJobs {
            let worker = JobWorker(domain: domain, lease: .seconds(configuration.jobLeaseSeconds))
            background.append(Task { await worker.run() })
        }
        if configuration.schedulerEnabled && configuration.role.schedules {
            if shared {
                let schedulerLease = LeaderLease(store: services.state, key: LeaderLease.schedulerKey, logger: services.logger)
                lease = schedulerLease
                background.append(Task { await domain.jobs.scheduleDueSyncs(lease: schedulerLease) })
            } else {
                background.append(Task { await services.dataPlane.runScheduler() })
            }
        }
        if shared { background.append(Task { await services.dataPlane.followSharedState() }) }
        if domain.directory != nil { background.append(Task { await domain.directoryGroupSync.runSchedule() }) }
        background.append(Task { await domain.readiness.run(services.state) })
        background.append(Task { await domain.pullStamps.run(state: services.state) })
        var failure: (any Error)?
        do { try await make(services: services).runService() } catch { failure = error }
        background.forEach { $0.cancel() }
        await lease?.stop()
        if let failure { throw failure }
    }

    /// Creates the demo dataset when the data directory holds no tables and no data sources yet.
    public static func seedDemo(_ services: ServerServices) async throws {
        try await DemoDataset.seedIfEmpty(services.domain)
    }

    /// Every route of the API, behind the request pipeline.
    public static func makeRouter(services: ServerServices, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Router<AgnesRequestContext> {
        let router = Router(context: AgnesRequestContext.self)
        router.add(middleware: RequestPipelineMiddleware(metrics: services.metrics, audit: services.audit,
                                                         trustForwardedFor: services.configuration.trustForwardedFor))
        HealthRoutes.register(on: router, state: services.state, readiness: services.domain.readiness, environment: environment)
        MetricsRoutes.register(on: router, metrics: services.metrics)
        OpenAPIRoutes.register(on: router)
        AuthRoutes(services: services).register(on: router)
        PasswordRoutes(services: services).register(on: router)
        MagicLinkRoutes(services: services).register(on: router)
        GoogleSignInRoutes(services: services).register(on: router)
        JiraWebhookRoutes(services: services).register(on: router)
        SyncRoutes.registerStatus(on: router, services: services)

        let mcpRoutes = MCPRoutes(services: services, clientNames: services.mcpClientNames)
        mcpRoutes.register(on: router)
        MCPEventStreamRoutes(services: services, routes: mcpRoutes).register(on: router)
        MCPOAuthRoutes(services: services).register(on: router)
        let authenticated = router.group().add(middleware: AuthenticationMiddleware(authenticator: Authenticator(services: services)))
            .add(middleware: AdministratorGate())
        HealthRoutes.registerDetailed(on: authenticated, services: services, environment: environment)
        TokenRoutes(services: services).register(on: authenticated)
        UserRoutes(services: services).register(on: authenticated)
        GroupRoutes(services: services).register(on: authenticated)
        GrantRoutes(services: services).register(on: authenticated)
        AccessRoutes(services: services).register(on: authenticated)
        AuditRoutes(services: services).register(on: authenticated)
        BackupRoutes(services: services).register(on: authenticated)
        SourceRoutes(services: services).register(on: authenticated)
        SourceConnectionRoutes(services: services).register(on: authenticated)
        RegistryRoutes(services: services).register(on: authenticated)
        SyncRoutes(services: services).register(on: authenticated)
        DownloadRoutes(services: services).register(on: authenticated)
        CatalogRoutes(services: services).register(on: authenticated)
        QueryRoutes(services: services).register(on: authenticated)
        WelcomeRoutes(services: services).register(on: authenticated)
        UploadRoutes(services: services).register(on: authenticated)
        JobRoutes(services: services).register(on: authenticated)
        MemoryRoutes(services: services).register(on: authenticated)
        MetricRoutes(services: services).register(on: authenticated)
        DataPackageRoutes(services: services).register(on: authenticated)
        StackRoutes(services: services).register(on: authenticated)
        SemanticRoutes(services: services).register(on: authenticated)
        MCPClientRoutes(services: services).register(on: authenticated)
        WebPages(services: services, web: services.web).register(on: router)
        return router
    }
}
