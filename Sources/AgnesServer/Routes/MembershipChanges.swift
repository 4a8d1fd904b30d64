// Adding and removing group memberships through the API, shared by the group and the user endpoints: the API owns
// only `admin` memberships, and never removes the last active administrator.
import AgnesDomain
import AgnesState
import Foundation

struct MembershipChanges: Sendable {
    let services: ServerServices

    /// Makes `userId` an admin-managed member of `groupId`; 409 when already a member.
    func add(userId: String, groupId: String, by actor: String) async throws {
        if try await services.groups.memberships(ofUser: userId).contains(where: { $0.groupId == groupId }) {
            throw ServiceError.conflict("User already a member")
        }
        try await services.groups.addMember(userId: userId, groupId: groupId, source: .admin, addedBy: actor)
    }

    /// Removes the admin-managed membership; 404 when there is none, 409 when it is the last active administrator's.
    func remove(userId: String, groupId: String) async throws {
        guard let membership = try await services.groups.memberships(ofUser: userId)
            .first(where: { $0.groupId == groupId && $0.source == .admin }) else {
            throw ServiceError.notFound("No admin-managed membership for this user in this group")
        }
        if membership.groupName == Group.adminName, try await services.users.get(id: userId)?.active == true,
           try await services.groups.activeAdminCount(excludingUserId: userId) == 0 {
            throw ServiceError.conflict("Cannot remove the last active admin")
        }
        try await services.groups.removeMember(userId: userId, groupId: groupId, source: .admin)
    }
}
