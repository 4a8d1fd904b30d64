// `agnes memory list | show | propose | vote | review`: the team's corporate memory from the terminal.
import AgnesClient
import ArgumentParser
import Foundation

struct MemoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory", abstract: "Corporate memory: what the team knows about its data, proposed, voted on and reviewed.",
        discussion: """
            Approved and mandatory items reach every workspace as Claude Code rules (.claude/rules/) at `agnes pull`.
            Examples:
              agnes memory list --search refunds
              agnes memory propose --title "Revenue excludes refunds" --content "…" --category revenue --domain finance
              agnes memory vote <id> up
            """,
        subcommands: [List.self, Show.self, Propose.self, Vote.self, Review.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Items you may see, newest first (or best match with --search).",
            discussion: "Example: agnes memory list --search refunds --status approved")
        @Option(help: "Full-text search over title, content and tags.") var search: String?
        @Option(help: "proposed, approved, mandatory, rejected or archived.") var status: String?
        @Option(help: "Only this category.") var category: String?
        @Option(help: "Only this domain.") var domain: String?
        @Option(help: "Only items with this tag.") var tag: String?
        @Option(help: "Page (50 items each).") var page = 1
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                var query = ["page=\(page)"]
                for (name, value) in [("search", search), ("status_filter", status), ("category", category), ("domain", domain), ("tag", tag)] {
                    if let value { query.append("\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)") }
                }
                let reply = try await signedInAPI().call(.GET, "/api/memory?" + query.joined(separator: "&"))
                let items = (reply.object["items"] as? [[String: Any]] ?? []).map { item -> [String: Any] in
                    var row = item
                    row["votes"] = "+\(text(item["upvotes"]) ?? "0")/-\(text(item["downvotes"]) ?? "0")"
                    return row
                }
                printRows(items, reply: reply, json: json, columns: ["id", "status", "category", "votes", "title"])
                if !json, let total = reply.object["total_count"] as? Int, total > items.count {
                    print("page \(page) of \(reply.object["total_pages"] as? Int ?? 1) (\(total) items; --page N)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One item in full.",
            discussion: "Example: agnes memory show 1f2e…  (ids from `agnes memory list`)")
        @Argument(help: "The item's id.") var id: String
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let reply = try await signedInAPI().call(.GET, "/api/memory/\(id)")
                if json { return printRaw(reply) }
                let item = reply.object
                print("# \(text(item["title"]) ?? "")")
                print("status: \(text(item["status"]) ?? "")   category: \(text(item["category"]) ?? "-")   domain: \(text(item["domain"]) ?? "-")   "
                      + "votes: +\(text(item["upvotes"]) ?? "0")/-\(text(item["downvotes"]) ?? "0") (yours: \(text(item["my_vote"]) ?? "0"))")
                if let tags = item["tags"] as? [String], !tags.isEmpty { print("tags: \(tags.joined(separator: ", "))") }
                if let content = item["content"] as? String { print("\n\(content)") }
            }
        }
    }

    struct Propose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "propose", abstract: "Propose an item; reviewers approve it for everyone.",
            discussion: "Example: agnes memory propose --title \"Amounts are in EUR\" --content \"order_items.unit_price is EUR\" --category data-quality")
        @Option(help: "A one-line title.") var title: String
        @Option(help: "The text (or @file.md).") var content: String?
        @Option(help: "A category (reviewers are granted categories).") var category: String?
        @Option(help: "finance, engineering, product, data, operations or infrastructure.") var domain: String?
        @Option(help: "Tags, comma-separated.") var tags: String?
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                var body: [String: Any] = ["title": title]
                if let content {
                    body["content"] = content.hasPrefix("@") ? try String(contentsOfFile: (String(content.dropFirst()) as NSString).expandingTildeInPath, encoding: .utf8) : content
                }
                if let category { body["category"] = category }
                if let domain { body["domain"] = domain }
                if let tags = commaList(tags) { body["tags"] = tags }
                let reply = try await signedInAPI().call(.POST, "/api/memory", json: body)
                if json { return printRaw(reply) }
                print("Proposed \(text(reply.object["id"]) ?? "?"): \(title)")
            }
        }
    }

    struct Vote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "vote", abstract: "Vote an item up or down, or withdraw your vote.",
                                                        discussion: "Example: agnes memory vote 1f2e… up")
        @Argument(help: "The item's id.") var id: String
        @Argument(help: "up, down or withdraw.") var direction: String

        func run() async throws {
            try await reporting {
                let votes = ["up": 1, "+1": 1, "down": -1, "-1": -1, "withdraw": 0, "0": 0]
                guard let vote = votes[direction] else { throw ClientError(.usage, "vote up, down or withdraw") }
                let reply = try await signedInAPI().call(.POST, "/api/memory/\(id)/vote", json: ["vote": vote])
                print("Votes: +\(text(reply.object["upvotes"]) ?? "0")/-\(text(reply.object["downvotes"]) ?? "0")")
            }
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review", abstract: "Approve, make mandatory, reject or archive an item (reviewers only).",
            discussion: "Example: agnes memory review 1f2e… approve --reason \"matches finance's definition\"")
        @Argument(help: "The item's id.") var id: String
        @Argument(help: "approve, mandate, reject or archive.") var action: String
        @Option(help: "Why (kept in the audit trail).") var reason: String?

        func run() async throws {
            try await reporting {
                guard ["approve", "mandate", "reject", "archive"].contains(action) else { throw ClientError(.usage, "review approve, mandate, reject or archive") }
                let reply = try await signedInAPI().call(.POST, "/api/memory/admin/\(action)?item_id=\(id)", json: reason.map { ["reason": $0] } ?? [:])
                print("\(id): \(text(reply.object["status"]) ?? "?")")
            }
        }
    }
}
