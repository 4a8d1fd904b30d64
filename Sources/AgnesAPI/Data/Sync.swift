// Syncing: `POST /api/sync/trigger`, `GET /api/sync/status` and `GET /api/sync/history`.
import Foundation

/// The outcome of a table's syncs.
public enum SyncStatus: String, Codable, Sendable, CaseIterable {
    case ok, error, never
}

/// A row of `sync_history`.
public struct SyncHistoryEntry: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var tableId: String
    public var startedAt: Date
    public var finishedAt: Date?
    public var trigger: String?
    public var rows: Int64?
    public var bytes: Int64?
    public var durationMs: Int64?
    public var status: SyncStatus
    public var error: String?

    enum CodingKeys: String, CodingKey {
        case id, trigger, rows, bytes, status, error
        case tableId = "table_id"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case durationMs = "duration_ms"
    }
}

/// The body of `POST /api/sync/trigger`: null (every table), a list of table ids, or `{"tables": [ids]}`.
public struct SyncTriggerRequest: Codable, Sendable, Equatable {
    /// The tables to sync; nil for every table.
    public var tables: [String]?

    public init(tables: [String]?) {
        self.tables = tables
    }

    public init(from decoder: any Decoder) throws {
        if let list = try? decoder.singleValueContainer().decode([String].self) {
            tables = list
        } else if (try? decoder.singleValueContainer().decodeNil()) == true {
            tables = nil
        } else {
            tables = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([String].self, forKey: .tables)
        }
    }

    enum CodingKeys: String, CodingKey {
        case tables
    }
}

/// The answer of `POST /api/sync/trigger`.
public struct SyncTriggerResponse: Codable, Sendable, Equatable {
    /// `triggered`.
    public var status: String
    public var tables: [String]
    public var message: String

    public init(tables: [String]) {
        status = "triggered"
        self.tables = tables
        message = "Data sync started in background. Check /api/sync/status for progress."
    }
}

/// The body of `GET /api/sync/status`.
public struct SyncRunStatus: Codable, Sendable, Equatable {
    /// A sync runs.
    public var locked: Bool
    /// The tables it syncs.
    public var running: [String]

    public init(running: [String]?) {
        locked = running != nil
        self.running = running ?? []
    }
}
