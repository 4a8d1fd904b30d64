// The `If-None-Match` test every conditional GET uses (the tags themselves: `EntityTag` in AgnesDomain).
import Foundation
import Hummingbird

extension Request {
    /// Whether `If-None-Match` names `etag` (in a list, weakly, or as `*`): the client's copy is current.
    func isCurrent(_ etag: String) -> Bool {
        guard let header = headers[.ifNoneMatch] else { return false }
        return header.split(separator: ",").contains { part in
            let tag = part.trimmingCharacters(in: .whitespaces)
            return tag == etag || tag == "*" || tag == "W/" + etag
        }
    }
}
