// The short text renderings of tool results, for models that read a tool's text rather than its structured content.
import AgnesAPI
import Foundation

enum ToolText {
    static func serverInfo(_ info: AgnesServerInfo) -> String {
        "Agnes \(info.serverVersion) at \(info.serverURL) (\(info.transport)); you are \(info.userEmail)"
            + (info.isAdmin ? ", an administrator" : "") + "; groups: " + (info.groups.isEmpty ? "none" : info.groups.joined(separator: ", "))
            + (info.credential == "workspace" ? "; this credential reads through access policies" : "")
    }

    static func catalog(_ catalog: Catalog) -> String {
        var lines = ["\(catalog.tables.count) table\(catalog.tables.count == 1 ? "" : "s") you may read:"]
        for table in catalog.tables {
            var facts = [table.fetchVia]
            if let rows = table.rows { facts.append("\(rows.formatted()) rows") }
            if let partition = table.partitionBy { facts.append("partitioned by \(partition)") }
            lines.append("- \(table.id): \(table.description.isEmpty ? table.name : table.description) (\(facts.joined(separator: ", ")))")
        }
        return lines.joined(separator: "\n")
    }

    static func schema(_ schema: TableSchema) -> String {
        var lines = ["\(schema.tableId): \(schema.columns.count) columns" + (schema.partitionBy.map { ", partitioned by \($0)" } ?? "")]
        for column in schema.columns {
            lines.append("- \(column.name) \(column.type)\(column.nullable ? "" : " NOT NULL")" + (column.description.isEmpty ? "" : ": \(column.description)"))
        }
        return lines.joined(separator: "\n")
    }

    static func sample(_ sample: TableSample) -> String {
        guard let first = sample.rows.first else { return "No rows." }
        var lines = ["\(sample.rows.count) sample row\(sample.rows.count == 1 ? "" : "s"):", first.columns.joined(separator: "\t")]
        for row in sample.rows { lines.append(row.cells.map(QueryAnswer.text).joined(separator: "\t")) }
        return lines.joined(separator: "\n")
    }

    static func knowledge(_ found: KnowledgeSearchResults) -> String {
        guard !found.results.isEmpty else { return "Nothing you may read matches." }
        return found.results.map { hit in
            "- [\(hit.type.rawValue)] \(hit.title) (\(hit.id))" + (hit.snippet.isEmpty ? "" : ": \(hit.snippet)") + " — read more: \(hit.readMore)"
        }.joined(separator: "\n")
    }

    static func glossary(_ terms: [GlossaryTerm]) -> String {
        guard !terms.isEmpty else { return "No glossary term matches." }
        return terms.map { term in
            "- \(term.term): \(term.definition)" + (term.synonyms.isEmpty ? "" : " (also: \(term.synonyms.joined(separator: ", ")))")
        }.joined(separator: "\n")
    }

    static func estimate(_ estimate: ScanEstimate) -> String {
        "Slice of \(estimate.tableId): scans about \(bytes(estimate.estimatedScanBytes))"
            + (estimate.estimatedResultRows.map { "; about \($0.formatted()) rows" } ?? "")
            + (estimate.estimatedResultBytes.map { " (\(bytes($0)))" } ?? "")
            + "; \(estimate.rowGroupsMatching) of \(estimate.rowGroups) row groups match."
    }

    static func metrics(_ list: MetricList) -> String {
        guard !list.metrics.isEmpty else { return "No metric definitions." }
        return (["\(list.count) metric\(list.count == 1 ? "" : "s"):"] + list.metrics.map { metric in
            "- \(metric.id): \(metric.displayName ?? metric.name)" + (metric.description.map { ": \($0)" } ?? "")
        }).joined(separator: "\n")
    }

    static func metric(_ metric: MetricDefinition) -> String {
        var lines = ["\(metric.id): \(metric.displayName ?? metric.name)"]
        if let description = metric.description { lines.append(description) }
        if let expression = metric.expression { lines.append("expression: \(expression)") }
        if !metric.tables.isEmpty { lines.append("tables: \(metric.tables.joined(separator: ", "))") }
        if let sql = metric.sql { lines.append("sql:\n\(sql)") }
        lines += metric.notes.map { "note: \($0)" }
        return lines.joined(separator: "\n")
    }

    static func rules(_ bundle: MemoryBundle) -> String {
        func list(_ items: [KnowledgeListing]) -> [String] {
            items.map { "- \($0.item.title)" + (($0.item.content ?? "").isEmpty ? "" : ": \($0.item.content ?? "")") }
        }
        guard !bundle.mandatory.isEmpty || !bundle.approved.isEmpty else { return "No rules in corporate memory yet." }
        return (["Mandatory rules:"] + (bundle.mandatory.isEmpty ? ["(none)"] : list(bundle.mandatory))
                + ["", "Approved knowledge:"] + (bundle.approved.isEmpty ? ["(none)"] : list(bundle.approved))).joined(separator: "\n")
    }

    static func stack(_ listing: StackListing) -> String {
        guard !listing.items.isEmpty else { return "None of your groups is granted a data package or memory domain." }
        return listing.items.map { item in
            var line = "- \(item.name) (`\(item.slug)`, \(item.requirement.rawValue)\(item.inStack ? ", in your stack" : "")"
                + "\(item.materialized ? ", downloaded" : ""))"
            if let description = item.description, !description.isEmpty { line += ": \(description)" }
            if !item.tables.isEmpty { line += "\n  tables: " + item.tables.joined(separator: ", ") }
            return line
        }.joined(separator: "\n")
    }

    static func bytes(_ count: Int64) -> String {
        ByteCountFormatter.string(fromByteCount: count, countStyle: .binary)
    }
}
