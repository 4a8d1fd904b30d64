// `agnes memory list | show | propose | vote | review`: the team's corporate memory from the terminal.
import AgnesAPI
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
                let result = try await signedInAPI().memory(search: search, status: status, category: category, domain: domain, tag: tag, page: page)
                try printRows(result.items, of: result, json: json, [
                    Column("id") { $0.item.id }, Column("status") { $0.item.status.rawValue }, Column("category") { $0.item.category },
                    Column("votes") { "+\($0.upvotes)/-\($0.downvotes)" }, Column("title") { $0.item.title },
                ])
                if !json, result.totalCount > result.items.count {
                    print("page \(page) of \(result.totalPages) (\(result.totalCount) items; --page N)")
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
                let listing = try await signedInAPI().memoryItem(id)
                if json { return try printJSON(listing) }
                let item = listing.item
                print("# \(item.title)")
                print("status: \(item.status.rawValue)   category: \(item.category ?? "-")   domain: \(item.domain ?? "-")   "
                      + "votes: +\(listing.upvotes)/-\(listing.downvotes) (yours: \(listing.myVote))")
                if !item.tags.isEmpty { print("tags: \(item.tags.joined(separator: ", "))") }
                if let content = item.content { print("\n\(content)") }
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
                let text = try content.map { text in
                    text.hasPrefix("@") ? try String(contentsOfFile: (String(text.dropFirst()) as NSString).expandingTildeInPath, encoding: .utf8) : text
                }
                let listing = try await signedInAPI().propose(KnowledgeDraftRequest(title: title, content: text, category: category, domain: domain,
                                                                                     tags: commaList(tags)))
                if json { return try printJSON(listing) }
                print("Proposed \(listing.item.id): \(title)")
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
                let result = try await signedInAPI().vote(id, vote)
                print("Votes: +\(result.upvotes)/-\(result.downvotes)")
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
                guard let decision = ReviewAction(rawValue: action), decision != .revoke else {
                    throw ClientError(.usage, "review approve, mandate, reject or archive")
                }
                let result = try await signedInAPI().review(id, decision, ReviewRequest(reason: reason))
                print("\(id): \(result.status)")
            }
        }
    }
}
