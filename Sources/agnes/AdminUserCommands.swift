// `agnes admin add-user | list-users | remove-user | activate | deactivate | reset-password | set-password`.
import AgnesAPI
import AgnesClient
import ArgumentParser
import Foundation

struct AddUserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-user", abstract: "Create a user (they set a password from the invite link).",
        discussion: "Example: agnes admin add-user ana@example.com --name \"Ana Novak\" --send-invite")

    @Argument(help: "The user's email.") var email: String
    @Option(help: "The user's name.") var name: String?
    @Flag(help: "Email the invite link (otherwise it is printed).") var sendInvite = false
    @Flag(help: "Print the server's JSON.") var json = false

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let user = try await signedInAPI().createUser(CreateUserRequest(email: email, name: name, sendInvite: sendInvite))
        if json { return try printJSON(user) }
        print("Created \(email) (id \(user.id)).")
        if let link = user.inviteURL { print("Invite link: \(link)") }
    }
}

struct ListUsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list-users", abstract: "Every user: email, name, admin, active, groups.",
            discussion: "Example: agnes admin list-users --json")
    @Flag(help: "Print the server's JSON.") var json = false

    func run() async throws { try await reporting { try await execute() } }

    func execute() async throws {
        let users = try await signedInAPI().users()
        try printRows(users, of: users, json: json, [
            Column("id") { $0.id }, Column("email") { $0.email }, Column("name") { $0.name }, Column("is_admin") { String($0.isAdmin) },
            Column("active") { String($0.active) }, Column("groups") { $0.groups.map(\.name).joined(separator: ", ") },
        ])
    }
}

/// A command that acts on one user given by id or email.
protocol UserAction: AsyncParsableCommand {
    var user: String { get }
    func act(on id: String, api: APIClient) async throws -> String
}

extension UserAction {
    func run() async throws {
        try await reporting {
            let api = try signedInAPI()
            print(try await act(on: try await AdminDirectory(api: api).userId(user), api: api))
        }
    }
}

struct RemoveUserCommand: UserAction {
    static let configuration = CommandConfiguration(commandName: "remove-user", abstract: "Delete a user, their memberships and tokens.",
                                                    discussion: "Example: agnes admin remove-user ana@example.com --yes")
    @Argument(help: "The user's id or email.") var user: String
    @Flag(name: .shortAndLong, help: "Do not ask for confirmation.") var yes = false

    func act(on id: String, api: APIClient) async throws -> String {
        try confirm("Delete the user \(user)?", yes: yes)
        try await api.deleteUser(id)
        return "Deleted \(user)."
    }
}

struct ActivateUserCommand: UserAction {
    static let configuration = CommandConfiguration(commandName: "activate", abstract: "Let a deactivated user sign in again.",
            discussion: "Example: agnes admin activate ana@example.com")
    @Argument(help: "The user's id or email.") var user: String

    func act(on id: String, api: APIClient) async throws -> String {
        _ = try await api.setUserActive(id, true)
        return "Activated \(user)."
    }
}

struct DeactivateUserCommand: UserAction {
    static let configuration = CommandConfiguration(commandName: "deactivate", abstract: "Stop a user from signing in (their tokens stop working).",
            discussion: "Example: agnes admin deactivate ana@example.com")
    @Argument(help: "The user's id or email.") var user: String

    func act(on id: String, api: APIClient) async throws -> String {
        _ = try await api.setUserActive(id, false)
        return "Deactivated \(user)."
    }
}

struct ResetPasswordCommand: UserAction {
    static let configuration = CommandConfiguration(commandName: "reset-password", abstract: "Send a user a link to set a new password.",
            discussion: "Example: agnes admin reset-password ana@example.com")
    @Argument(help: "The user's id or email.") var user: String

    func act(on id: String, api: APIClient) async throws -> String {
        let link = try await api.resetPassword(ofUser: id)
        return "Reset link for \(user): \(link.resetURL)" + (link.emailSent ? " (also sent by mail)" : "")
    }
}

struct SetPasswordCommand: UserAction {
    static let configuration = CommandConfiguration(
        commandName: "set-password", abstract: "Set a user's password.",
        discussion: """
            The password comes from $AGNES_NEW_PASSWORD, standard input with --password-stdin, or the terminal.
            Example: agnes admin set-password ana@example.com --password-stdin < password.txt
            """)
    @Argument(help: "The user's id or email.") var user: String
    @Flag(help: "Read the password from standard input.") var passwordStdin = false

    func act(on id: String, api: APIClient) async throws -> String {
        let password: String
        if let value = ProcessInfo.processInfo.environment["AGNES_NEW_PASSWORD"] {
            password = value
        } else if passwordStdin {
            password = readLine(strippingNewline: true) ?? ""
        } else if let typed = getpass("New password for \(user): ") {
            password = String(cString: typed)
        } else {
            throw ClientError(.usage, "no password given")
        }
        try await api.setPassword(ofUser: id, to: password)
        return "Set the password of \(user)."
    }
}
