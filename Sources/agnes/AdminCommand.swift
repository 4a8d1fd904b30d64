// `agnes admin …`: administration over HTTP (the caller must be in the Admin group) — users, groups, grants, the
// table registry, data sources, syncs and the audit trail. Helpers shared by the admin commands live here.
import AgnesClient
import ArgumentParser
import Foundation

struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Administer the server: users, groups, grants, tables, sources, syncs, audit.",
        discussion: """
            Every command calls the server's API with your token; you must be an administrator.
            Example session:
              agnes admin add-user ana@example.com --name "Ana"
              agnes admin group create Analysts
              agnes admin group add-member Analysts ana@example.com
              agnes admin grant create Analysts table orders
              agnes admin sync --table orders --wait
            """,
        subcommands: [AddUserCommand.self, ListUsersCommand.self, RemoveUserCommand.self, ActivateUserCommand.self, DeactivateUserCommand.self,
                      ResetPasswordCommand.self, SetPasswordCommand.self, GroupCommand.self, GrantCommand.self, RegisterTableCommand.self, UpdateTableCommand.self,
                      UnregisterTableCommand.self, ListTablesCommand.self, SourcesCommand.self, AdminSyncCommand.self, AuditCommand.self,
                      AdminMetricsCommand.self])
}

/// Admin lookups by what people type: an email or id for users, a name or id for groups.
struct AdminDirectory {
    let api: APIClient

    /// The id of the user `reference` (an id, or an email matched without regard to case).
    func userId(_ reference: String) async throws -> String {
        guard reference.contains("@") else { return reference }
        let users = try await api.call(.GET, "/api/users").array
        guard let user = users.first(where: { ($0["email"] as? String)?.lowercased() == reference.lowercased() }), let id = user["id"] as? String else {
            throw ClientError(.denied, "no user with the email \(reference) (agnes admin list-users)")
        }
        return id
    }

    /// The group `reference` (an id or a name).
    func group(_ reference: String) async throws -> (id: String, name: String) {
        let groups = try await api.call(.GET, "/api/admin/groups").array
        guard let group = groups.first(where: { $0["id"] as? String == reference }) ?? groups.first(where: { $0["name"] as? String == reference }),
              let id = group["id"] as? String else {
            throw ClientError(.denied, "no group '\(reference)' (agnes admin group list)")
        }
        return (id, group["name"] as? String ?? reference)
    }
}

/// Asks on the terminal unless `yes`; refuses when there is no terminal to ask on.
func confirm(_ question: String, yes: Bool) throws {
    if yes { return }
    guard isatty(STDIN_FILENO) == 1 else { throw ClientError(.usage, "\(question) Pass --yes to confirm without a terminal.") }
    FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
    guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else { throw ClientError(.failure, "cancelled") }
}

/// A comma-separated option as a list (`a, b` → `["a", "b"]`).
func commaList(_ text: String?) -> [String]? {
    text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
}

/// Prints the server's JSON with `--json`, else a table of `columns` taken from each row.
func printRows(_ rows: [[String: Any]], reply: APIClient.Reply, json: Bool, columns: [String]) {
    if json { return printRaw(reply) }
    printTable(columns, rows.map { row in columns.map { text(row[$0]) } })
}
