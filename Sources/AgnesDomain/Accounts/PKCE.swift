// Proof Key for Code Exchange (RFC 7636) and the base64url it is written in: one definition for both OAuth flows —
// the MCP clients we authorize, and our own sign-in with an OpenID provider.
import Crypto
import Foundation

enum PKCE {
    /// The S256 code challenge of a verifier: base64url(SHA-256(verifier)) without padding.
    static func challenge(of verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncoded
    }
}

extension Data {
    /// Base64url without padding (RFC 4648 §5).
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded text: String) {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        self.init(base64Encoded: base64)
    }
}
