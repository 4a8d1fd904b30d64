// Configuration: precedence of options, environment and instance.yaml; validation naming the key; generated secrets.
import AgnesServer
import AgnesState
import Foundation
import Testing

/// A temporary working directory, removed afterwards.
func withWorkingDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("agnes-config-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

@Suite("configuration")
struct ConfigurationTests {
    let secretA = String(repeating: "a", count: 32)

    @Test("defaults apply when nothing is configured, and secrets are generated")
    func defaults() throws {
        try withWorkingDirectory { directory in
            let configuration = try AgnesConfiguration.load(environment: [:], workingDirectory: directory)
            #expect(configuration.server == ServerConfiguration(host: "127.0.0.1", port: 8000))
            #expect(configuration.serverURL == "http://127.0.0.1:8000")
            #expect(configuration.dataDirectory.path == directory.appendingPathComponent("data").standardizedFileURL.path)
            #expect(configuration.mailerKind == .log && configuration.rateLimitEnabled && !configuration.localDevMode)
            #expect(configuration.bcryptCost == 12)
            #expect(configuration.jwtSecret.count == 64 && configuration.sessionSecret.count == 64)
            #expect(configuration.jwtSecret != configuration.sessionSecret)
        }
    }

    @Test("options win over the environment, which wins over instance.yaml")
    func precedence() throws {
        try withWorkingDirectory { directory in
            try Data("""
                server:
                  host: 10.0.0.1
                  port: 9000
                data_dir: /srv/agnes
                mailer:
                  kind: http
                  url: https://mail.example.com/v3/mail/send
                """.utf8).write(to: directory.appendingPathComponent("instance.yaml"))
            let environment = ["CONFIG_DIR": directory.path, "AGNES_PORT": "9100", "JWT_SECRET_KEY": secretA, "SESSION_SECRET": secretA + "b"]
            let fromFileAndEnvironment = try AgnesConfiguration.load(environment: environment, workingDirectory: directory)
            #expect(fromFileAndEnvironment.server == ServerConfiguration(host: "10.0.0.1", port: 9100))
            #expect(fromFileAndEnvironment.dataDirectory.path == "/srv/agnes")
            #expect(fromFileAndEnvironment.mailerKind == .http)
            #expect(fromFileAndEnvironment.jwtSecret == secretA)
            let withOptions = try AgnesConfiguration.load(environment: environment, overrides: .init(host: "127.0.0.2", port: 7000, dataDirectory: "d"),
                                                         workingDirectory: directory)
            #expect(withOptions.server == ServerConfiguration(host: "127.0.0.2", port: 7000))
            #expect(withOptions.dataDirectory.path == directory.appendingPathComponent("d").standardizedFileURL.path)
        }
    }

    @Test("a bad value names the variable, the file key, or the option it came from")
    func errorsNameTheKey() throws {
        try withWorkingDirectory { directory in
            let fromEnvironment = #expect(throws: ConfigurationError.self) {
                try AgnesConfiguration.load(environment: ["AGNES_PORT": "eighty"], workingDirectory: directory)
            }
            #expect(fromEnvironment?.description.contains("AGNES_PORT=eighty") == true)
            #expect(throws: ConfigurationError.invalid(key: "--port", value: "70000", reason: "must be a port number between 0 and 65535")) {
                try AgnesConfiguration.load(environment: [:], overrides: .init(port: 70_000), workingDirectory: directory)
            }
            let file = directory.appendingPathComponent("instance.yaml")
            try Data("auth:\n  bcrypt_cost: 40\n".utf8).write(to: file)
            let fromFile = #expect(throws: ConfigurationError.self) {
                try AgnesConfiguration.load(configFile: file.path, environment: [:], workingDirectory: directory)
            }
            #expect(fromFile?.description.contains("auth.bcrypt_cost (in \(file.path))=40") == true)
            #expect(throws: ConfigurationError.self) {
                try AgnesConfiguration.load(environment: ["AGNES_AUTH_RATELIMIT_ENABLED": "maybe"], workingDirectory: directory)
            }
            #expect(throws: ConfigurationError.self) { try AgnesConfiguration.load(environment: ["SERVER_URL": "ftp://x"], workingDirectory: directory) }
            // The engine's memory limit is a size DuckDB reads; anything else never reaches a SET.
            for bad in ["lots", "2 parsecs", "-1GB", "1GB; SET enable_external_access=true", ""] where !bad.isEmpty {
                #expect(throws: ConfigurationError.self, "\(bad)") {
                    try AgnesConfiguration.load(environment: ["AGNES_QUERY_MEMORY_LIMIT": bad], workingDirectory: directory)
                }
            }
            let sized = try AgnesConfiguration.load(environment: ["AGNES_QUERY_MEMORY_LIMIT": " 512MiB ", "AGNES_QUERY_THREADS": "1"], workingDirectory: directory)
            #expect(sized.queryLimits.engineMemoryLimit == "512MiB" && sized.queryLimits.engineThreads == 1)
            #expect(try AgnesConfiguration.load(environment: [:], workingDirectory: directory).queryLimits.engineMemoryLimit == "2GB")
            #expect(throws: ConfigurationError.self) { try AgnesConfiguration.load(environment: ["AGNES_QUERY_THREADS": "0"], workingDirectory: directory) }
        }
    }

    @Test("an unknown key, a missing --config file and malformed YAML are refused")
    func badFiles() throws {
        try withWorkingDirectory { directory in
            let file = directory.appendingPathComponent("instance.yaml")
            try Data("server:\n  prot: 80\n".utf8).write(to: file)
            #expect(throws: ConfigurationError.unknownKey(key: "server.prot", file: file.path)) {
                try AgnesConfiguration.load(configFile: file.path, environment: [:], workingDirectory: directory)
            }
            #expect(throws: ConfigurationError.self) { try AgnesConfiguration.load(configFile: "missing.yaml", environment: [:], workingDirectory: directory) }
            try Data("server: [unclosed\n".utf8).write(to: file)
            #expect(throws: ConfigurationError.self) { try AgnesConfiguration.load(configFile: file.path, environment: [:], workingDirectory: directory) }
        }
    }

    @Test("generated secrets are written once with mode 600 and reused")
    func generatedSecrets() throws {
        try withWorkingDirectory { directory in
            let first = try AgnesConfiguration.load(environment: [:], workingDirectory: directory)
            let second = try AgnesConfiguration.load(environment: [:], workingDirectory: directory)
            #expect(first.jwtSecret == second.jwtSecret && first.sessionSecret == second.sessionSecret)
            let file = directory.appendingPathComponent("data/state/secrets/jwt_secret_key").path
            let permissions = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(permissions == 0o600)
        }
    }

    @Test("secrets must be long enough, are never echoed in errors, and are redacted from the description")
    func secretsStaySecret() throws {
        try withWorkingDirectory { directory in
            let error = #expect(throws: ConfigurationError.self) {
                try AgnesConfiguration.load(environment: ["JWT_SECRET_KEY": "hunter2"], workingDirectory: directory)
            }
            #expect(error?.description.contains("JWT_SECRET_KEY") == true)
            #expect(error?.description.contains("hunter2") == false)
            let configuration = try AgnesConfiguration.load(environment: ["JWT_SECRET_KEY": secretA, "SEED_ADMIN_EMAIL": "root@example.com",
                                                                          "SEED_ADMIN_PASSWORD": "correct horse battery"], workingDirectory: directory)
            #expect(!configuration.description.contains(secretA))
            #expect(!configuration.description.contains("correct horse"))
        }
    }

    @Test("a PostgreSQL state URL is parsed without echoing its password and needs the shared secrets; split roles need it")
    func stateOnPostgreSQL() throws {
        try withWorkingDirectory { directory in
            let url = "postgres://agnes:s3cr%40t@db.internal:6432/agnes_state?sslmode=require"
            let missing = #expect(throws: ConfigurationError.self) {
                try AgnesConfiguration.load(environment: ["AGNES_STATE_URL": url], workingDirectory: directory)
            }
            #expect(missing?.description.contains("JWT_SECRET_KEY") == true)
            let shared = ["JWT_SECRET_KEY": secretA, "SESSION_SECRET": secretA]
            let configuration = try AgnesConfiguration.load(environment: shared.merging(["AGNES_STATE_URL": url]) { $1 }, workingDirectory: directory)
            guard case let .postgreSQL(server) = configuration.stateLocation else {
                Issue.record("expected a PostgreSQL state, got \(configuration.stateLocation)")
                return
            }
            #expect(server.host == "db.internal" && server.port == 6432 && server.user == "agnes" && server.database == "agnes_state")
            #expect(server.password == "s3cr@t" && server.tls == .require)
            #expect(!configuration.description.contains("s3cr") && configuration.description.contains("postgres://agnes@db.internal:6432/agnes_state"))
            #expect(configuration.role == .all)
            // Split roles share the state: they need it on PostgreSQL.
            for role in ["api", "worker"] {
                let refused = #expect(throws: ConfigurationError.self) {
                    try AgnesConfiguration.load(environment: ["AGNES_ROLE": role], workingDirectory: directory)
                }
                #expect(refused?.description.contains("AGNES_STATE_URL") == true)
                let split = try AgnesConfiguration.load(environment: shared.merging(["AGNES_STATE_URL": url, "AGNES_ROLE": role]) { $1 },
                                                        workingDirectory: directory)
                #expect(split.role.rawValue == role)
            }
            #expect(throws: ConfigurationError.self) { try AgnesConfiguration.load(environment: ["AGNES_ROLE": "gateway"], workingDirectory: directory) }
            let loopback = try StateLocation.PostgreSQL(url: "postgresql://u@127.0.0.1/db")
            #expect(loopback.tls == .disable && loopback.port == 5432 && loopback.password == nil)
            for bad in ["mysql://u:hunter2@h/db", "postgres://u:hunter2@h", "postgres://u:hunter2@h/db?sslmode=maybe", "postgres://:hunter2@h/db"] {
                let error = #expect(throws: ConfigurationError.self) {
                    try AgnesConfiguration.load(environment: shared.merging(["AGNES_STATE_URL": bad]) { $1 }, workingDirectory: directory)
                }
                #expect(error?.description.contains("AGNES_STATE_URL") == true, "\(bad)")
                #expect(error?.description.contains("hunter2") == false, "\(bad)")
            }
        }
    }

    @Test("the http mailer needs a URL, and the seed admin needs both email and password")
    func dependentSettings() throws {
        try withWorkingDirectory { directory in
            #expect(throws: ConfigurationError.self) { try AgnesConfiguration.load(environment: ["AGNES_MAILER": "http"], workingDirectory: directory) }
            #expect(throws: ConfigurationError.self) { try AgnesConfiguration.load(environment: ["AGNES_MAILER": "pigeon"], workingDirectory: directory) }
            #expect(throws: ConfigurationError.self) { try AgnesConfiguration.load(environment: ["SEED_ADMIN_EMAIL": "a@b.c"], workingDirectory: directory) }
        }
    }

    @Test("docs/configuration.md documents every key and its environment variable")
    func documented() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = try String(contentsOf: root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        for key in ConfigurationKey.all {
            #expect(docs.contains("`\(key.path)`") && docs.contains("`\(key.environment)`"), "\(key.path) is not documented")
        }
    }
}
