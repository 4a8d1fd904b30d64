// Builds the Agnes HTTP application: the request pipeline and routes, ready to run as a service.
import AgnesState
import Foundation
import Hummingbird
import Logging

/// Builds the Agnes server application.
public enum AgnesServerApplication {
    /// The application listening as `configuration` says, serving from `state` (nil only in tests of routes that need
    /// no state). Run it with `runService()`, which stops cleanly on SIGTERM and SIGINT.
    public static func make(configuration: ServerConfiguration, state: StateStore? = nil,
                            logger: Logger = Logger(label: "agnes-server")) -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: RequestPipelineMiddleware())
        HealthRoutes.register(on: router, state: state)
        VersionRoutes.register(on: router, environment: ProcessInfo.processInfo.environment)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "agnes"),
            logger: logger
        )
    }
}
