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

    public init(tables: [String], message: String = "Data sync started in background. Check /api/sync/status for progress.") {
        status = "triggered"
        self.tables = tables
        self.message = message
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

/// What changed in one section of a pull, as counts.
public struct PullSectionCounts: Codable, Sendable, Equatable {
    public var added: Int
    public var updated: Int
    public var removed: Int

    public init(added: Int = 0, updated: Int = 0, removed: Int = 0) {
        self.added = added
        self.updated = updated
        self.removed = removed
    }
}

/// The body of `POST /api/sync/pull-confirm`: what a finished pull did, sent by the CLI after each pull.
public struct PullConfirmRequest: Codable, Sendable, Equatable {
    public var durationMs: Int?
    public var directTables: PullSectionCounts?
    public var dataPackages: PullSectionCounts?
    public var memoryDomains: PullSectionCounts?
    public var errors: Int?

    public init(durationMs: Int? = nil, directTables: PullSectionCounts? = nil, dataPackages: PullSectionCounts? = nil,
                memoryDomains: PullSectionCounts? = nil, errors: Int? = nil) {
        self.durationMs = durationMs
        self.directTables = directTables
        self.dataPackages = dataPackages
        self.memoryDomains = memoryDomains
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey {
        case errors
        case durationMs = "duration_ms"
        case directTables = "direct_tables"
        case dataPackages = "data_packages"
        case memoryDomains = "memory_domains"
    }
}

/// The answer to `POST /api/sync/pull-confirm`.
public struct PullConfirmed: Codable, Sendable, Equatable {
    public var recorded: Bool

    public init(recorded: Bool = true) { self.recorded = recorded }
}
