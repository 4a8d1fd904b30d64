// What administrators learn of usage (`GET /api/admin/usage`, the web UI's usage page): who pulled what and when,
// workspaces that went quiet, tables no one downloads or queries — from `users.last_pull_at` and the audit trail.
import AgnesAPI
import AgnesState
import Foundation

public struct UsageReports: Sendable {
    let domain: Domain
    public static let idleDays = 14, unusedDays = 30

    public func report(for caller: Caller, now: Date = Date()) async throws -> UsageReport {
        try caller.requireAdmin()
        let usage = UsageRepository(store: domain.state)
        let window = now.addingTimeInterval(-Double(Self.unusedDays) * 86_400)
        // Stamps still waiting for their batch count too.
        try await domain.pullStamps.flush(to: domain.state)
        let downloads = try await usage.downloads(since: window)
        let pullers = try await usage.pullers().map {
            UsageReport.Puller(email: $0.email, lastPullAt: $0.lastPullAt, tablesDownloaded: downloads[$0.userId] ?? [])
        }
        let quiet = now.addingTimeInterval(-Double(Self.idleDays) * 86_400)
        let used = try await usage.usedTables(since: window)
        return UsageReport(pullers: pullers, idleWorkspaces: pullers.filter { $0.lastPullAt < quiet },
                           unusedTables: try await domain.catalogSnapshot().tables.map(\.id).filter { !used.contains($0) }.sorted(),
                           idleDays: Self.idleDays, unusedDays: Self.unusedDays)
    }
}
