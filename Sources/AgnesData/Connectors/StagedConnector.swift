// A connector whose rows come through an HTTP API rather than a database DuckDB can attach (Keboola's Storage API):
// before the extract runs, `stage` asks the API for the table's rows and downloads them into a scratch folder, and
// answers the SELECT that reads the downloaded files. The extract writer then treats them like any source's rows, so
// atomic swaps, strategies, profiles and the manifest are the same as for every other connector.
import AgnesAPI
import AgnesState
import Foundation

/// What a staged read starts from.
public struct StagingContext: Sendable {
    /// A scratch folder of this sync; removed when the table's extract is written.
    public var directory: URL
    /// The source's own folder, kept between syncs (`<data>/sources/<name>`; the Jira spool lives there).
    public var sourceDirectory: URL
    /// When the table last synced successfully (nil: never).
    public var lastSync: Date?
    public var now: Date

    public init(directory: URL, sourceDirectory: URL, lastSync: Date?, now: Date) {
        self.directory = directory
        self.sourceDirectory = sourceDirectory
        self.lastSync = lastSync
        self.now = now
    }
}

public protocol StagedConnector: Connector {
    /// Downloads `table`'s rows into `context.directory`; returns the SELECT that reads them.
    func stage(_ table: RegisteredTable, context: StagingContext) async throws -> String
    /// The columns `table` will have (for the registration precheck), read from the API.
    func columns(of table: RegisteredTable) async throws -> [String]
    /// Checks that the API accepts the configured credentials (reaching only hosts `policy` allows); says what it found.
    func check(policy: NetworkPolicy) async throws -> String
    /// The tables the source offers, for registration (empty when it cannot list them).
    func listTables() async throws -> [SourceTableListing]
}
