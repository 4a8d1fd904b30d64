// Every Agnes MCP tool as a model sees it: upstream's name where upstream has the tool, a description written for a
// model (what it is for, when to use it, what comes back), the input schema, and the hints clients use to decide
// whether to ask before calling it. One list for both transports; `workspaceOnly` tools exist only in `agnes mcp`.
import MCP

/// A tool's definition.
public struct AgnesTool: Sendable {
    public let name: String
    public let title: String
    public let description: String
    public let inputSchema: Value
    public let annotations: Tool.Annotations
    /// Needs the local workspace (`agnes mcp` only, not the server's HTTP endpoint).
    public let workspaceOnly: Bool

    /// The definition in the MCP wire form.
    public var tool: Tool {
        Tool(name: name, title: title, description: description, inputSchema: inputSchema, annotations: annotations)
    }

    static func reading(_ name: String, _ title: String, _ description: String, _ schema: Value = InputSchema.object(),
                        workspaceOnly: Bool = false) -> AgnesTool {
        AgnesTool(name: name, title: title, description: description, inputSchema: schema,
                  annotations: Tool.Annotations(title: title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false),
                  workspaceOnly: workspaceOnly)
    }
}

extension AgnesTool {
    static let tableId = InputSchema.string("The table's id, as `catalog` lists it (e.g. `orders`).")

    public static let serverInfo = reading(
        "server_info", "Server and identity",
        "Which Agnes server these tools talk to and who you are on it: the server's URL and version, your email, whether "
            + "you are an administrator, your groups, and whether your credential reads through access policies. Call it "
            + "when unsure which data you can see or why a table is missing.")

    public static let catalog = reading(
        "catalog", "Table catalog",
        "Every table you may read on the server: id, description, rows, size, how to reach it (`fetch_via`: query it on the "
            + "server, or pull it into the workspace), partitioning and example filters. Start here to find the right table, "
            + "then call `describe` for its columns and a few rows. Tables you are not granted are not listed.")

    public static let schema = reading(
        "schema", "Table schema",
        "The columns of one table (name, DuckDB type, nullable, description), how it is partitioned and clustered, and "
            + "hints for writing filters on it in DuckDB SQL.",
        InputSchema.object(["table_id": tableId], required: ["table_id"]))

    public static let describe = reading(
        "describe", "Describe a table",
        "A table's columns and a few sample rows together: the quickest way to learn what a table holds before writing SQL "
            + "against it. Rows are read through your access policies.",
        InputSchema.object(["table_id": tableId,
                            "rows": InputSchema.integer("Sample rows to show (1–50).", minimum: 1, maximum: ToolCaps.maximumSampleRows, default: 5)],
                           required: ["table_id"]))

    public static func query(_ caps: ToolCaps) -> AgnesTool {
        reading(
            "query", "Query on the server",
            "Run one read-only SQL statement (DuckDB dialect: SELECT, WITH, aggregates, window functions) on the server over "
                + "the tables you may read, named by their ids (`SELECT region, sum(amount) FROM orders GROUP BY 1`). Prefer "
                + "aggregating on the server to fetching raw rows. The answer holds at most `limit` rows (at most "
                + "\(caps.maximumRows)) and \(caps.maximumCharacters == 0 ? "no character cap" : "\(caps.maximumCharacters) characters"); "
                + "when it is cut it says so and gives the full row count, so narrow the query (filter, aggregate, LIMIT) or take a "
                + "snapshot. Access policies may limit the rows and columns you see; `row_scope` then says which tables.",
            InputSchema.object(["sql": InputSchema.string("One read-only DuckDB SQL statement over table ids."),
                                "limit": InputSchema.integer("Rows at most in the answer.", minimum: 1, maximum: caps.maximumRows,
                                                             default: caps.defaultRows)],
                               required: ["sql"]))
    }

    public static func queryLocal(_ caps: ToolCaps) -> AgnesTool {
        reading(
            "query_local", "Query the workspace",
            "Run read-only DuckDB SQL on this workspace's local database: the tables `pull` downloaded and the snapshots "
                + "`snapshot_create` made, each a view named like the table or snapshot. Fast and free for repeated "
                + "analysis; the data is as fresh as the last pull. Same caps as `query` (at most \(caps.maximumRows) rows).",
            InputSchema.object(["sql": InputSchema.string("One read-only DuckDB SQL statement over local views."),
                                "limit": InputSchema.integer("Rows at most in the answer.", minimum: 1, maximum: caps.maximumRows,
                                                             default: caps.defaultRows)],
                               required: ["sql"]),
            workspaceOnly: true)
    }

    public static let pull = AgnesTool(
        name: "pull", title: "Pull tables",
        description: "Download into the workspace every table you may read that changed since the last pull, drop the ones you "
            + "may no longer read, and refresh the local views and the rules files. Returns what changed. Needed before "
            + "`query_local` sees new data.",
        inputSchema: InputSchema.object(),
        annotations: Tool.Annotations(title: "Pull tables", readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false),
        workspaceOnly: true)

    public static let knowledgeSearch = reading(
        "knowledge_search", "Search what the team knows",
        "One search over everything worth reading before writing SQL: corporate memory (facts, caveats and rules your team "
            + "reviewed), metric definitions, glossary terms, semantic models, tables and described columns — best match "
            + "first, only what you may read, each hit saying what it is and where to read more. Search before writing SQL "
            + "about an unfamiliar area: the answer to \"how do we count active customers\" is often already there.",
        InputSchema.object(["query": InputSchema.string("Words to search for."),
                            "k": InputSchema.integer("Hits at most.", minimum: 1, maximum: 50, default: 10),
                            "types": InputSchema.strings("Only these kinds: memory, metric, glossary, semantic_model, table, column.")],
                           required: ["query"]))

    public static let glossarySearch = reading(
        "glossary_search", "Search the glossary",
        "The team's business terms (\"churned customer\", \"gross revenue\") matching words, with their definitions, synonyms "
            + "and related terms. Use it when a question uses a word whose meaning here you are not sure of.",
        InputSchema.object(["query": InputSchema.string("Words to search for.")], required: ["query"]))

    public static let semanticModelSearch = reading(
        "semantic_model_search", "Find semantic models",
        "Semantic models you may read matching words: each declares a subject's datasets (tables, keys, time columns), how "
            + "they join, and the metrics they use. Read one with `semantic_model_get` before joining its tables.",
        InputSchema.object(["query": InputSchema.string("Words to search for (a subject, a table, a metric).")], required: ["query"]))

    public static let semanticModelGet = reading(
        "semantic_model_get", "Read a semantic model",
        "A semantic model's YAML document as written: its datasets, the relationships to join them by (columns and "
            + "cardinality), which datasets must be filtered on time, and its metrics.",
        InputSchema.object(["slug": InputSchema.string("The model's slug, as `semantic_model_search` lists it.")], required: ["slug"]))

    public static let validateSemanticQuery = reading(
        "validate_semantic_query", "Check SQL against the model",
        "Before running SQL over modelled tables, check it: which datasets, metrics and relationships it uses, and the rules "
            + "it breaks — a join the model does not declare (or on other columns), a metric's columns aggregated differently "
            + "from its definition or without its filters, a missing time filter. `available: false` means no model covers it.",
        InputSchema.object(["sql": InputSchema.string("One DuckDB SELECT statement."),
                            "model": InputSchema.string("A model's slug (the one covering most of the tables when left out).")],
                           required: ["sql"]))

    static let sliceProperties: [String: Value] = [
        "table_id": tableId,
        "select": InputSchema.strings("Columns to keep (all when omitted)."),
        "where": InputSchema.string("A DuckDB boolean expression over the table's columns (e.g. `day >= DATE '2026-01-01'`)."),
        "order_by": InputSchema.strings("Columns to sort by, each optionally followed by ASC or DESC."),
        "limit": InputSchema.integer("Rows at most.", minimum: 1),
    ]

    public static let snapshotEstimate = reading(
        "snapshot_estimate", "Estimate a slice",
        "Before fetching a slice of a large table, see what it costs: bytes the server scans, and the rows and bytes the "
            + "slice would hold. Use it to choose filters that keep a snapshot small.",
        InputSchema.object(sliceProperties, required: ["table_id"]))

    public static let snapshotCreate = AgnesTool(
        name: "snapshot_create", title: "Create a snapshot",
        description: "Fetch a slice of a table (columns, filter, order, limit) into the workspace as a local snapshot, then "
            + "query it with `query_local` as a view named `name`. For large tables you cannot pull whole; estimate first "
            + "with `snapshot_estimate`.",
        inputSchema: InputSchema.object(sliceProperties.merging([
            "name": InputSchema.string("The snapshot's name: lower-case letters, digits and underscores, starting with a letter or underscore."),
            "replace": InputSchema.boolean("Replace an existing snapshot of that name.", default: false),
        ]) { $1 }, required: ["name", "table_id"]),
        annotations: Tool.Annotations(title: "Create a snapshot", readOnlyHint: false, destructiveHint: false, idempotentHint: false,
                                      openWorldHint: false),
        workspaceOnly: true)

    public static let metricsList = reading(
        "metrics_list", "Metric definitions",
        "The organisation's metric definitions (name, category, description, tables, SQL). Use a defined metric instead of "
            + "inventing a formula; `metric_get` gives one in full.",
        InputSchema.object(["category": InputSchema.string("Only metrics of this category.")]))

    public static let metricGet = reading(
        "metric_get", "One metric",
        "One metric definition in full: expression, SQL, grain, time column, dimensions, filters, synonyms and notes.",
        InputSchema.object(["metric_id": InputSchema.string("The metric's id, as `metrics_list` gives it (e.g. `revenue/mrr`).")],
                           required: ["metric_id"]))

    public static let memoryRules = reading(
        "memory_rules", "Rules to follow",
        "The rules every analysis here follows: the mandatory items of corporate memory, then approved ones by score, as "
            + "the workspace's rules file holds them. Read them once per task.")

    public static let memoryPropose = AgnesTool(
        name: "memory_propose", title: "Propose to corporate memory",
        description: "Propose an item for corporate memory: a fact, definition, caveat or rule you established while working "
            + "(\"refunds are in `payments` with a negative amount\"). Reviewers approve it before it becomes a rule for others.",
        inputSchema: InputSchema.object([
            "title": InputSchema.string("One line that states the fact or rule."),
            "content": InputSchema.string("The details: evidence, the SQL, the tables concerned."),
            "category": InputSchema.string("A category (e.g. `sales`, `finance`)."),
            "domain": InputSchema.string("One of finance, engineering, product, data, operations, infrastructure."),
            "tags": InputSchema.strings("Tags."),
        ], required: ["title", "content"]),
        annotations: Tool.Annotations(title: "Propose to corporate memory", readOnlyHint: false, destructiveHint: false, idempotentHint: false,
                                      openWorldHint: false),
        workspaceOnly: false)

    static let stackType = InputSchema.oneOf(["data_package", "memory_domain"], "What to list or take: data packages (default) or memory domains.")

    public static let stackBrowse = reading(
        "stack_browse", "Browse data packages",
        "The data packages (curated sets of tables with their metrics and memory domains) and memory domains your groups "
            + "are granted: for each, whether it is required or available, whether it is in your stack (queryable) and "
            + "downloaded by `agnes pull`, and its tables. Use it to find the package that matters for a question, then "
            + "query its tables.",
        InputSchema.object(["resource_type": stackType]))

    public static let stackSubscribe = AgnesTool(
        name: "stack_subscribe", title: "Subscribe to a data package",
        description: "Take an available data package or memory domain into your stack, so that `agnes pull` downloads it "
            + "(`pull` in a workspace). Name it by the id or slug `stack_browse` lists. Required ones are always in your stack.",
        inputSchema: InputSchema.object([
            "resource_type": stackType,
            "resource_id": InputSchema.string("The package's or domain's id or slug, as `stack_browse` lists it."),
        ], required: ["resource_id"]),
        annotations: Tool.Annotations(title: "Subscribe to a data package", readOnlyHint: false, destructiveHint: false, idempotentHint: true,
                                      openWorldHint: false),
        workspaceOnly: false)

    /// Every tool, in the order `tools/list` gives them.
    public static func all(_ caps: ToolCaps) -> [AgnesTool] {
        [serverInfo, catalog, schema, describe, query(caps), queryLocal(caps), pull, knowledgeSearch, snapshotEstimate, snapshotCreate,
         metricsList, metricGet, memoryRules, memoryPropose, stackBrowse, stackSubscribe, glossarySearch, semanticModelSearch, semanticModelGet,
         validateSemanticQuery]
    }
}
