// Where the server listens, resolved from command-line options and environment variables.
import AgnesCore

/// The server's listening address. Command-line options win over `AGNES_HOST` / `AGNES_PORT`, which win over the
/// defaults (`127.0.0.1:8000`).
public struct ServerConfiguration: Sendable, Equatable {
    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8000

    public var host: String
    public var port: Int

    public init(host: String = ServerConfiguration.defaultHost, port: Int = ServerConfiguration.defaultPort) {
        self.host = host
        self.port = port
    }

    /// Resolves the address from explicit options, then the environment, then the defaults.
    public static func resolve(host: String?, port: Int?, environment: [String: String]) throws -> ServerConfiguration {
        let resolvedHost = host ?? environment["AGNES_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultHost
        let resolvedPort: Int
        if let port {
            resolvedPort = port
        } else if let text = environment["AGNES_PORT"], !text.isEmpty {
            guard let value = Int(text) else {
                throw ConfigurationError.invalid(key: "AGNES_PORT", value: text, reason: "must be a port number between 0 and 65535")
            }
            resolvedPort = value
        } else {
            resolvedPort = defaultPort
        }
        guard (0...65_535).contains(resolvedPort) else {
            throw ConfigurationError.invalid(key: port == nil ? "AGNES_PORT" : "--port", value: String(resolvedPort),
                                             reason: "must be a port number between 0 and 65535")
        }
        return ServerConfiguration(host: resolvedHost, port: resolvedPort)
    }
}

/// A configuration value that cannot be used; the message names the key so the operator knows what to fix.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case invalid(key: String, value: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(key, value, reason): "invalid configuration \(key)=\(value): \(reason)"
        }
    }
}
