// Where the state lives: the embedded DuckDB file under DATA_DIR (the default), or a PostgreSQL database named by
// AGNES_STATE_URL that several server processes share.
import Foundation
import NIOSSL
import PostgresNIO

/// The state database's location.
public enum StateLocation: Sendable, Equatable, CustomStringConvertible {
    /// `DATA_DIR/state/system.duckdb`, held by one process.
    case embedded
    /// A PostgreSQL database.
    case postgreSQL(PostgreSQL)

    /// A PostgreSQL server and database, parsed from `postgres://user:password@host:port/database?sslmode=…`.
    public struct PostgreSQL: Sendable, Equatable, CustomStringConvertible {
        public enum TLSMode: String, Sendable {
            /// No TLS (the default on a loopback address).
            case disable
            /// TLS when the server offers it, without checking its certificate (libpq's default; the default elsewhere).
            case prefer
            /// TLS always, without checking the certificate.
            case require
            /// TLS always, with the certificate checked against the system's roots and the host name.
            case verifyFull = "verify-full"
        }

        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        public var tls: TLSMode

        /// Parses `postgres://` or `postgresql://` URLs; throws `StateError.invalid` naming what is wrong (never the
        /// password).
        public init(url text: String) throws {
            guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
                  scheme == "postgres" || scheme == "postgresql" else {
                throw StateError.invalid("AGNES_STATE_URL must look like postgres://user:password@host:5432/database")
            }
            guard let host = components.host, !host.isEmpty else { throw StateError.invalid("AGNES_STATE_URL names no host") }
            guard let user = components.user, !user.isEmpty else { throw StateError.invalid("AGNES_STATE_URL names no user") }
            let database = String(components.path.drop(while: { $0 == "/" }))
            guard !database.isEmpty, !database.contains("/") else { throw StateError.invalid("AGNES_STATE_URL names no database (…/database)") }
            self.host = host
            self.port = components.port ?? 5432
            self.user = user.removingPercentEncoding ?? user
            self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
            self.database = database.removingPercentEncoding ?? database
            let isLoopback = host == "127.0.0.1" || host == "localhost" || host == "::1"
            let mode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? (isLoopback ? "disable" : "prefer")
            guard let tls = TLSMode(rawValue: mode) else {
                throw StateError.invalid("AGNES_STATE_URL: sslmode must be disable, prefer, require or verify-full, not \(mode)")
            }
            self.tls = tls
        }

        /// The same connection in libpq's keyword/value form (`host=… port=… dbname=…`), for DuckDB's postgres and
        /// DuckLake extensions. Holds the password: never log it.
        public var libpqConnectionString: String {
            var pairs = [("host", host), ("port", String(port)), ("user", user), ("dbname", database), ("sslmode", tls.rawValue)]
            if let password { pairs.append(("password", password)) }
            // Values are single-quoted, with quotes and backslashes escaped.
            return pairs.map { key, value in
                "\(key)='" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
            }.joined(separator: " ")
        }

        /// The URL without its password, for logs and status output.
        public var description: String { "postgres://\(user)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)" }

        func configuration() throws -> PostgresConnection.Configuration {
            var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                                 database: database, tls: try tlsConfiguration())
            configuration.options.connectTimeout = .seconds(10)
            return configuration
        }

        private func tlsConfiguration() throws -> PostgresConnection.Configuration.TLS {
            switch tls {
            case .disable: return .disable
            case .prefer, .require:
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .none
                let context = try NIOSSLContext(configuration: settings)
                return tls == .prefer ? .prefer(context) : .require(context)
            case .verifyFull:
                return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        }
    }

    /// "embedded", or the PostgreSQL URL without its password.
    public var description: String {
        switch self {
        case .embedded: "embedded"
        case let .postgreSQL(server): server.description
        }
    }

    /// `AGNES_STATE_URL` when set, else the embedded database.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> StateLocation {
        guard let url = environment["AGNES_STATE_URL"], !url.isEmpty else { return .embedded }
        return .postgreSQL(try PostgreSQL(url: url))
    }
}
