// `agnes search`, `agnes glossary`, `agnes validate-query`, and the administrators' `agnes admin glossary`,
// `agnes admin semantic-model` and `agnes admin describe-column`: what an agent should read before it writes SQL, and
// checking SQL against the team's semantic models.
import AgnesAPI
import AgnesClient
import ArgumentParser
import Foundation

extension KnowledgeKind: ExpressibleByArgument {}

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Search everything worth reading before writing SQL: memory, metrics, glossary, models, tables, columns.",
        discussion: """
            One ranked list (BM25) of what you may read, each hit saying what it is and where to read more. \
            Example: agnes search "refunded orders" · agnes search turnover --type metric --type glossary
            """)
    @Argument(help: "Words to look for.") var words: [String]
    @Option(name: .customLong("type"), help: "Only these kinds: memory, metric, glossary, semantic_model, table, column (repeat).")
    var types: [KnowledgeKind] = []
    @Option(help: "Hits at most (1–100).") var limit = 10
    @Flag(help: "Print the server's JSON.") var json = false

    func run() async throws {
        try await reporting {
            let found = try await signedInAPI().searchKnowledge(words.joined(separator: " "), types: types, limit: limit)
            try printRows(found.results, of: found, json: json, [
                Column("type") { $0.type.rawValue }, Column("id") { $0.id }, Column("title") { $0.title }, Column("read_more") { $0.readMore },
            ])
        }
    }
}

struct GlossaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glossary", abstract: "The team's business terms (all, or those matching words).",
        discussion: "Example: agnes glossary · agnes glossary churn")
    @Argument(help: "Words to look for (all terms when left out).") var words: [String] = []
    @Flag(help: "Print the server's JSON.") var json = false

    func run() async throws {
        try await reporting {
            let terms = try await signedInAPI().glossary(search: words.isEmpty ? nil : words.joined(separator: " "))
            try printRows(terms, of: terms, json: json, [Column("term") { $0.term }, Column("definition") { $0.definition }])
        }
    }
}

struct ValidateQueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate-query", abstract: "Check SQL against the semantic model of its tables: joins, metrics, time filters.",
        discussion: """
            Exits 1 when the statement breaks a rule of the model, 0 when it follows it or no model covers its tables. \
            Example: agnes validate-query "SELECT sum(i.quantity * i.unit_price) FROM orders o JOIN order_items i USING (order_id)"
            """)
    @Argument(help: "The SQL (or @file.sql).") var sql: String
    @Option(help: "The model's slug (the one covering most of the tables when left out).") var model: String?
    @Flag(help: "Print the server's JSON.") var json = false

    func run() async throws {
        try await reporting {
            let verdict = try await signedInAPI().validateQuery(ValidateQueryRequest(sql: try argumentText(sql), model: model))
            if json { try printJSON(verdict) } else {
                print(verdict.summary)
                for violation in verdict.violations { print("- \(violation.rule): \(violation.message)") }
                if !verdict.usedMetrics.isEmpty { print("metrics: \(verdict.usedMetrics.joined(separator: ", "))") }
            }
            if verdict.available, !verdict.valid { throw ExitCode(1) }
        }
    }
}

struct AdminGlossaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glossary", abstract: "Write the glossary: add or replace a term, import a YAML file, remove a term.",
        discussion: """
            A file is `terms: [{term, definition, see_also, synonyms}]`. \
            Example: agnes admin glossary import glossary.yml · agnes admin glossary add "Churned customer" "No order in 180 days"
            """,
        subcommands: [Add.self, Import.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add or replace a term.",
            discussion: "Example: agnes admin glossary add \"Gross revenue\" \"Paid and shipped orders before refunds\" --synonym turnover")
        @Argument(help: "The term.") var term: String
        @Argument(help: "Its definition (or @file.md).") var definition: String
        @Option(name: .customLong("synonym"), help: "Another name for it (repeat).") var synonyms: [String] = []
        @Option(name: .customLong("see-also"), help: "A related term, metric or table (repeat).") var seeAlso: [String] = []

        func run() async throws {
            try await reporting {
                let saved = try await signedInAPI().saveGlossaryTerm(GlossaryTermRequest(term: term, definition: try argumentText(definition),
                                                                                        seeAlso: seeAlso, synonyms: synonyms))
                print("Saved the term \(saved.term) (\(saved.id)).")
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import", abstract: "Add or replace the terms of a YAML file, all or nothing.",
            discussion: "Example: agnes admin glossary import docs/glossary.yml")
        @Argument(help: "The YAML file.") var file: String

        func run() async throws {
            try await reporting {
                let content = try String(contentsOfFile: (file as NSString).expandingTildeInPath, encoding: .utf8)
                let imported = try await signedInAPI().importGlossary(GlossaryImportRequest(content: content, sourceRef: (file as NSString).lastPathComponent))
                print("Imported \(imported.imported) terms.")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a term by its id (the slug).",
            discussion: "Example: agnes admin glossary remove churned-customer")
        @Argument(help: "The term's id.") var id: String

        func run() async throws {
            try await reporting {
                try await signedInAPI().deleteGlossaryTerm(id)
                print("Removed the term \(id).")
            }
        }
    }
}

struct AdminSemanticModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "semantic-model", abstract: "Semantic models: YAML documents of datasets, relationships and metrics (docs/semantic-layer.md).",
        discussion: "Example: agnes admin semantic-model put sales.yml · agnes admin semantic-model list · agnes admin semantic-model get sales",
        subcommands: [List.self, Put.self, Get.self, Remove.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The models, with their tables and metrics.",
            discussion: "Example: agnes admin semantic-model list --json")
        @Flag(help: "Print the server's JSON.") var json = false

        func run() async throws {
            try await reporting {
                let list = try await signedInAPI().semanticModels()
                try printRows(list.models, of: list, json: json, [
                    Column("id") { $0.id }, Column("status") { $0.status }, Column("tables") { $0.tables.joined(separator: ",") },
                    Column("metrics") { $0.metrics.joined(separator: ",") },
                ])
            }
        }
    }

    struct Put: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "put", abstract: "Create a model from a YAML file, or replace it.",
            discussion: "The file is stored byte for byte. Example: agnes admin semantic-model put models/sales.yml --draft")
        @Argument(help: "The YAML file.") var file: String
        @Flag(help: "Keep it as a draft (not used to validate queries).") var draft = false

        func run() async throws {
            try await reporting {
                let api = try signedInAPI()
                let document = try String(contentsOfFile: (file as NSString).expandingTildeInPath, encoding: .utf8)
                let request = SemanticModelRequest(document: document, status: draft ? "draft" : "active")
                let existing = Set(try await api.semanticModels().models.map(\.id))
                let name = (try? YAMLName.of(document)) ?? ""
                let saved = try await api.saveSemanticModel(request, replacing: existing.contains(name) ? name : nil)
                print("\(existing.contains(name) ? "Replaced" : "Created") the model \(saved.id): \(saved.tables.count) tables, \(saved.metrics.count) metrics.")
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Print a model's document exactly as stored.",
            discussion: "Example: agnes admin semantic-model get sales > sales.yml")
        @Argument(help: "The model's id.") var id: String

        func run() async throws {
            try await reporting { FileHandle.standardOutput.write(try await signedInAPI().semanticModelDocument(id)) }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete a model.",
            discussion: "Example: agnes admin semantic-model remove sales")
        @Argument(help: "The model's id.") var id: String

        func run() async throws {
            try await reporting {
                try await signedInAPI().deleteSemanticModel(id)
                print("Removed the model \(id).")
            }
        }
    }
}

/// The `name:` of a model document (to tell a create from a replacement), read without a YAML library: the first
/// top-level `name:` line.
enum YAMLName {
    static func of(_ document: String) throws -> String {
        for line in document.split(whereSeparator: \.isNewline) where line.hasPrefix("name:") {
            return line.dropFirst(5).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        }
        throw ClientError(.usage, "the document has no top-level name:")
    }
}

struct DescribeColumnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe-column", abstract: "Say what a column means (shown by schema and describe, found by search).",
        discussion: "An empty description clears it. Example: agnes admin describe-column orders status \"paid, shipped or refunded\"")
    @Argument(help: "The table's id.") var table: String
    @Argument(help: "The column.") var column: String
    @Argument(help: "What it means (or @file.md).") var description: String

    func run() async throws {
        try await reporting {
            let stored = try await signedInAPI().describeColumn(table: table, column: column, description: try argumentText(description))
            print(stored.description.map { "Described \(table).\(column): \($0)" } ?? "Cleared the description of \(table).\(column).")
        }
    }
}
