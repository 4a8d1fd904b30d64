// `agnes admin group …` and `agnes admin grant …`: who belongs where, and what each group may read.
import AgnesClient
import ArgumentParser
import Foundation

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Groups and their members.",
        discussion: "Groups are named by name or id. Example: agnes admin group add-member Analysts ana@example.com",
        subcommands: [List.self, Create.self, Delete.self, Members.self, AddMember.self, RemoveMember.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every group with its member count.",
            discussion: "Example: agnes admin group list --json")
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let reply = try await signedInAPI().call(.GET, "/api/admin/groups")
                printRows(reply.array, reply: reply, json: json, columns: ["id", "name", "description", "is_system", "member_count"])
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a group.",
                                                        discussion: "Example: agnes admin group create Analysts --description \"Sales analysts\"")
        @Argument(help: "The group's name.") var name: String
        @Option(help: "What the group is for.") var description: String?
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                var body: [String: Any] = ["name": name]
                if let description { body["description"] = description }
                let reply = try await signedInAPI().call(.POST, "/api/admin/groups", json: body)
                if json { return printRaw(reply) }
                print("Created the group \(name) (id \(text(reply.object["id"]) ?? "?")).")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a group with its memberships and grants.",
            discussion: "Example: agnes admin group delete Contractors --yes")
        @Argument(help: "The group's name or id.") var group: String
        @Flag(name: .shortAndLong, help: "Do not ask for confirmation.") var yes = false

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let found = try await AdminDirectory(api: api).group(group)
                try confirm("Delete the group \(found.name) with its memberships and grants?", yes: yes)
                _ = try await api.call(.DELETE, "/api/admin/groups/\(found.id)")
                print("Deleted the group \(found.name).")
            }
        }
    }

    struct Members: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "members", abstract: "A group's members.",
            discussion: "Example: agnes admin group members Analysts")
        @Argument(help: "The group's name or id.") var group: String
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let found = try await AdminDirectory(api: api).group(group)
                let reply = try await api.call(.GET, "/api/admin/groups/\(found.id)/members")
                printRows(reply.array, reply: reply, json: json, columns: ["email", "name", "active", "source", "added_at"])
            }
        }
    }

    struct AddMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-member", abstract: "Add a user to a group.",
                                                        discussion: "Example: agnes admin group add-member Analysts ana@example.com")
        @Argument(help: "The group's name or id.") var group: String
        @Argument(help: "The user's email.") var email: String

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let found = try await AdminDirectory(api: api).group(group)
                _ = try await api.call(.POST, "/api/admin/groups/\(found.id)/members", json: ["email": email])
                print("Added \(email) to \(found.name).")
            }
        }
    }

    struct RemoveMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-member", abstract: "Remove a user from a group.",
            discussion: "Example: agnes admin group remove-member Analysts ana@example.com")
        @Argument(help: "The group's name or id.") var group: String
        @Argument(help: "The user's email or id.") var user: String

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let directory = AdminDirectory(api: api)
                let found = try await directory.group(group)
                _ = try await api.call(.DELETE, "/api/admin/groups/\(found.id)/members/\(try await directory.userId(user))")
                print("Removed \(user) from \(found.name).")
            }
        }
    }
}

struct GrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant", abstract: "What each group may use (tables, table folders, knowledge categories, …).",
        discussion: "Example: agnes admin grant create Analysts table orders · agnes admin grant list --group Analysts",
        subcommands: [List.self, Create.self, Delete.self, ResourceTypes.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Grants, optionally of one group or resource type.",
            discussion: "Example: agnes admin grant list --group Analysts --type table")
        @Option(help: "Only grants of this resource type.") var type: String?
        @Option(help: "Only grants of this group (name or id).") var group: String?
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                var query: [String] = []
                if let type { query.append("resource_type=\(type.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? type)") }
                if let group { query.append("group_id=\(try await AdminDirectory(api: api).group(group).id)") }
                let reply = try await api.call(.GET, "/api/admin/grants" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
                printRows(reply.array, reply: reply, json: json, columns: ["id", "group_name", "resource_type", "resource_id"])
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Let a group use a resource.",
                                                        discussion: "Example: agnes admin grant create Analysts table orders")
        @Argument(help: "The group's name or id.") var group: String
        @Argument(help: "The resource type (see `agnes admin grant resource-types`), e.g. table.") var resourceType: String
        @Argument(help: "The resource's id, e.g. a table id.") var resourceId: String

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let found = try await AdminDirectory(api: api).group(group)
                let reply = try await api.call(.POST, "/api/admin/grants",
                                               json: ["group_id": found.id, "resource_type": resourceType, "resource_id": resourceId])
                print("Granted \(found.name) \(resourceType) \(resourceId) (grant \(text(reply.object["id"]) ?? "?")).")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Remove a grant by its id (see `grant list`).",
            discussion: "Example: agnes admin grant delete 3f2a…  (ids from `agnes admin grant list`)")
        @Argument(help: "The grant's id.") var grant: String

        func run() async throws {
            try await reporting {
                _ = try await signedInAPI().call(.DELETE, "/api/admin/grants/\(grant)")
                print("Removed the grant \(grant).")
            }
        }
    }

    struct ResourceTypes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resource-types", abstract: "The kinds of resource a grant can name.",
            discussion: "Example: agnes admin grant resource-types")
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let reply = try await signedInAPI().call(.GET, "/api/admin/resource-types")
                printRows(reply.array, reply: reply, json: json, columns: ["key", "display_name", "description"])
            }
        }
    }
}
