// The resolved configuration of agnes-server: command-line options, then environment variables, then
// instance.yaml, then defaults — validated, with errors that name the key to fix.
import AgnesAPI
import AgnesDomain
import AgnesMCP
import AgnesState
import Foundation
import Yams

/// How mail (password links, magic links) is delivered.
public enum MailerKind: String, Sendable, CaseIterable {
    /// Print the message (and its link) to the log; the default, for development.
    case log
    /// POST a SendGrid-compatible JSON message to `mailer.url`.
    case http
}

/// Everything agnes-server needs to start. Secrets are redacted from `description`.
public struct AgnesConfiguration: Sendable, Equatable, CustomStringConvertible {
    public var server: ServerConfiguration
    /// The public base URL (for links in mail); defaults to `http://host:port`.
    public var serverURL: String
    public var dataDirectory: URL
    /// Where the state lives: the embedded DuckDB file under `dataDirectory`, or PostgreSQL (`state.url`).
    public var stateLocation: StateLocation = .embedded
    /// Which background work this process runs (`deployment.role`).
    public var role: ServerRole = .all
    /// How long a worker's claim on a job lasts without renewal (`jobs.lease_seconds`): a dead worker's job is claimed
    /// again after it.
    public var jobLeaseSeconds = 30
    /// Whether synced tables are also written to DuckLake and read from it at their recorded version (`data.lake`;
    /// needs the state on PostgreSQL, which holds the lake's catalog).
    public var dataLake = false
    public var jwtSecret: String
    public var sessionSecret: String
    public var seedAdminEmail: String?
    public var seedAdminPassword: String?
    public var schedulerToken: String?
    public var rateLimitEnabled: Bool
    /// Take the client address from `X-Forwarded-For` (set only behind a proxy that writes it).
    public var trustForwardedFor: Bool
    public var bcryptCost: Int
    public var localDevMode: Bool
    /// Run the in-process scheduler (`AGNES_SCHEDULER=off` for deployments that trigger syncs over HTTP).
    public var schedulerEnabled: Bool
    public var mailerKind: MailerKind
    public var mailerURL: String?
    public var mailerAPIKey: String?
    public var mailerFrom: String
    /// Whether source connection tests may reach loopback, private and link-local hosts.
    public var allowPrivateSourceHosts = false
    /// How analysts' stacks are made (`stack.auto_membership`, true: auto).
    public var stackMode: StackMode = .auto
    /// Caps of `POST /api/query`.
    public var queryLimits: QueryLimits = QueryLimits()
    /// Bytes of uploads (session transcripts and notes) one user may keep on the server.
    public var uploadQuotaBytes: Int64 = 1 << 30
    /// Items at most in a list field of a request body (a memory item's tags, a metric's synonyms …).
    public var maximumListItems = 50
    /// Caps of MCP tool results (`mcp.*`).
    public var mcpCaps = ToolCaps()
    /// Sign-in with Google and group sync (`auth.google.*`); nil when not configured.
    public var openID: OpenIDSettings?

    /// Values given on the command line, which win over everything else.
    public struct Overrides: Sendable, Equatable {
        public var host: String?
        public var port: Int?
        public var dataDirectory: String?
        public var role: ServerRole?
        public init(host: String? = nil, port: Int? = nil, dataDirectory: String? = nil, role: ServerRole? = nil) {
            self.host = host
            self.port = port
            self.dataDirectory = dataDirectory
            self.role = role
        }
    }

    /// Resolves the configuration. `configFile` (from `--config`) must exist when given; otherwise
    /// `$CONFIG_DIR/instance.yaml` is read when present. Secrets not configured are generated once into
    /// `DATA_DIR/state/secrets/` (mode 600) and reused afterwards.
    public static func load(configFile: String? = nil, environment: [String: String], overrides: Overrides = Overrides(),
                            workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> AgnesConfiguration {
        let file = try InstanceFile.locate(configFile: configFile, environment: environment, workingDirectory: workingDirectory)
        let values = try file.map(InstanceFile.read) ?? [:]
        let resolver = Resolver(environment: environment, file: values, fileName: file?.path)

        let host = overrides.host ?? resolver.string(.host) ?? ServerConfiguration.defaultHost
        guard !host.isEmpty else { throw ConfigurationError.invalid(key: resolver.source(.host), value: host, reason: "must not be empty") }
        let port: Int
        if let given = overrides.port {
            guard (0...65_535).contains(given) else {
                throw ConfigurationError.invalid(key: "--port", value: String(given), reason: "must be a port number between 0 and 65535")
            }
            port = given
        } else {
            port = try resolver.int(.port, range: 0...65_535, reason: "must be a port number between 0 and 65535") ?? ServerConfiguration.defaultPort
        }
        let serverURL = resolver.string(.serverURL) ?? "http://\(host):\(port)"
        guard let url = URL(string: serverURL), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ConfigurationError.invalid(key: resolver.source(.serverURL), value: serverURL, reason: "must be an http(s) URL")
        }
        let dataDirectory = try Self.dataDirectory(configFile: configFile, environment: environment, override: overrides.dataDirectory,
                                                   workingDirectory: workingDirectory)

        let mailerKindText = resolver.string(.mailerKind) ?? MailerKind.log.rawValue
        guard let mailerKind = MailerKind(rawValue: mailerKindText) else {
            throw ConfigurationError.invalid(key: resolver.source(.mailerKind), value: mailerKindText,
                                             reason: "must be one of \(MailerKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let mailerURL = resolver.string(.mailerURL)
        if mailerKind == .http {
            guard let mailerURL else { throw ConfigurationError.missing(key: resolver.source(.mailerURL), reason: "the http mailer needs a URL") }
            guard let parsed = URL(string: mailerURL), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ConfigurationError.invalid(key: resolver.source(.mailerURL), value: mailerURL, reason: "must be an http(s) URL")
            }
        }
        let seedEmail = resolver.string(.seedAdminEmail)
        let seedPassword = resolver.string(.seedAdminPassword)
        if (seedEmail == nil) != (seedPassword == nil) {
            throw ConfigurationError.missing(key: seedEmail == nil ? resolver.source(.seedAdminEmail) : resolver.source(.seedAdminPassword),
                                             reason: "SEED_ADMIN_EMAIL and SEED_ADMIN_PASSWORD are given together")
        }
        if let seedEmail, !seedEmail.contains("@") {
            throw ConfigurationError.invalid(key: resolver.source(.seedAdminEmail), value: seedEmail, reason: "must be an email address")
        }

        let stateLocation = try Self.stateLocation(resolver)
        let role = try overrides.role ?? resolver.string(.role).map { text in
            guard let role = ServerRole(rawValue: text) else {
                throw ConfigurationError.invalid(key: resolver.source(.role), value: text,
                                                 reason: "must be one of \(ServerRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return role
        } ?? .all
        if role != .all, stateLocation == .embedded {
            throw ConfigurationError.missing(key: ConfigurationKey.stateURL.environment,
                                             reason: "the \(role.rawValue) role shares its state with other processes, which needs the state on PostgreSQL")
        }
        let dataLake = try resolver.bool(.dataLake) ?? false
        if dataLake, stateLocation == .embedded {
            throw ConfigurationError.missing(key: ConfigurationKey.stateURL.environment,
                                             reason: "\(ConfigurationKey.dataLake.environment) keeps the lake's catalog in the state's PostgreSQL database")
        }
        if case .postgreSQL = stateLocation {
            // Processes sharing the state must sign and check sessions with the same keys: a key generated into one
            // DATA_DIR would log users out whenever another process answered.
            for key in [ConfigurationKey.jwtSecret, .sessionSecret] where resolver.string(key) == nil {
                throw ConfigurationError.missing(key: key.environment, reason: "state on PostgreSQL is shared by several processes, which must all "
                                                 + "be given the same \(key.environment) (at least 32 characters)")
            }
        }
        let secrets = SecretStore(directory: dataDirectory.appendingPathComponent("state/secrets"))
        let jwtSecret = try resolver.secret(.jwtSecret) ?? secrets.value(named: "jwt_secret_key")
        let sessionSecret = try resolver.secret(.sessionSecret) ?? secrets.value(named: "session_secret")

        var configuration = AgnesConfiguration(
            server: ServerConfiguration(
                host: host, port: port,
                headerTimeoutSeconds: try resolver.int(.headerTimeoutSeconds, range: 1...3600, reason: "must be between 1 and 3600 seconds") ?? 10,
                idleTimeoutSeconds: try resolver.int(.idleTimeoutSeconds, range: 1...86_400, reason: "must be between 1 and 86400 seconds") ?? 60,
                maximumConnections: try resolver.int(.maximumConnections, range: 64...1_000_000, reason: "must be between 64 and 1000000") ?? 1_024),
            serverURL: serverURL, dataDirectory: dataDirectory,
            jwtSecret: jwtSecret, sessionSecret: sessionSecret, seedAdminEmail: seedEmail, seedAdminPassword: seedPassword,
            schedulerToken: try resolver.secret(.schedulerToken),
            rateLimitEnabled: try resolver.bool(.rateLimitEnabled) ?? true,
            trustForwardedFor: try resolver.bool(.trustForwardedFor) ?? false,
            bcryptCost: try resolver.int(.bcryptCost, range: 4...16, reason: "must be a bcrypt cost between 4 and 16") ?? 12,
            localDevMode: try resolver.bool(.localDevMode) ?? false,
            schedulerEnabled: try resolver.bool(.scheduler) ?? true,
            mailerKind: mailerKind, mailerURL: mailerURL, mailerAPIKey: resolver.string(.mailerAPIKey),
            mailerFrom: resolver.string(.mailerFrom) ?? "agnes@localhost",
            allowPrivateSourceHosts: try resolver.bool(.allowPrivateSourceHosts) ?? false,
            stackMode: try resolver.bool(.stackAutoMembership) ?? true ? .auto : .classic,
            queryLimits: QueryLimits(
                maximumRows: try resolver.int(.queryMaxRows, range: 1...10_000_000, reason: "must be between 1 and 10000000") ?? QueryLimits().maximumRows,
                maximumResultBytes: try resolver.int(.queryMaxResultBytes, range: 1024...(1 << 34), reason: "must be between 1024 and 17179869184")
                    ?? QueryLimits().maximumResultBytes,
                timeoutSeconds: try resolver.int(.queryTimeoutSeconds, range: 1...3600, reason: "must be between 1 and 3600 seconds")
                    ?? QueryLimits().timeoutSeconds,
                concurrentPerUser: try resolver.int(.queryConcurrentPerUser, range: 1...1024, reason: "must be between 1 and 1024")
                    ?? QueryLimits().concurrentPerUser,
                grantScopes: try resolver.int(.queryGrantScopes, range: 1...65536, reason: "must be between 1 and 65536")
                    ?? QueryLimits().grantScopes,
                maximumRemoteScanBytes: Int64(try resolver.int(.queryRemoteMaxScanBytes, range: 0...(1 << 50),
                                                               reason: "must be a number of bytes (0: no limit)")
                    ?? Int(QueryLimits().maximumRemoteScanBytes))),
            uploadQuotaBytes: Int64(try resolver.int(.uploadQuotaBytes, range: 1...(1 << 50), reason: "must be a positive number of bytes") ?? (1 << 30)),
            maximumListItems: try resolver.int(.maximumListItems, range: 1...100_000, reason: "must be between 1 and 100000") ?? 50)
        configuration.queryLimits.engineMemoryLimit = try resolver.byteSize(.queryMemoryLimit) ?? configuration.queryLimits.engineMemoryLimit
        configuration.stateLocation = stateLocation
        configuration.role = role
        configuration.dataLake = dataLake
        configuration.jobLeaseSeconds = try resolver.int(.jobLeaseSeconds, range: 3...3_600, reason: "must be between 3 and 3600 seconds") ?? 30
        configuration.queryLimits.streamAfterBytes = try resolver.int(.queryStreamAfterBytes, range: 4096...(1 << 34),
                                                                      reason: "must be a number of bytes of at least 4096")
            ?? configuration.queryLimits.streamAfterBytes
        configuration.queryLimits.engineThreads = try resolver.int(.queryThreads, range: 1...256, reason: "must be between 1 and 256")
            ?? configuration.queryLimits.engineThreads
        configuration.mcpCaps.maximumRows = try resolver.int(.mcpMaxRows, range: 1...1_000_000, reason: "must be between 1 and 1000000")
            ?? configuration.mcpCaps.maximumRows
        configuration.mcpCaps.defaultRows = min(configuration.mcpCaps.defaultRows, configuration.mcpCaps.maximumRows)
        configuration.mcpCaps.maximumCharacters = try resolver.int(.mcpMaxOutputCharacters, range: 0...(1 << 30),
                                                                   reason: "must be a number of characters (0: no cap)")
            ?? configuration.mcpCaps.maximumCharacters
        configuration.openID = try openID(resolver, serverURL: serverURL)
        return configuration
    }

    /// Only the data directory (for maintenance commands, which need no secrets): `--data-dir`, `DATA_DIR`,
    /// `data_dir` in the configuration file, or `./data`.
    /// Only the state's location (for maintenance commands, which work on the embedded database).
    public static func stateLocation(configFile: String? = nil, environment: [String: String],
                                     workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> StateLocation {
        let file = try InstanceFile.locate(configFile: configFile, environment: environment, workingDirectory: workingDirectory)
        return try stateLocation(Resolver(environment: environment, file: try file.map(InstanceFile.read) ?? [:], fileName: file?.path))
    }

    public static func dataDirectory(configFile: String? = nil, environment: [String: String], override: String? = nil,
                                     workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> URL {
        let file = try InstanceFile.locate(configFile: configFile, environment: environment, workingDirectory: workingDirectory)
        let resolver = Resolver(environment: environment, file: try file.map(InstanceFile.read) ?? [:], fileName: file?.path)
        return resolve(override ?? resolver.string(.dataDirectory) ?? "data", against: workingDirectory)
    }

    /// `state.url` parsed; an error names the key but never echoes the URL (it holds a password).
    private static func stateLocation(_ resolver: Resolver) throws -> StateLocation {
        guard let url = resolver.string(.stateURL) else { return .embedded }
        do {
            return .postgreSQL(try StateLocation.PostgreSQL(url: url))
        } catch let error as StateError {
            throw ConfigurationError.invalid(key: resolver.source(.stateURL), value: "<redacted>", reason: error.description)
        }
    }

    public var description: String {
        "server=\(server.host):\(server.port) url=\(serverURL) data_dir=\(dataDirectory.path) state=\(stateLocation) role=\(role.rawValue) data_lake=\(dataLake) mailer=\(mailerKind.rawValue) "
            + "rate_limit=\(rateLimitEnabled) local_dev_mode=\(localDevMode) bcrypt_cost=\(bcryptCost) "
            + "seed_admin=\(seedAdminEmail ?? "none") scheduler_token=\(schedulerToken == nil ? "unset" : "set") "
            + "google_sign_in=\(openID == nil ? "off" : openID?.directory == nil ? "on" : "on+group_sync") secrets=redacted"
    }
}

/// Looks a setting up in the environment, then the file, and says where a bad value came from.
struct Resolver {
    let environment: [String: String]
    let file: [String: String]
    let fileName: String?

    /// The raw value, environment first; empty environment values count as unset.
    func string(_ key: ConfigurationKey) -> String? {
        if let value = environment[key.environment], !value.isEmpty { return value }
        return file[key.path]
    }

    /// The name to put in an error: the environment variable, or the key in the file.
    func source(_ key: ConfigurationKey) -> String {
        if let value = environment[key.environment], !value.isEmpty { return key.environment }
        if file[key.path] != nil { return "\(key.path) (in \(fileName ?? "instance.yaml"))" }
        return key.environment
    }

    func int(_ key: ConfigurationKey, range: ClosedRange<Int>, reason: String) throws -> Int? {
        guard let text = string(key) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw ConfigurationError.invalid(key: source(key), value: text, reason: reason)
        }
        return value
    }

    /// A size as DuckDB reads a `memory_limit`: a number and a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB).
    func byteSize(_ key: ConfigurationKey) throws -> String? {
        guard let text = string(key)?.trimmingCharacters(in: .whitespaces) else { return nil }
        let units = ["B", "KB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"]
        let number = text.prefix { $0.isNumber || $0 == "." }
        let unit = text.dropFirst(number.count).trimmingCharacters(in: .whitespaces)
        guard let value = Double(number), value > 0, units.contains(where: { $0.caseInsensitiveCompare(unit) == .orderedSame }) else {
            throw ConfigurationError.invalid(key: source(key), value: text, reason: "must be a size such as 2GB or 512MiB")
        }
        return "\(number)\(unit)"
    }

    func bool(_ key: ConfigurationKey) throws -> Bool? {
        guard let text = string(key) else { return nil }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError.invalid(key: source(key), value: text, reason: "must be true or false")
        }
    }

    /// A secret: at least 32 characters, and never echoed back in an error.
    func secret(_ key: ConfigurationKey) throws -> String? {
        guard let value = string(key) else { return nil }
        guard value.count >= 32 || key == .schedulerToken && value.count >= 16 else {
            throw ConfigurationError.invalid(key: source(key), value: "<redacted, \(value.count) characters>",
                                             reason: "must be at least \(key == .schedulerToken ? 16 : 32) characters long")
        }
        return value
    }
}

/// Reading `instance.yaml` into dotted keys, refusing keys Agnes does not know.
enum InstanceFile {
    static func locate(configFile: String?, environment: [String: String], workingDirectory: URL) throws -> URL? {
        if let configFile {
            let url = resolve(configFile, against: workingDirectory)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw ConfigurationError.unreadable(file: url.path, reason: "no such file (given with --config)")
            }
            return url
        }
        guard let directory = environment["CONFIG_DIR"], !directory.isEmpty else { return nil }
        let url = resolve(directory, against: workingDirectory).appendingPathComponent("instance.yaml")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    static func read(_ url: URL) throws -> [String: String] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ConfigurationError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch {
            throw ConfigurationError.unreadable(file: url.path, reason: "not valid YAML: \(error)")
        }
        guard let root else { return [:] }
        guard let mapping = root as? [String: Any] else {
            throw ConfigurationError.unreadable(file: url.path, reason: "the top level must be a mapping of keys")
        }
        var values: [String: String] = [:]
        try flatten(mapping, prefix: "", into: &values, file: url.path)
        let known = Set(ConfigurationKey.all.map(\.path))
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            throw ConfigurationError.unknownKey(key: unknown, file: url.path)
        }
        return values
    }

    private static func flatten(_ mapping: [String: Any], prefix: String, into values: inout [String: String], file: String) throws {
        for (key, value) in mapping {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            switch value {
            case let nested as [String: Any]: try flatten(nested, prefix: path, into: &values, file: file)
            case is NSNull: continue
            case let text as String: values[path] = text
            case let flag as Bool: values[path] = flag ? "true" : "false"
            case let number as Int: values[path] = String(number)
            case let number as Double: values[path] = String(number)
            default: throw ConfigurationError.invalid(key: "\(path) (in \(file))", value: String(describing: value), reason: "must be a single value")
            }
        }
    }
}

/// `path` as an absolute file URL: as given when absolute, else inside `directory`.
func resolve(_ path: String, against directory: URL) -> URL {
    let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
    return url.standardizedFileURL
}
