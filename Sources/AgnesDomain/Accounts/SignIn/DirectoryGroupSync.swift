// Group sync from the directory (upstream's Google group sync): a user's directory groups become Agnes groups — the
// one linked to the directory group's address (`mapped_email`), or a new group managed by the directory — and the
// user's `google_sync` memberships are made exactly those, never touching a membership an administrator or the seed
// made. Run at every sign-in through the provider, and on a schedule for every user who ever signed in that way.
import AgnesAPI
import AgnesState
import Foundation

public struct DirectoryGroupSync: Sendable {
    let domain: Domain

    /// Who the sync writes as.
    static let actor = "system:google-sync"

    /// Reconciles `user`'s memberships with their directory groups; nothing when no directory is configured.
    @discardableResult
    public func sync(_ user: User) async throws -> DirectoryLinksRepository.Reconciliation {
        guard let directory = domain.directory else { return .init(added: [], removed: []) }
        let groups = GroupsRepository(store: domain.state)
        var ids: Set<String> = []
        for group in try await directory.groups(of: user.email) {
            let email = group.email.trimmingCharacters(in: .whitespaces).lowercased()
            guard !email.isEmpty else { continue }
            if let linked = try await groups.find(mappedEmail: email) {
                ids.insert(linked.id)
            } else {
                ids.insert(try await groups.createDirectoryGroup(email: email, name: group.name ?? email, description: group.description).id)
            }
        }
        return try await DirectoryLinksRepository(store: domain.state).reconcile(userId: user.id, groupIds: ids, addedBy: Self.actor)
    }

    /// Syncs every active user who signed in through the provider; a user whose groups cannot be read keeps the
    /// memberships they had (logged). Returns how many were synced and how many failed.
    public func syncAll() async -> (synced: Int, failed: Int) {
        guard domain.directory != nil else { return (0, 0) }
        var synced = 0, failed = 0
        do {
            for user in try await DirectoryLinksRepository(store: domain.state).linkedActiveUsers() {
                do {
                    let change = try await sync(user)
                    synced += 1
                    if !change.added.isEmpty || !change.removed.isEmpty {
                        domain.logger.info("directory groups synced", metadata: ["user": .string(user.email), "added": .string(change.added.joined(separator: ",")),
                                                                                  "removed": .string(change.removed.joined(separator: ","))])
                    }
                } catch {
                    failed += 1
                    domain.logger.warning("directory groups not synced", metadata: ["user": .string(user.email), "error": .string(String(describing: error))])
                }
            }
        } catch {
            domain.logger.warning("directory group sync cannot list users", metadata: ["error": .string(String(describing: error))])
        }
        return (synced, failed)
    }

    /// Syncs everyone every `directory.syncIntervalMinutes` until cancelled (not at all when it is 0).
    public func runSchedule() async {
        guard let minutes = domain.settings.openID?.directory?.syncIntervalMinutes, minutes > 0 else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(minutes * 60))
            if Task.isCancelled { return }
            _ = await syncAll()
        }
    }
}
