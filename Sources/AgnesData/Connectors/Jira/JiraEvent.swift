// A Jira Cloud webhook event (`jira:issue_created|updated|deleted`, `comment_created|updated`, …) turned into rows of
// the three tables Agnes keeps for a Jira site: `issues` (the issue as last seen), `comments`, and `changelog` (one row
// per changed field). Rows carry `updated`, so a table keeps the newest version of each id.
import Foundation

/// Rows of one event.
public struct JiraRows: Sendable, Equatable {
    public var issues: [[String: JiraValue]] = []
    public var comments: [[String: JiraValue]] = []
    public var changelog: [[String: JiraValue]] = []
}

/// A value of a row (what the NDJSON spool holds).
public enum JiraValue: Sendable, Equatable, Encodable {
    case text(String), null

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .text(text): try container.encode(text)
        case .null: try container.encodeNil()
        }
    }
}

/// Why an event was refused (400).
public struct JiraEventRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

public enum JiraEvent {
    /// The columns of each table, in order, with their DuckDB types (the spool is read with exactly these).
    public static let columns: [String: [(String, String)]] = [
        "issues": [("id", "VARCHAR"), ("key", "VARCHAR"), ("project", "VARCHAR"), ("issue_type", "VARCHAR"), ("summary", "VARCHAR"),
                   ("status", "VARCHAR"), ("priority", "VARCHAR"), ("assignee", "VARCHAR"), ("reporter", "VARCHAR"),
                   ("created", "TIMESTAMPTZ"), ("updated", "TIMESTAMPTZ"), ("deleted", "BOOLEAN")],
        "comments": [("id", "VARCHAR"), ("issue_key", "VARCHAR"), ("author", "VARCHAR"), ("body", "VARCHAR"),
                     ("created", "TIMESTAMPTZ"), ("updated", "TIMESTAMPTZ")],
        "changelog": [("id", "VARCHAR"), ("issue_key", "VARCHAR"), ("author", "VARCHAR"), ("field", "VARCHAR"),
                      ("from_value", "VARCHAR"), ("to_value", "VARCHAR"), ("created", "TIMESTAMPTZ"), ("updated", "TIMESTAMPTZ")],
    ]

    /// The event's name, its issue key, and its rows; refused when the body is not an event of an issue.
    public static func parse(_ body: Data, receivedAt: Date = Date()) throws -> (event: String, issue: String, rows: JiraRows) {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw JiraEventRejection(description: "the body is not a JSON object")
        }
        let event = object["webhookEvent"] as? String ?? "unknown"
        guard let issue = object["issue"] as? [String: Any], let key = issue["key"] as? String,
              key.wholeMatch(of: /[A-Z][A-Z0-9]+-\d+/) != nil else {
            throw JiraEventRejection(description: "the event names no issue key like PROJ-123")
        }
        let fields = issue["fields"] as? [String: Any] ?? [:]
        let now = Self.timestamp(receivedAt)
        func text(_ value: Any?) -> JiraValue { (value as? String).map(JiraValue.text) ?? ((value as? NSNumber).map { .text($0.stringValue) } ?? .null) }
        func name(_ value: Any?, _ key: String = "name") -> JiraValue { text((value as? [String: Any])?[key]) }
        let updated = (fields["updated"] as? String).map(Self.normalized) ?? now
        var rows = JiraRows()
        rows.issues.append([
            "id": text(issue["id"] ?? key), "key": .text(key), "project": name(fields["project"], "key"), "issue_type": name(fields["issuetype"]),
            "summary": text(fields["summary"]), "status": name(fields["status"]), "priority": name(fields["priority"]),
            "assignee": name(fields["assignee"], "displayName"), "reporter": name(fields["reporter"], "displayName"),
            "created": (fields["created"] as? String).map { .text(Self.normalized($0)) } ?? .text(updated),
            "updated": .text(updated), "deleted": .text(event == "jira:issue_deleted" ? "true" : "false"),
        ])
        if let comment = object["comment"] as? [String: Any], let id = comment["id"] {
            let created = (comment["created"] as? String).map(Self.normalized) ?? now
            rows.comments.append([
                "id": text(id), "issue_key": .text(key), "author": name(comment["author"], "displayName"), "body": text(comment["body"]),
                "created": .text(created), "updated": .text((comment["updated"] as? String).map(Self.normalized) ?? created),
            ])
        }
        if let changelog = object["changelog"] as? [String: Any], let id = changelog["id"] {
            let author = name(object["user"], "displayName")
            let at = (object["timestamp"] as? NSNumber).map { Self.timestamp(Date(timeIntervalSince1970: $0.doubleValue / 1000)) } ?? updated
            for (index, item) in ((changelog["items"] as? [[String: Any]]) ?? []).enumerated() {
                guard case let .text(base) = text(id) else { continue }
                rows.changelog.append([
                    "id": .text("\(base)-\(index)"), "issue_key": .text(key), "author": author, "field": text(item["field"]),
                    "from_value": text(item["fromString"]), "to_value": text(item["toString"]), "created": .text(at), "updated": .text(at),
                ])
            }
        }
        return (event, key, rows)
    }

    /// Jira's `2026-03-01T10:00:00.000+0100` as ISO 8601 DuckDB reads (`+01:00`).
    static func normalized(_ text: String) -> String {
        guard text.count >= 5 else { return text }
        let offset = text.suffix(5)
        if (offset.first == "+" || offset.first == "-"), offset.dropFirst().allSatisfy(\.isNumber) {
            return String(text.dropLast(5)) + offset.prefix(3) + ":" + offset.suffix(2)
        }
        return text
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
