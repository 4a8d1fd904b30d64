// A workspace's first pull builds its DuckDB while the files download. The database is made under a temporary name
// that nothing else opens, a table's view is created there as soon as its file has landed, and when the pull ends the
// file takes the database's name — only if that name is still free. Nobody can be locked out of a database that does
// not exist yet, so the download can hold this one open; and the pull's last byte is followed by the views of what
// landed last and a commit, not by a DuckDB start and a view per table (about 50 ms for 101 tables). The views are
// built on a thread of their own; what it has not done when the download ends, the end does.
import AgnesCore
import DuckDB
import Foundation

final class NewWorkspaceDatabase: @unchecked Sendable {
    private let views: LocalViews
    private let temporary: URL
    private let condition = NSCondition()
    // Under `condition`: the tables whose file landed, waiting for their view, and where the thread stands.
    private var landed: [String] = []
    private var nextLandedIndex = 0
    private var viewsDone = 0
    private var ending = false
    private var threadDone = false
    // The thread's until `threadDone`, then `finish`'s.
    private var database: Database?
    private var connection: Connection?
    private var failure: (any Error)?
    /// Each view created so far, with what it reads.
    private var created: [String: String] = [:]

    /// Starts building the database of `workspace`, or nil when it has one already.
    static func start(in workspace: Workspace) -> NewWorkspaceDatabase? {
        let temporary = URL(fileURLWithPath: workspace.databaseFile.path + ".new")
        removeFiles(of: temporary)  // what a first pull killed before its end left behind
        guard !FileManager.default.fileExists(atPath: workspace.databaseFile.path) else { return nil }
        let builder = NewWorkspaceDatabase(views: LocalViews(workspace: workspace), temporary: temporary)
        Thread.detachNewThread { builder.build() }
        return builder
    }

    private init(views: LocalViews, temporary: URL) {
        self.views = views
        self.temporary = temporary
    }

    /// Queues the view of table `id`, whose one file has just landed.
    func fileLanded(_ id: String) {
        condition.withLock {
            landed.append(id)
            condition.broadcast()
        }
    }

    /// Waits until the thread has made the view of every file landed so far (for tests: which views are made then is
    /// otherwise up to the thread's pace).
    func waitForLandedViews() {
        condition.withLock {
            while viewsDone < landed.count && !threadDone { condition.wait() }
        }
    }

    /// Brings the views in step with `tables` (what the pull recorded), commits, and gives the database its name. False
    /// when that did not happen — a step failed, or another command made a database meanwhile — and nothing is left
    /// behind: the caller then builds the views in the database that is there.
    func finish(tables: [String: Workspace.PulledTable]) -> Bool {
        condition.withLock {
            ending = true
            condition.broadcast()
            while !threadDone { condition.wait() }
        }
        attempt {
            guard let connection else { return }
            for id in Set(created.keys).subtracting(tables.keys).sorted() {
                try connection.execute("DROP VIEW \(SQL.identifier(id))")
            }
            for (id, table) in tables.sorted(by: { $0.key < $1.key }) {
                guard let source = views.source(of: id, table), created[id] != source else { continue }
                try views.createView(id, reading: source, in: connection)
            }
            try connection.execute("COMMIT")
            try connection.execute("CHECKPOINT")
        }
        let built = failure == nil && connection != nil
        connection?.close()
        database?.close()
        defer { Self.removeFiles(of: temporary) }
        // Closed after a checkpoint, the database is its one file; a write-ahead log left beside it would be lost.
        guard built, !FileManager.default.fileExists(atPath: Self.walFile(of: temporary).path) else { return false }
        // A link, unlike a rename, fails when the name is taken: a database made meanwhile (a snapshot's) stays.
        return link(temporary.path, views.workspace.databaseFile.path) == 0
    }

    /// The thread's work: opens the database, then creates each landed table's view, until `finish` is called.
    private func build() {
        attempt {
            try FileManager.default.createDirectory(at: temporary.deletingLastPathComponent(), withIntermediateDirectories: true)
            let database = try Database(path: temporary.path, configuration: .init(threads: 1))
            self.database = database
            let connection = try database.connect()
            self.connection = connection
            try connection.execute("BEGIN TRANSACTION")
        }
        while let id = nextLanded() {
            attempt {
                guard let connection else { return }
                let source = views.fileSource(of: id)
                try views.createView(id, reading: source, in: connection)
                created[id] = source
            }
            condition.withLock {
                viewsDone += 1
                condition.broadcast()
            }
        }
        condition.withLock {
            threadDone = true
            condition.broadcast()
        }
    }

    /// The next table whose view is waiting, or nil once `finish` has been called.
    private func nextLanded() -> String? {
        condition.withLock {
            while nextLandedIndex == landed.count && !ending { condition.wait() }
            guard !ending else { return nil }
            nextLandedIndex += 1
            return landed[nextLandedIndex - 1]
        }
    }

    /// Runs one step unless an earlier one failed, keeping the first failure.
    private func attempt(_ step: () throws -> Void) {
        guard failure == nil else { return }
        do { try step() } catch { failure = error }
    }

    private static func removeFiles(of database: URL) {
        try? FileManager.default.removeItem(at: database)
        try? FileManager.default.removeItem(at: walFile(of: database))
    }

    private static func walFile(of database: URL) -> URL { URL(fileURLWithPath: database.path + ".wal") }
}
