// Builds the Agnes HTTP application: routes plus the server configuration, ready to run as a service.
import Hummingbird
import Logging

/// Builds the Agnes server application.
public enum AgnesServerApplication {
    /// The application for `configuration`. Run it with `runService()`, which stops cleanly on SIGTERM and SIGINT.
    public static func make(configuration: ServerConfiguration, logger: Logger = Logger(label: "agnes-server")) -> some ApplicationProtocol {
        let router = Router()
        HealthRoutes.register(on: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "agnes"),
            logger: logger
        )
    }
}
