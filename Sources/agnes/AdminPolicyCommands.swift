// `agnes admin table-policy show | preview | set | clear`: a table's access policy (docs/access-policies.md).
import AgnesAPI
import AgnesClient
import ArgumentParser
import Foundation

struct TablePolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table-policy", abstract: "Show, try, set or clear a table's access policy (which rows and columns each caller sees).",
        discussion: """
            A policy is one SELECT over the table; $user_email, $user_id and $user_groups are the caller's values. \\
            See docs/access-policies.md.

            Examples:
              agnes admin table-policy show customers
              agnes admin table-policy preview customers --sql @policy.sql --as-user ana@example.com
              agnes admin table-policy set customers --sql @policy.sql --note "Reps see their own country"
              agnes admin table-policy clear customers
            """,
        subcommands: [Show.self, Preview.self, SetPolicy.self, Clear.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show",
                                                        abstract: "The table's policy, note, mapping tables, and who set it when.",
                                                        discussion: "Example: agnes admin table-policy show customers --json")
        @Argument(help: "The table id.") var table: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting {
                guard let entry = try await signedInAPI().registry().tables.first(where: { $0.table.id == table }) else {
                    throw ClientError(.denied, "table '\(table)' is not registered")
                }
                let registered = entry.table
                if json {
                    try printJSON(["access_policy_sql": registered.accessPolicySQL, "access_policy_note": registered.accessPolicyNote,
                                   "policy_mapping": registered.policyMapping.joined(separator: ","),
                                   "access_policy_updated_by": registered.accessPolicyUpdatedBy])
                    return
                }
                guard let sql = registered.accessPolicySQL else {
                    print("\(table): no access policy (everyone granted the table sees all of it)")
                    return
                }
                print(sql)
                print("-- note: \(registered.accessPolicyNote ?? "")")
                if !registered.policyMapping.isEmpty { print("-- mapping tables: \(registered.policyMapping.joined(separator: ", "))") }
                if let by = registered.accessPolicyUpdatedBy, let at = registered.accessPolicyUpdatedAt { print("-- set by \(by) at \(at)") }
            }
        }
    }

    struct Preview: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "preview", abstract: "What a policy (the stored one, or --sql) shows a user or a set of groups.",
            discussion: """
                Give exactly one of --as-user and --as-groups. Nothing is stored; the preview is audited.

                Examples:
                  agnes admin table-policy preview customers --as-user ana@example.com
                  agnes admin table-policy preview customers --sql @policy.sql --as-groups sales_CZ,sales_DE
                """)
        @Argument(help: "The table id.") var table: String
        @Option(help: "The policy to try (SQL, or @file.sql); the stored one when absent.") var sql: String?
        @Option(help: "A user's email or id.") var asUser: String?
        @Option(help: "Group names, comma-separated.") var asGroups: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting {
                let request = PolicyPreviewRequest(sql: try sql.map(argumentText), asUser: asUser, asGroups: commaList(asGroups))
                let preview = try await signedInAPI().previewPolicy(table, request)
                if json { return try printJSON(preview) }
                print("rows visible: \(preview.rowsVisible) of \(preview.rowsTotal)")
                let hidden = preview.columns.filter(\.hidden).map(\.name)
                print("hidden columns: \(hidden.isEmpty ? "none" : hidden.joined(separator: ", "))")
                guard let first = preview.sampleRows.first else { return print("sample: no rows") }
                let rows = preview.sampleRows.map { row in row.cells.map(\.duckDBValue) }
                print(ResultFormatter.render(columns: first.columns, rows: rows, format: .table, width: 120), terminator: "")
            }
        }
    }

    struct SetPolicy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Set the table's policy (checked by the server before it is stored).",
            discussion: """
                Example: agnes admin table-policy set customers --sql @policy.sql --note "Reps see their own country" --mapping user_regions
                """)
        @Argument(help: "The table id.") var table: String
        @Option(help: "The policy (SQL, or @file.sql).") var sql: String
        @Option(help: "Why the policy is what it is (required).") var note: String
        @Option(help: "Tables the policy may join, comma-separated.") var mapping: String?

        func run() async throws {
            try await reporting {
                let fields = TableFields(accessPolicySQL: .set(try argumentText(sql)), accessPolicyNote: note, policyMapping: commaList(mapping))
                _ = try await signedInAPI().updateTable(table, fields)
                print("access policy set on \(table)")
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "clear",
                                                        abstract: "Remove the table's policy: everyone granted the table sees all of it again.",
                                                        discussion: "Example: agnes admin table-policy clear customers")
        @Argument(help: "The table id.") var table: String

        func run() async throws {
            try await reporting {
                _ = try await signedInAPI().updateTable(table, TableFields(accessPolicySQL: .clear))
                print("access policy cleared on \(table)")
            }
        }
    }
}
