// `agnes admin group …` and `agnes admin grant …`: who belongs where, and what each group may read.
import AgnesAPI
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
                let groups = try await signedInAPI().groups()
                try printRows(groups, of: groups, json: json, [
                    Column("id") { $0.id }, Column("name") { $0.name }, Column("description") { $0.description },
                    Column("is_system") { String($0.isSystem) }, Column("member_count") { String($0.memberCount) },
                ])
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
                let created = try await signedInAPI().createGroup(GroupRequest(name: name, description: description))
                if json { return try printJSON(created) }
                print("Created the group \(name) (id \(created.id)).")
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
                try await api.deleteGroup(found.id)
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
                let members = try await api.members(ofGroup: found.id)
                try printRows(members, of: members, json: json, [
                    Column("email") { $0.email }, Column("name") { $0.name }, Column("active") { String($0.active) },
                    Column("source") { $0.source.rawValue }, Column("added_at") { timestamp($0.addedAt) },
                ])
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
                _ = try await api.addMember(email, toGroup: found.id)
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
                try await api.removeMember(try await directory.userId(user), fromGroup: found.id)
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
                let groupId = try await group.asyncMap { try await AdminDirectory(api: api).group($0).id }
                let grants = try await api.grants(groupId: groupId, resourceType: type)
                try printRows(grants, of: grants, json: json, [
                    Column("id") { $0.id }, Column("group_name") { $0.groupName }, Column("resource_type") { $0.resourceType.rawValue },
                    Column("resource_id") { $0.resourceId }, Column("requirement") { $0.requirement.rawValue },
                ])
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Let a group use a resource.",
                                                        discussion: "Example: agnes admin grant create Analysts table orders")
        @Argument(help: "The group's name or id.") var group: String
        @Argument(help: "The resource type (see `agnes admin grant resource-types`), e.g. table.") var resourceType: String
        @Argument(help: "The resource's id, e.g. a table id (a package or memory domain also by slug).") var resourceId: String
        @Flag(help: "For a data package or memory domain: required (always in the members' stacks and downloaded) rather than available.")
        var required = false

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let found = try await AdminDirectory(api: api).group(group)
                // Packages and domains may be named by slug.
                let resourceId = switch resourceType {
                case ResourceType.dataPackage.rawValue: try await PackageCommand.find(self.resourceId, api: api).id
                case ResourceType.memoryDomain.rawValue: try await MemoryDomainCommand.find(self.resourceId, api: api).id
                default: self.resourceId
                }
                let grant = try await api.createGrant(CreateGrantRequest(groupId: found.id, resourceType: resourceType, resourceId: resourceId,
                                                                         requirement: required ? "required" : nil))
                print("Granted \(found.name) \(resourceType) \(resourceId)\(required ? " (required)" : "") (grant \(grant.id)).")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Remove a grant by its id (see `grant list`).",
            discussion: "Example: agnes admin grant delete 3f2a…  (ids from `agnes admin grant list`)")
        @Argument(help: "The grant's id.") var grant: String

        func run() async throws {
            try await reporting {
                try await signedInAPI().revokeGrant(grant)
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
                let types = try await signedInAPI().resourceTypes()
                try printRows(types, of: types, json: json, [
                    Column("key") { $0.key }, Column("display_name") { $0.displayName }, Column("description") { $0.description },
                ])
            }
        }
    }
}
