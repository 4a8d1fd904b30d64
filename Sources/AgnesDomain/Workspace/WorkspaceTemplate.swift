// The workspace `CLAUDE.md` that `agnes init` writes: a Mustache template (admins may replace it; it is kept in
// `instance_templates` under `claude_md`) rendered as plain text with what the caller may see.
import AgnesAPI
import AgnesCore
import AgnesState
import Foundation
import Mustache

public struct WorkspaceTemplate: Sendable {
    /// The `instance_templates` key of the workspace `CLAUDE.md`.
    public static let key = "claude_md"

    let template: MustacheTemplate

    /// Parses `text` as plain text (no HTML escaping); a syntax error is a `MustacheTemplate.ParserError`.
    init(_ text: String) throws {
        template = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + text)
    }

    /// What a template can use.
    struct Context {
        var instanceName: String
        var serverURL: String
        var user: User
        var tables: [RegisteredTable]
        var metrics: [MetricDefinition]
        var now: Date

        var values: [String: Any] {
            let rows: [[String: Any]] = tables.map { table in
                ["id": table.id, "name": table.name, "query_mode": table.queryMode.rawValue,
                 "description": Self.oneLine(table.description ?? ""),
                 "is_remote": table.queryMode == .remote, "partitioned": table.partitionBy != nil]
            }
            let metricRows: [[String: Any]] = metrics.map { ["id": $0.id, "display_name": $0.displayName ?? $0.name] }
            return [
                "instance_name": instanceName, "server_url": serverURL,
                "user_email": user.email, "user_name": user.name ?? user.email,
                "tables": rows, "table_count": tables.count, "has_tables": !tables.isEmpty,
                "has_remote_tables": tables.contains { $0.queryMode == .remote },
                "metrics": metricRows, "metric_count": metrics.count, "has_metrics": !metrics.isEmpty,
                "agnes_version": AgnesVersion.current,
                "generated_at": ISO8601DateFormatter().string(from: now),
            ]
        }

        /// Descriptions go into a Markdown table row: one line, no pipes.
        static func oneLine(_ text: String) -> String {
            let flat = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "/")
            return flat.count > 160 ? String(flat.prefix(159)) + "…" : flat
        }
    }

    func render(_ context: Context) -> String {
        template.render(context.values)
    }

    /// The built-in template. It teaches an agent the rails: discovery first, metrics before computing, snapshots for
    /// big or remote tables. It keeps upstream's marker line ("AI Data Analyst"), which clients use to tell an
    /// initialized workspace.
    public static let defaultText = """
        # AI Data Analyst — {{instance_name}} workspace

        This folder is an Agnes workspace, connected to {{server_url}} as {{user_email}}. The `agnes` CLI pulls the
        tables you may see into a local DuckDB (`user/duckdb/analytics.duckdb`); local queries are free, fast and
        offline. Written by `agnes init` (Agnes {{agnes_version}}, {{generated_at}}); `agnes pull` keeps the data fresh.

        ## Rails: discovery first

        Before writing ANY query against a table:

        1. `agnes catalog` (or `agnes catalog --json`) — which tables exist, their mode, size and freshness.
        2. `agnes schema <table>` — the columns and their types.
        3. `agnes describe <table> -n 5` — the profile (nulls, distinct counts, ranges) and real sample rows.
        4. Then `agnes query "SELECT … FROM <table> …"` — name the columns you need and aggregate in SQL.

        Never `SELECT *` a table blindly, and never guess a column name: look it up. SQL is DuckDB's dialect.

        {{#has_metrics}}
        ## Metrics before computing

        Before computing any business metric (revenue, churn, active users, …) look up its canonical definition:
        `agnes catalog --metrics`, then `agnes catalog --metrics --show <category>/<name>`, and start from its SQL.
        Never invent a metric calculation; if a definition is missing, say so and propose one.

        Defined metrics ({{metric_count}}):
        {{#metrics}}
        - `{{id}}` — {{display_name}}
        {{/metrics}}

        {{/has_metrics}}
        ## Choose the right tool

        Every table in `agnes catalog` has a `query_mode`:

        - `local` / `materialized`: the data is in this workspace as parquet. Query it with `agnes query "…"`.
        - `remote`: the data stays on the server. Either fetch a filtered slice with `agnes snapshot create`, or run a
          one-off aggregate on the server with `agnes query --remote "…"`.

        ## Snapshots for big or remote tables

        ```
        agnes snapshot create <table> --select a,b,c --where "day >= DATE '2026-01-01'" --estimate   # size first
        agnes snapshot create <table> --select a,b,c --where "day >= DATE '2026-01-01'" --as recent_orders
        agnes query "SELECT day, count(*) FROM recent_orders GROUP BY 1 ORDER BY 1"
        ```

        Always list the columns in `--select` and give a `--where` (or `--limit`). Reuse `agnes snapshot list` before
        fetching again, give snapshots descriptive names, `agnes snapshot drop <name>` when a topic is done, and check
        `agnes disk-info` now and then. Snapshots survive `agnes pull`.

        ## Tables you can see ({{table_count}})
        {{#has_tables}}

        | id | mode | description |
        |----|------|-------------|
        {{#tables}}
        | `{{id}}` | {{query_mode}}{{#partitioned}}, partitioned{{/partitioned}} | {{description}} |
        {{/tables}}
        {{/has_tables}}
        {{^has_tables}}

        None yet: ask an administrator for a grant, then run `agnes pull`.
        {{/has_tables}}

        ## Sharing what you learn

        Keep notes worth keeping in `.claude/CLAUDE.local.md`; `agnes push` sends it, and the transcripts of your sessions,
        to the server (the SessionEnd hook does it for you). When something is wrong — a stale table, a missing grant —
        `agnes diagnose` says what and how to fix it.

        """
}
