// Signing in and out: `agnes login`, `logout`, `whoami`, and `agnes auth login|logout|whoami|import-token`.
import AgnesAPI
import AgnesClient
import ArgumentParser
import Foundation

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Sign in with your email and password and keep the token (mode 600).",
        discussion: """
            The password is read from $AGNES_PASSWORD, from standard input with --password-stdin, or asked for on the terminal.
            Example: agnes login --server https://agnes.example.com --email ana@example.com
            """)

    @Option(help: "The server's URL (kept in config.yaml; default: $AGNES_SERVER, config.yaml, http://localhost:8000).") var server: String?
    @Option(help: "Your email address.") var email: String
    @Flag(help: "Read the password from standard input.") var passwordStdin = false

    func run() async throws {
        try await reporting { try await execute() }
    }

    func execute() async throws {
        var (settings, _) = try clientSettings(requireToken: false)
        if let server { settings.serverURL = ClientSettings.load(environment: ["AGNES_SERVER": server]).serverURL }
        let password: String
        if let value = ProcessInfo.processInfo.environment["AGNES_PASSWORD"] {
            password = value
        } else if passwordStdin {
            password = (readLine(strippingNewline: true) ?? "")
        } else if let typed = getpass("Password for \(email): ") {
            password = String(cString: typed)
        } else {
            throw ClientError(.usage, "no password given")
        }
        let api = APIClient(baseURL: settings.serverURL, token: nil)
        let token = try await api.signIn(email: email, password: password).accessToken
        if server != nil { try settings.saveServer(settings.serverURL) }
        try settings.saveToken(token, email: email)
        print("Signed in to \(settings.serverURL) as \(email).")
    }
}

struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Forget the stored token.",
            discussion: "Example: agnes logout")

    func run() async throws {
        try await reporting { try await execute() }
    }

    func execute() async throws {
        let removed = try ClientSettings.load().removeToken()
        print(removed ? "Signed out." : "Not signed in.")
    }
}

struct WhoAmICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Who the server says you are: email, role, groups, tables you can see.",
            discussion: "Example: agnes whoami --json")

    @Flag(help: "Print JSON.") var json = false

    struct Identity: Encodable {
        let server: String
        let email: String
        let isAdmin: Bool
        let groups: [String]
        let tables: Int
        enum CodingKeys: String, CodingKey {
            case server, email, groups, tables
            case isAdmin = "is_admin"
        }
    }

    func run() async throws {
        try await reporting { try await execute() }
    }

    func execute() async throws {
        let (settings, api) = try clientSettings()
        let access = try await api.myEffectiveAccess()
        let tables = try await api.catalogTables().count
        let identity = Identity(server: settings.serverURL, email: access.email, isAdmin: access.isAdmin, groups: access.groups.map(\.groupName).sorted(),
                                tables: tables)
        if json { return try printJSON(identity) }
        print("\(identity.email)\(identity.isAdmin ? " (admin)" : "") on \(identity.server)")
        print("groups: \(identity.groups.isEmpty ? "none" : identity.groups.joined(separator: ", "))")
        print("tables you can see: \(identity.tables)")
    }
}

struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth", abstract: "Sign in, out, and manage the stored token.",
            discussion: "Example: agnes auth login --server https://agnes.example.com --email ana@example.com · agnes auth token create --name laptop",
        subcommands: [LoginCommand.self, LogoutCommand.self, WhoAmICommand.self, ImportTokenCommand.self, TokenCommand.self])
}

struct ImportTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-token", abstract: "Keep a personal access token made elsewhere (checked with the server first).",
        discussion: "Example: agnes auth import-token --server https://agnes.example.com --token \"$PAT\"")

    @Option(help: "The token (a personal access token).") var token: String
    @Option(help: "The server's URL (kept in config.yaml).") var server: String?

    func run() async throws {
        try await reporting { try await execute() }
    }

    func execute() async throws {
        var settings = ClientSettings.load()
        if let server { settings.serverURL = ClientSettings.load(environment: ["AGNES_SERVER": server]).serverURL }
        let email = try await APIClient(baseURL: settings.serverURL, token: token).myEffectiveAccess().email
        if server != nil { try settings.saveServer(settings.serverURL) }
        try settings.saveToken(token, email: email)
        print("Token saved for \(email) on \(settings.serverURL).")
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Your personal access tokens (for `agnes init`, scripts and agents).",
        discussion: """
            Creating a token needs a password sign-in (`agnes login`), not a token. The token is shown once.
            Examples: agnes auth token create --name laptop --ttl 30d · agnes auth token list · agnes auth token revoke laptop
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a token; it is printed once.",
            discussion: "Example: agnes auth token create --name laptop --ttl 30d")
        @Option(help: "A name to recognize it by.") var name: String
        @Option(help: "Lifetime: <n>d, or never (administrators only).") var ttl = "90d"
        @Flag(help: "Print only the token.") var raw = false
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let days: Int?
                if ttl == "never" {
                    days = nil
                } else if ttl.hasSuffix("d"), let value = Int(ttl.dropLast()), value > 0 {
                    days = value
                } else {
                    throw ClientError(.usage, "--ttl takes <n>d (e.g. 90d) or never")
                }
                let created = try await signedInAPI().createToken(CreateTokenRequest(name: name, expiresInDays: .some(days)))
                if json { return try printJSON(created) }
                if raw { return print(created.token) }
                print("Token \(name) (expires \(timestamp(created.expiresAt) ?? "never")); it is shown only now:")
                print(created.token)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Your tokens (never the secrets).",
            discussion: "Example: agnes auth token list --json")
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let tokens = try await signedInAPI().myTokens()
                try printRows(tokens, of: tokens, json: json, [
                    Column("id") { $0.id }, Column("name") { $0.name }, Column("prefix") { $0.prefix }, Column("created_at") { timestamp($0.createdAt) },
                    Column("expires_at") { timestamp($0.expiresAt) }, Column("last_used_at") { timestamp($0.lastUsedAt) },
                    Column("revoked_at") { timestamp($0.revokedAt) },
                ])
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by id, prefix or name.",
            discussion: "Example: agnes auth token revoke laptop")
        @Argument(help: "The token's id, prefix or name.") var token: String

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let tokens = try await api.myTokens().filter { $0.revokedAt == nil }
                let matches = tokens.filter { [$0.id, $0.prefix, $0.name].contains(token) }
                guard matches.count == 1 else {
                    throw ClientError(matches.isEmpty ? .denied : .usage,
                                      matches.isEmpty ? "no active token '\(token)' (agnes auth token list)" : "'\(token)' names \(matches.count) tokens; use the id")
                }
                try await api.revokeToken(matches[0].id)
                print("Revoked \(matches[0].name).")
            }
        }
    }
}
