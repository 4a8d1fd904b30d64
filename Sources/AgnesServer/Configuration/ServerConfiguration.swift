// Where the server listens.

/// The server's listening address.
public struct ServerConfiguration: Sendable, Equatable {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8000

    public var host: String
    public var port: Int

    public init(host: String = ServerConfiguration.defaultHost, port: Int = ServerConfiguration.defaultPort) {
        self.host = host
        self.port = port
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
