// `agnes admin package …` and `agnes admin memory-domain …`: curated data packages (tables, metrics, memory domains)
// and memory domains (corporate-memory items), which groups are then granted with `agnes admin grant create`.
import AgnesAPI
import AgnesClient
import ArgumentParser
import Foundation

/// The fields of a package or domain, as options.
struct PackageFieldOptions: ParsableArguments {
    @Option(help: "The slug (lower-case letters, digits, hyphens); made from the name when left out.") var slug: String?
    @Option(help: "What it is for.") var description: String?
    @Option(help: "An icon (an emoji or a name the web UI shows).") var icon: String?
    @Option(help: "A color for its card, e.g. #2f6fdf.") var color: String?
    @Option(help: "A category to group cards by.") var category: String?
    @Option(name: .customLong("tag"), help: "A tag (repeat for more).") var tags: [String] = []

    func request(name: String?, status: String? = nil) -> PackageRequest {
        PackageRequest(name: name, slug: slug, description: description, icon: icon, color: color, status: status, category: category,
                       tags: tags.isEmpty ? nil : tags)
    }
}

struct PackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package", abstract: "Data packages: curated sets of tables with their metrics and memory domains.",
        discussion: """
            Packages are named by slug or id. Example: agnes admin package create Sales --description "Orders and customers" \
            · agnes admin package add sales --table orders --metric finance/revenue · agnes admin grant create Analysts data_package <id> --required
            """,
        subcommands: [List.self, Create.self, Add.self, Remove.self, Delete.self, Restore.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every package with what it holds.",
            discussion: "Example: agnes admin package list --deleted")
        @Flag(help: "Include deleted packages.") var deleted = false
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let list = try await signedInAPI().dataPackages(includeDeleted: deleted)
                try printRows(list.packages, of: list, json: json, [
                    Column("id") { $0.id }, Column("slug") { $0.slug }, Column("name") { $0.name }, Column("status") { $0.status.rawValue },
                    Column("tables") { $0.tables.joined(separator: ",") }, Column("metrics") { String($0.metrics.count) },
                    Column("memory_domains") { String($0.memoryDomains.count) }, Column("deleted") { $0.isDeleted ? "yes" : "" },
                ])
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a package.",
            discussion: "Example: agnes admin package create \"Sales\" --status prod --tag revenue")
        @Argument(help: "The package's name.") var name: String
        @Option(help: "prod (default), poc, coming-soon or draft.") var status: String?
        @OptionGroup var fields: PackageFieldOptions
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let created = try await signedInAPI().createDataPackage(fields.request(name: name, status: status))
                if json { return try printJSON(created) }
                print("Created the package \(created.name) (slug \(created.slug), id \(created.id)).")
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add tables, metrics or memory domains to a package.",
            discussion: "Example: agnes admin package add sales --table orders --table customers --metric finance/revenue --domain sales-notes")
        @Argument(help: "The package's slug or id.") var package: String
        @OptionGroup var members: PackageMemberOptions

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let found = try await PackageCommand.find(package, api: api)
                for (segment, request, name) in try await members.requests(api: api) {
                    let added = try await api.addMember(.dataPackages, found.id, segment: segment, request).added
                    print(added ? "Added \(name) to \(found.slug)." : "\(name) was in \(found.slug) already.")
                }
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove tables, metrics or memory domains from a package.",
            discussion: "Example: agnes admin package remove sales --table customers")
        @Argument(help: "The package's slug or id.") var package: String
        @OptionGroup var members: PackageMemberOptions

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let found = try await PackageCommand.find(package, api: api)
                for (segment, member, name) in try await members.ids(api: api) {
                    try await api.removeMember(.dataPackages, found.id, segment: segment, member)
                    print("Removed \(name) from \(found.slug).")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a package (it can be restored).",
            discussion: "Its grants and subscriptions stay but give nothing until it is restored. Example: agnes admin package delete sales")
        @Argument(help: "The package's slug or id.") var package: String

        func run() async throws { try await setDeleted(.dataPackages, package, deleted: true) }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a deleted package.",
            discussion: "Example: agnes admin package restore sales")
        @Argument(help: "The package's slug or id.") var package: String

        func run() async throws { try await setDeleted(.dataPackages, package, deleted: false) }
    }

    static func find(_ reference: String, api: APIClient) async throws -> DataPackage {
        let packages = try await api.dataPackages(includeDeleted: true).packages
        guard let found = packages.first(where: { $0.id == reference || $0.slug == reference }) else {
            throw ClientError(.denied, "no data package '\(reference)' (see `agnes admin package list --deleted`)")
        }
        return found
    }
}

/// `--table`, `--metric` and `--domain` of `agnes admin package add|remove`.
struct PackageMemberOptions: ParsableArguments {
    @Option(name: .customLong("table"), help: "A table's registry id (repeat for more).") var tables: [String] = []
    @Option(name: .customLong("metric"), help: "A metric's id, category/name (repeat for more).") var metrics: [String] = []
    @Option(name: .customLong("domain"), help: "A memory domain's slug or id (repeat for more).") var domains: [String] = []

    func validate() throws {
        guard !(tables.isEmpty && metrics.isEmpty && domains.isEmpty) else { throw ValidationError("name at least one --table, --metric or --domain") }
    }

    /// (path segment, member id, what to call it) for each.
    func ids(api: APIClient) async throws -> [(String, String, String)] {
        var ids = tables.map { ("tables", $0, "table \($0)") } + metrics.map { ("metrics", $0, "metric \($0)") }
        for domain in domains {
            ids.append(("memory-domains", try await MemoryDomainCommand.find(domain, api: api).id, "memory domain \(domain)"))
        }
        return ids
    }

    func requests(api: APIClient) async throws -> [(String, PackageMemberRequest, String)] {
        try await ids(api: api).map { segment, id, name in
            let request = switch segment {
            case "tables": PackageMemberRequest(tableId: id)
            case "metrics": PackageMemberRequest(metricId: id)
            default: PackageMemberRequest(domainId: id)
            }
            return (segment, request, name)
        }
    }
}

struct MemoryDomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory-domain", abstract: "Memory domains: corporate-memory items about one subject, granted and bundled together.",
        discussion: """
            Domains are named by slug or id. Example: agnes admin memory-domain create "Sales notes" · agnes admin memory-domain \
            add-item sales-notes <item id> · agnes admin grant create Analysts memory_domain <id>
            """,
        subcommands: [List.self, Create.self, AddItem.self, RemoveItem.self, Delete.self, Restore.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every memory domain with its item count.",
            discussion: "Example: agnes admin memory-domain list")
        @Flag(help: "Include deleted domains.") var deleted = false
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let list = try await signedInAPI().memoryDomains(includeDeleted: deleted)
                try printRows(list.domains, of: list, json: json, [
                    Column("id") { $0.id }, Column("slug") { $0.slug }, Column("name") { $0.name }, Column("items") { String($0.items.count) },
                    Column("deleted") { $0.isDeleted ? "yes" : "" },
                ])
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a memory domain.",
            discussion: "Example: agnes admin memory-domain create \"Sales notes\" --description \"How sales counts things\"")
        @Argument(help: "The domain's name.") var name: String
        @OptionGroup var fields: PackageFieldOptions
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let created = try await signedInAPI().createMemoryDomain(fields.request(name: name))
                if json { return try printJSON(created) }
                print("Created the memory domain \(created.name) (slug \(created.slug), id \(created.id)).")
            }
        }
    }

    struct AddItem: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-item", abstract: "Put corporate-memory items into a domain.",
            discussion: "Example: agnes admin memory-domain add-item sales-notes 3f2a9c… 9b1e4d…")
        @Argument(help: "The domain's slug or id.") var domain: String
        @Argument(help: "Item ids (see `agnes memory list`).") var items: [String]

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let found = try await MemoryDomainCommand.find(domain, api: api)
                for item in items {
                    let added = try await api.addMember(.memoryDomains, found.id, segment: "items", PackageMemberRequest(itemId: item)).added
                    print(added ? "Added \(item) to \(found.slug)." : "\(item) was in \(found.slug) already.")
                }
            }
        }
    }

    struct RemoveItem: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-item", abstract: "Take items out of a domain.",
            discussion: "Example: agnes admin memory-domain remove-item sales-notes 3f2a9c…")
        @Argument(help: "The domain's slug or id.") var domain: String
        @Argument(help: "Item ids.") var items: [String]

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let found = try await MemoryDomainCommand.find(domain, api: api)
                for item in items {
                    try await api.removeMember(.memoryDomains, found.id, segment: "items", item)
                    print("Removed \(item) from \(found.slug).")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a memory domain (it can be restored).",
            discussion: "Example: agnes admin memory-domain delete sales-notes")
        @Argument(help: "The domain's slug or id.") var domain: String

        func run() async throws { try await setDeleted(.memoryDomains, domain, deleted: true) }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a deleted memory domain.",
            discussion: "Example: agnes admin memory-domain restore sales-notes")
        @Argument(help: "The domain's slug or id.") var domain: String

        func run() async throws { try await setDeleted(.memoryDomains, domain, deleted: false) }
    }

    static func find(_ reference: String, api: APIClient) async throws -> MemoryDomain {
        let domains = try await api.memoryDomains(includeDeleted: true).domains
        guard let found = domains.first(where: { $0.id == reference || $0.slug == reference }) else {
            throw ClientError(.denied, "no memory domain '\(reference)' (see `agnes admin memory-domain list --deleted`)")
        }
        return found
    }
}

/// `delete` and `restore` of a package or memory domain named by slug or id.
func setDeleted(_ collection: PackageCollection, _ reference: String, deleted: Bool) async throws {
    try await reporting {
        let api = try signedInAPI()
        let (id, slug, noun): (String, String, String)
        if collection == .dataPackages {
            let found = try await PackageCommand.find(reference, api: api)
            (id, slug, noun) = (found.id, found.slug, "package")
        } else {
            let found = try await MemoryDomainCommand.find(reference, api: api)
            (id, slug, noun) = (found.id, found.slug, "memory domain")
        }
        try await api.setDeleted(collection, id, deleted: deleted)
        let command = collection == .dataPackages ? "package" : "memory-domain"
        print(deleted ? "Deleted the \(noun) \(slug); `agnes admin \(command) restore \(slug)` brings it back." : "Restored the \(noun) \(slug).")
    }
}
