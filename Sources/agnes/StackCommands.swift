// `agnes stack …`: the data packages and memory domains an analyst's groups are granted, which are in their stack,
// and taking available ones in or out (what `agnes pull` downloads follows).
import AgnesAPI
import AgnesClient
import ArgumentParser
import Foundation

struct StackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack", abstract: "Your data packages and memory domains: what is in your stack, and what you may add.",
        discussion: """
            A data package is a curated set of tables with the metric definitions and memory domains that explain them. \
            Your groups are granted packages as required (always in your stack, always downloaded) or available (yours to \
            take). By default every granted package is in your stack, queryable on the server, and `agnes pull` downloads \
            the required ones and those you subscribe to. Example: agnes stack browse · agnes stack subscribe sales
            """,
        subcommands: [List.self, Browse.self, Subscribe.self, Unsubscribe.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "What is in your stack.",
            discussion: "Example: agnes stack list --type data_package")
        @Option(help: "Only this type: data_package or memory_domain.") var type: StackItemType?
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting { try StackCommand.print(try await signedInAPI().stack(browse: false, type: type), json: json) }
        }
    }

    struct Browse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "browse", abstract: "Everything your groups are granted, with what you have.",
            discussion: "Example: agnes stack browse")
        @Option(help: "Only this type: data_package or memory_domain.") var type: StackItemType?
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting { try StackCommand.print(try await signedInAPI().stack(browse: true, type: type), json: json) }
        }
    }

    struct Subscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "subscribe", abstract: "Take an available package or memory domain.",
            discussion: "Named by slug or id; run `agnes pull` next to download it. Example: agnes stack subscribe sales")
        @Argument(help: "The package's or domain's slug or id.") var item: String
        @Option(help: "data_package (default) or memory_domain.") var type: StackItemType = .dataPackage

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let found = try await StackCommand.find(item, type: type, api: api)
                do { _ = try await api.subscribe(type, found.id) } catch let error as ClientError { throw StackCommand.explain(error, found) }
                Swift.print("Subscribed to \(found.name) (\(found.slug)). Run `agnes pull` to download it.")
            }
        }
    }

    struct Unsubscribe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "unsubscribe", abstract: "Leave a package or memory domain you took.",
            discussion: "Its local files go at the next `agnes pull`. Example: agnes stack unsubscribe sales")
        @Argument(help: "The package's or domain's slug or id.") var item: String
        @Option(help: "data_package (default) or memory_domain.") var type: StackItemType = .dataPackage

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let found = try await StackCommand.find(item, type: type, api: api)
                do { try await api.unsubscribe(type, found.id) } catch let error as ClientError { throw StackCommand.explain(error, found) }
                Swift.print("Left \(found.name) (\(found.slug)); `agnes pull` removes what it no longer downloads.")
            }
        }
    }

    /// The granted item named by slug or id.
    static func find(_ reference: String, type: StackItemType, api: APIClient) async throws -> StackItem {
        let items = try await api.stack(browse: true, type: type).items
        guard let found = items.first(where: { $0.id == reference || $0.slug == reference }) else {
            let known = items.map(\.slug).sorted().joined(separator: ", ")
            throw ClientError(.denied, "none of your groups is granted a \(type.rawValue) '\(reference)'" + (known.isEmpty ? "" : " (granted: \(known))"))
        }
        return found
    }

    /// Upstream's error codes in words.
    static func explain(_ error: ClientError, _ item: StackItem) -> ClientError {
        switch error.message {
        case "already_required": ClientError(error.code, "\(item.name) is required for one of your groups: it is always in your stack")
        case "cannot_remove_required": ClientError(error.code, "\(item.name) is required for one of your groups and cannot be left")
        case "no_grant": ClientError(error.code, "none of your groups is granted \(item.name)")
        default: error
        }
    }

    static func print(_ listing: StackListing, json: Bool) throws {
        try printRows(listing.items, of: listing, json: json, [
            Column("type") { $0.type.rawValue }, Column("slug") { $0.slug }, Column("name") { $0.name },
            Column("requirement") { $0.requirement.rawValue }, Column("in_stack") { String($0.inStack) },
            Column("downloaded") { String($0.materialized) }, Column("items") { String($0.itemsCount) },
        ])
    }
}

extension StackItemType: ExpressibleByArgument {}
