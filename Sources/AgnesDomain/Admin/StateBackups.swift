// Backups of the state database while the server runs (administrators only): one consistent snapshot, taken without
// making writers wait (`StateStore.backupOnline`); `agnes-server restore` takes the file like any other backup.
import AgnesAPI
import AgnesState

/// The use case of taking a backup.
public struct StateBackups: Sendable {
    let domain: Domain

    /// Writes a copy under `state/backups/` and says where, with how many rows.
    public func create(for caller: Caller) async throws -> StateBackup {
        try caller.requireAdmin()
        caller.audit.record("state.backup")
        let backup = try await domain.state.backupOnline()
        caller.audit.add(params: ["tables": String(backup.tables), "rows": String(backup.rows), "bytes": String(backup.bytes)])
        return backup
    }
}
