// Where the server listens, and how long and how many connections it keeps.

/// The server's listening address and connection limits.
public struct ServerConfiguration: Sendable, Equatable {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8000

    public var host: String
    public var port: Int
    /// Seconds a client has to send a request's whole head (line and headers) once it starts one; then the connection closes.
    public var headerTimeoutSeconds: Int
    /// Seconds a connection may stay idle (no request, nothing being answered) before it closes.
    public var idleTimeoutSeconds: Int
    /// Connections open at once; past it, new ones wait in the listen backlog until one closes.
    public var maximumConnections: Int

    public init(host: String = ServerConfiguration.defaultHost, port: Int = ServerConfiguration.defaultPort, headerTimeoutSeconds: Int = 10,
                idleTimeoutSeconds: Int = 60, maximumConnections: Int = 1_024) {
        self.host = host
        self.port = port
        self.headerTimeoutSeconds = headerTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maximumConnections = maximumConnections
    }
}

/// A configuration value that cannot be used; the message names the key (or variable, or option) to fix.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case invalid(key: String, value: String, reason: String)
    case missing(key: String, reason: String)
    case unknownKey(key: String, file: String)
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(key, value, reason): "invalid configuration \(key)=\(value): \(reason)"
        case let .missing(key, reason): "missing configuration \(key): \(reason)"
        case let .unknownKey(key, file): "unknown configuration key '\(key)' in \(file) (see docs/configuration.md)"
        case let .unreadable(file, reason): "cannot read configuration file \(file): \(reason)"
        }
    }
}
