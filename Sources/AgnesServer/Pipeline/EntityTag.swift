// Strong entity tags of generated bodies, and the `If-None-Match` test every conditional GET uses.
import AgnesData
import Crypto
import Foundation
import Hummingbird

enum EntityTag {
    /// `"<first 16 bytes of the body's sha256, hex>"`.
    static func of(_ body: Data) -> String {
        "\"" + FileDigest.hex(SHA256.hash(data: body).prefix(16)) + "\""
    }
}

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
