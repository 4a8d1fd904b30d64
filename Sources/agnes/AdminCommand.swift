// `agnes admin …`: administration over HTTP (the caller must be in the Admin group) — users, groups, grants, the
// table registry, data sources, syncs and the audit trail. Helpers shared by the admin commands live here.
import AgnesAPI
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
                      ResetPasswordCommand.self, SetPasswordCommand.self, GroupCommand.self, GrantCommand.self, PackageCommand.self, MemoryDomainCommand.self,
                      AdminGlossaryCommand.self, AdminSemanticModelCommand.self, DescribeColumnCommand.self, RegisterTableCommand.self, UpdateTableCommand.self,
                      UnregisterTableCommand.self, ListTablesCommand.self, TablePolicyCommand.self, SourcesCommand.self, AdminSyncCommand.self, AuditCommand.self,
                      AdminMetricsCommand.self])
}

/// Admin lookups by what people type: an email or id for users, a name or id for groups.
struct AdminDirectory {
    let api: APIClient

    /// The id of the user `reference` (an id, or an email matched without regard to case).
    func userId(_ reference: String) async throws -> String {
        guard reference.contains("@") else { return reference }
        guard let user = try await api.users().first(where: { $0.email.lowercased() == reference.lowercased() }) else {
            throw ClientError(.denied, "no user with the email \(reference) (agnes admin list-users)")
        }
        return user.id
    }

    /// The group `reference` (an id or a name).
    func group(_ reference: String) async throws -> GroupInfo {
        let groups = try await api.groups()
        guard let group = groups.first(where: { $0.id == reference }) ?? groups.first(where: { $0.name == reference }) else {
            throw ClientError(.denied, "no group '\(reference)' (agnes admin group list)")
        }
        return group
    }
}

/// Asks on the terminal unless `yes`; refuses when there is no terminal to ask on.
func confirm(_ question: String, yes: Bool) throws {
    if yes { return }
    guard isatty(STDIN_FILENO) == 1 else { throw ClientError(.usage, "\(question) Pass --yes to confirm without a terminal.") }
    FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
    guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else { throw ClientError(.failure, "cancelled") }
}

/// An option's text as given, or — for `@path` — the contents of that file (`~` expanded).
func argumentText(_ value: String) throws -> String {
    guard value.hasPrefix("@") else { return value }
    let path = (String(value.dropFirst()) as NSString).expandingTildeInPath
    guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else { throw ClientError(.usage, "cannot read \(path)") }
    return contents
}

/// A comma-separated option as a list (`a, b` → `["a", "b"]`).
func commaList(_ text: String?) -> [String]? {
    text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
}

/// A column of a printed table: its heading, and the cell a row gives.
struct Column<Row> {
    let heading: String
    let cell: (Row) -> String?

    init(_ heading: String, _ cell: @escaping (Row) -> String?) {
        self.heading = heading
        self.cell = cell
    }
}

/// Prints `answer` as JSON with `--json`, else `rows` as a table of `columns`.
func printRows<Row>(_ rows: [Row], of answer: some Encodable, json: Bool, _ columns: [Column<Row>]) throws {
    if json { return try printJSON(answer) }
    printTable(columns.map(\.heading), rows.map { row in columns.map { $0.cell(row) } })
}

/// A timestamp as ISO-8601 text.
func timestamp(_ date: Date?) -> String? {
    date.map { ISO8601DateFormatter().string(from: $0) }
}

extension Optional {
    /// The wrapped value transformed by an async `transform`, or nil.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
