// `POST /api/admin/backup` over `StateBackups` (admins).
import AgnesAPI
import AgnesDomain
import Hummingbird

struct BackupRoutes {
    let services: ServerServices

    func register(on router: RouterGroup<AgnesRequestContext>) {
        router.post("/api/admin/backup") { _, context in
            try await services.domain.backups.create(for: try context.caller()).jsonResponse(status: .created)
        }
    }
}
