// The tools of one MCP server: the shared ones answered by a backend, plus any the surface adds (the workspace tools
// of `agnes mcp`). A call's arguments are checked against its definition, its answer fitted into the caps, and any
// refusal returned as a tool error carrying the server's detail — an unknown table with the closest names the caller
// may read, a guard rejection with its reason, a timeout — never as a protocol error.
import AgnesAPI
import Foundation
import MCP

/// A tool's implementation: arguments in, output out (or a `ToolError`).
public typealias ToolHandler = @Sendable (ToolArguments) async throws -> ToolOutput

/// The tools one MCP server offers and how each is answered.
public struct AgnesToolbox: Sendable {
    public let backend: any AgnesToolBackend
    public let caps: ToolCaps
    /// How to get the rest of a cut query result on this surface.
    let remedy: String
    let definitions: [AgnesTool]
    let handlers: [String: ToolHandler]

    /// The shared tools over `backend`, plus `workspaceTools` (definitions of `workspaceOnly` tools with their handlers)
    /// when the surface has a workspace.
    public init(backend: any AgnesToolBackend, caps: ToolCaps, workspaceTools: [String: ToolHandler] = [:], remedy: String) {
        self.backend = backend
        self.caps = caps
        self.remedy = remedy
        definitions = AgnesTool.all(caps).filter { !$0.workspaceOnly || workspaceTools[$0.name] != nil }
        var handlers = workspaceTools
        for (name, handler) in Self.sharedHandlers(backend: backend, caps: caps, remedy: remedy) { handlers[name] = handler }
        self.handlers = handlers
    }

    /// The definitions `tools/list` answers.
    public var tools: [Tool] { definitions.map(\.tool) }

    /// Whether this server offers the tool `name`.
    public func knows(_ name: String) -> Bool {
        definitions.contains { $0.name == name }
    }

    /// Whether the tool `name` only reads (an unknown tool does nothing, so it reads).
    public func isReadOnly(_ name: String) -> Bool {
        definitions.first { $0.name == name }?.annotations.readOnlyHint ?? true
    }

    /// Answers one `tools/call`: the result, or a tool error for an unknown tool, bad arguments or a refusal.
    public func call(_ name: String, arguments: [String: Value]?) async -> (result: CallTool.Result, failed: Bool) {
        guard let definition = definitions.first(where: { $0.name == name }), let handler = handlers[name] else {
            return (ToolOutput.failure("Unknown tool '\(name)'. Tools: \(definitions.map(\.name).joined(separator: ", "))"), true)
        }
        do {
            let arguments = ToolArguments(arguments)
            try arguments.allowOnly(definition)
            let output = try await handler(arguments)
            if caps.maximumCharacters > 0, !output.fitted, output.characters > caps.maximumCharacters {
                return (ToolOutput.failure("The answer of \(name) is \(output.characters.formatted()) characters, over the "
                                           + "\(caps.maximumCharacters.formatted())-character cap; ask for less (a filter, fewer rows)."), true)
            }
            return (output.result, false)
        } catch let error as ToolError {
            return (ToolOutput.failure(await explained(error, tool: name, arguments: arguments)), true)
        } catch {
            return (ToolOutput.failure("\(name) failed: \(error)"), true)
        }
    }

    /// The error, with the closest readable table ids when it is about a table the caller cannot see.
    private func explained(_ error: ToolError, tool: String, arguments: [String: Value]?) async -> String {
        guard case let .string(table)? = arguments?["table_id"],
              let catalog = try? await backend.catalog(), !catalog.tables.contains(where: { $0.id == table }) else { return error.message }
        let close = ClosestNames.matching(table, among: catalog.tables.map(\.id))
        let hint = close.isEmpty ? " Call `catalog` to list the tables you may read." : " Did you mean: \(close.joined(separator: ", "))?"
        return "Table '\(table)' is not among the tables you may read.\(hint)"
    }

    static func sharedHandlers(backend: any AgnesToolBackend, caps: ToolCaps, remedy: String) -> [String: ToolHandler] {
        [
            AgnesTool.serverInfo.name: { _ in
                let info = try await backend.serverInfo()
                return try .encoding(info, text: ToolText.serverInfo(info))
            },
            AgnesTool.catalog.name: { _ in
                let catalog = try await backend.catalog()
                return try .encoding(catalog, text: ToolText.catalog(catalog))
            },
            AgnesTool.schema.name: { arguments in
                let schema = try await backend.schema(try arguments.string("table_id"))
                return try .encoding(schema, text: ToolText.schema(schema))
            },
            AgnesTool.describe.name: { arguments in
                let table = try arguments.string("table_id")
                let rows = try arguments.integer("rows", default: 5, in: 1...ToolCaps.maximumSampleRows)
                let schema = try await backend.schema(table)
                let sample = try await backend.sample(table, rows: rows)
                return ToolOutput(structured: .object(["schema": try ToolOutput.value(of: schema), "sample": try ToolOutput.value(of: sample)]),
                                  text: ToolText.schema(schema) + "\n\n" + ToolText.sample(sample))
            },
            AgnesTool.query(caps).name: { arguments in
                let sql = try arguments.string("sql")
                let limit = try arguments.integer("limit", default: caps.defaultRows, in: 1...caps.maximumRows)
                let result = try await backend.query(sql, limit: limit)
                return await ToolOutput.query(result, limit: limit, caps: caps, remedy: remedy) { try? await backend.countRows(sql) }
            },
            AgnesTool.knowledgeSearch.name: { arguments in
                let types = try (arguments.strings("types") ?? []).map { name in
                    guard let kind = KnowledgeKind(rawValue: name) else {
                        throw ToolError("types: '\(name)' is not one of \(KnowledgeKind.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return kind
                }
                let found = try await backend.searchKnowledge(try arguments.string("query"), types: types,
                                                              limit: try arguments.integer("k", default: 10, in: 1...50))
                return try .encoding(found, text: ToolText.knowledge(found))
            },
            AgnesTool.glossarySearch.name: { arguments in
                let terms = try await backend.searchGlossary(try arguments.string("query"))
                return try .encoding(GlossarySearch(query: try arguments.string("query"), terms: terms), text: ToolText.glossary(terms))
            },
            AgnesTool.semanticModelSearch.name: { arguments in
                let models = try await backend.searchSemanticModels(try arguments.string("query"))
                return try .encoding(models, text: models.models.isEmpty ? "No semantic model you may read matches."
                                     : models.models.map { "- \($0.id): \($0.title) (tables: \($0.tables.joined(separator: ", ")))" }.joined(separator: "\n"))
            },
            AgnesTool.semanticModelGet.name: { arguments in
                let slug = try arguments.string("slug")
                let document = try await backend.semanticModelDocument(slug)
                return ToolOutput(structured: ["slug": .string(slug), "document": .string(document)], text: document)
            },
            AgnesTool.validateSemanticQuery.name: { arguments in
                let verdict = try await backend.validateQuery(ValidateQueryRequest(sql: try arguments.string("sql"), model: try arguments.optionalString("model")))
                return try .encoding(verdict, text: ([verdict.summary] + verdict.violations.map { "- \($0.rule): \($0.message)" }).joined(separator: "\n"))
            },
            AgnesTool.snapshotEstimate.name: { arguments in
                let estimate = try await backend.estimateScan(try ScanRequest(arguments))
                return try .encoding(estimate, text: ToolText.estimate(estimate))
            },
            AgnesTool.metricsList.name: { arguments in
                let list = try await backend.metrics(category: try arguments.optionalString("category"))
                return try .encoding(list, text: ToolText.metrics(list))
            },
            AgnesTool.metricGet.name: { arguments in
                let metric = try await backend.metric(try arguments.string("metric_id"))
                return try .encoding(metric, text: ToolText.metric(metric))
            },
            AgnesTool.memoryRules.name: { _ in
                let bundle = try await backend.memoryRules()
                return try .encoding(bundle, text: ToolText.rules(bundle))
            },
            AgnesTool.memoryPropose.name: { arguments in
                var draft = KnowledgeDraftRequest()
                draft.title = try arguments.string("title")
                draft.content = try arguments.string("content")
                draft.category = try arguments.optionalString("category")
                draft.domain = try arguments.optionalString("domain")
                draft.tags = try arguments.strings("tags")
                draft.sourceType = "mcp"
                let listing = try await backend.propose(draft)
                return try .encoding(listing, text: "Proposed \"\(listing.item.title)\" to corporate memory as item \(listing.item.id) "
                                     + "(status \(listing.item.status.rawValue)); reviewers decide whether it becomes a rule.")
            },
            AgnesTool.stackBrowse.name: { arguments in
                let listing = try await backend.browseStack(try stackType(arguments))
                return try .encoding(listing, text: ToolText.stack(listing))
            },
            AgnesTool.stackSubscribe.name: { arguments in
                let type = try stackType(arguments)
                let reference = try arguments.string("resource_id")
                do {
                    try await backend.subscribe(type, reference)
                } catch let error as ToolError where error.message == "already_required" {
                    return ToolOutput(structured: ["subscribed": true, "already_required": true],
                                      text: "'\(reference)' is required for one of your groups: it is always in your stack and downloaded.")
                } catch let error as ToolError where error.message == "no_grant" {
                    throw ToolError("no_grant: none of your groups is granted a \(type.rawValue) '\(reference)'. Call `stack_browse` to see what is.")
                }
                return ToolOutput(structured: ["subscribed": true, "resource_id": .string(reference)],
                                  text: "Subscribed to '\(reference)': `agnes pull` downloads its tables from now on.")
            },
        ]
    }
}

/// The `resource_type` of a stack tool (data packages when left out).
func stackType(_ arguments: ToolArguments) throws -> StackItemType {
    guard let text = try arguments.optionalString("resource_type") else { return .dataPackage }
    guard let type = StackItemType(rawValue: text) else { throw ToolError("resource_type must be data_package or memory_domain, not '\(text)'") }
    return type
}

extension ScanRequest {
    /// The slice a `snapshot_estimate` or `snapshot_create` call describes.
    public init(_ arguments: ToolArguments) throws {
        self.init(tableId: try arguments.string("table_id"), select: try arguments.strings("select"), where: try arguments.optionalString("where"),
                  limit: try arguments.optionalInteger("limit"), orderBy: try arguments.strings("order_by"))
    }
}

/// The names closest to a misspelt one (edit distance, and names containing it), at most three.
enum ClosestNames {
    static func matching(_ name: String, among candidates: [String]) -> [String] {
        let wanted = name.lowercased()
        let scored = candidates.map { candidate -> (String, Int) in
            let lowered = candidate.lowercased()
            let distance = lowered.contains(wanted) || wanted.contains(lowered) ? 0 : editDistance(wanted, lowered)
            return (candidate, distance)
        }
        let bound = max(2, wanted.count / 3)
        return scored.filter { $0.1 <= bound }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(3).map(\.0)
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
