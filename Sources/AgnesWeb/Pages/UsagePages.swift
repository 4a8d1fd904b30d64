// `/admin/usage`: who pulled what and when, workspaces that went quiet, and tables no one uses (`UsageReports`).
import AgnesAPI
import AgnesDomain
import Foundation

extension WebUI {
    public func usage(_ request: PageRequest) async throws -> WebAnswer {
        let chrome = try await adminChrome(request)
        let report = try await domain.usage.report(for: request.caller)
        func rows(_ pullers: [UsageReport.Puller]) -> [[String: Any]] {
            pullers.map { ["email": $0.email, "last_pull": Self.time($0.lastPullAt), "tables": $0.tablesDownloaded.joined(separator: ", ")] }
        }
        return renderer.page("admin_usage", title: "Usage", values: [
            "pullers": rows(report.pullers), "idle": rows(report.idleWorkspaces), "unused": report.unusedTables,
            "idle_days": report.idleDays, "unused_days": report.unusedDays,
        ], chrome: chrome)
    }
}
