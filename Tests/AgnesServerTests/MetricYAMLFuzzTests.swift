// The metric YAML reader under mutated files and generated metrics: it answers metrics or a `MetricYAML.Problem`,
// never traps; every metric it reads has a name and category fit for a file name; and what it writes, it reads back
// field for field (the export of an import is the import).
import AgnesAPI
import AgnesDomain
import AgnesTestSupport
import Foundation
import Testing

@Suite("metric YAML fuzzing")
struct MetricYAMLFuzzTests {
    static let corpus = [
        """
        name: active_customers
        display_name: Active customers
        category: product_usage
        description: Customers with an order in the last 30 days
        type: count
        table: orders
        expression: count(DISTINCT customer_id)
        dimensions: [region, plan]
        sql: |
          SELECT count(DISTINCT customer_id)
          FROM orders
        """,
        "- name: a\n  category: c\n- name: b\n  category: c\n  tables:\n    - t1\n    - t2\n  notes: one note\n",
    ]
    /// Text that YAML reads as something other than the text: it must be written so that it reads back as text.
    static let scalars = ["null", "~", "Null", "true", "no", "yes", "on", "1.10", "0x1F", "1e3", "012", ".inf", "-.5", "- item", "key: value",
                          "#hash", "'quoted'", "\"double\"", "two\nlines", "  leading", "trailing ", "@at", "`tick", "!tag", "&anchor", "*alias",
                          "%percent", "{brace}", "[bracket]", "a, b", "ünïcødé", "tab\there", "2026-12-04", "12:30", "? q", "|", ">", "", "---", "..."]

    /// Everything a metric file carries, with empty text as absent (files do not write empty values).
    static func fields(_ metric: MetricDefinition) -> [String] {
        let optional = [metric.displayName, metric.description, metric.type, metric.unit, metric.grain, metric.expression, metric.timeColumn, metric.sql]
            .map { $0.flatMap { $0.isEmpty ? nil : $0 } ?? "∅" }
        return [metric.name, metric.category] + optional + [metric.tables, metric.dimensions, metric.filters, metric.synonyms, metric.notes]
            .map { $0.joined(separator: "\u{1F}") }
    }

    static func metric(_ random: inout FuzzRandom) -> MetricDefinition {
        func text(_ random: inout FuzzRandom) -> String? {
            random.oneIn(4) ? nil : random.oneIn(2) ? random.pick(scalars) : random.pick(scalars) + random.pick(scalars)
        }
        func list(_ random: inout FuzzRandom) -> [String] {
            (0..<Int.random(in: 0...3, using: &random)).map { _ in random.pick(scalars.filter { !$0.isEmpty }) }
        }
        return MetricDefinition(name: "m_\(Int.random(in: 0...99, using: &random))", displayName: text(&random), category: "c-1",
                                description: text(&random), type: text(&random), unit: text(&random), grain: text(&random), tables: list(&random),
                                expression: text(&random), timeColumn: text(&random), dimensions: list(&random), filters: list(&random),
                                synonyms: list(&random), notes: list(&random), sql: text(&random), source: "fuzz")
    }

    @Test("metrics or a clear problem; safe names; what it writes it reads back field for field")
    func documents() async throws {
        let outcome = try await offTheCooperativePool { Fuzz.run("metric-yaml") { random, _ in
            // A written metric reads back as itself.
            let original = Self.metric(&random)
            do {
                let written = try MetricYAML.encode(original)
                let read = try MetricYAML.decode(written)
                guard read.count == 1 && Self.fields(read[0]) == Self.fields(original) else {
                    return "wrote\n\(written)\nread back \(read.map(Self.fields)), not \(Self.fields(original))"
                }
            } catch {
                return "\(error) for \(Self.fields(original))"
            }
            // A mutated file: metrics with safe names, or a problem.
            let text = Fuzz.mutate(random.pick(Self.corpus), &random, dictionary: [":", "- ", "\n", "  ", "|", "[", "]", "{", "}", "&a", "*a", "!!binary ",
                                                                                   "name: ", "category: ../x", "\t", "'", "\""])
            do {
                for metric in try MetricYAML.decode(text, defaultCategory: "fallback")
                where !(MetricYAML.isSafePathPart(metric.name) && MetricYAML.isSafePathPart(metric.category)) {
                    return "read '\(metric.category)/\(metric.name)' from\n\(text)"
                }
            } catch {
                return error is MetricYAML.Problem ? nil : "\(type(of: error)) \(error) for\n\(text)"
            }
            return nil
        } }
        #expect(outcome.failure == nil, "\(outcome.failure ?? "")")
    }

    @Test("regression: text that YAML would read as null, a flag or a number is written quoted and reads back as text")
    func ambiguousText() throws {
        let metric = MetricDefinition(name: "m", category: "c", description: "null", unit: "1.10", synonyms: ["no", "yes", "~"], notes: ["0x1F"])
        let written = try MetricYAML.encode(metric)
        #expect(written.contains(#"description: "null""#) && written.contains(#"- "no""#), "\(written)")
        #expect(try MetricYAML.decode(written).map(Self.fields) == [Self.fields(metric)])
        // Upstream's files write flags and numbers bare in lists too: read as text, not refused.
        #expect(try MetricYAML.decode("name: m\ncategory: c\nsynonyms: [yes, 12, 1.5]\n").first?.synonyms == ["true", "12", "1.5"])
    }
}
