// The claims of an OpenID Connect ID token that sign-in reads (OpenID Connect Core 1.0 §2, and Google's `hd`).
import Foundation
import JWTKit

/// An ID token's claims. JWTKit checks only the signature; `OpenIDProvider.verify` checks the rest, so it can say why.
struct IDTokenClaims: JWTPayload {
    var iss: String
    var sub: String
    var aud: AudienceClaim
    var exp: Date
    var iat: Date
    var nonce: String?
    var azp: String?
    var email: String?
    /// Google sends a boolean; some providers a string.
    var emailVerified: Bool?
    var name: String?
    /// Google's hosted domain (a Workspace account's domain).
    var hd: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nonce, azp, email, name, hd
        case emailVerified = "email_verified"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        iss = try container.decode(String.self, forKey: .iss)
        sub = try container.decode(String.self, forKey: .sub)
        aud = try container.decode(AudienceClaim.self, forKey: .aud)
        exp = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .exp))
        iat = Date(timeIntervalSince1970: try container.decode(Double.self, forKey: .iat))
        nonce = try container.decodeIfPresent(String.self, forKey: .nonce)
        azp = try container.decodeIfPresent(String.self, forKey: .azp)
        email = try container.decodeIfPresent(String.self, forKey: .email)
        if let flag = try? container.decodeIfPresent(Bool.self, forKey: .emailVerified) {
            emailVerified = flag
        } else {
            emailVerified = (try? container.decodeIfPresent(String.self, forKey: .emailVerified)).flatMap { $0 }.map { $0 == "true" }
        }
        name = try container.decodeIfPresent(String.self, forKey: .name)
        hd = try container.decodeIfPresent(String.self, forKey: .hd)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(iss, forKey: .iss)
        try container.encode(sub, forKey: .sub)
        try container.encode(aud, forKey: .aud)
        try container.encode(exp.timeIntervalSince1970, forKey: .exp)
        try container.encode(iat.timeIntervalSince1970, forKey: .iat)
        try container.encodeIfPresent(nonce, forKey: .nonce)
        try container.encodeIfPresent(azp, forKey: .azp)
        try container.encodeIfPresent(email, forKey: .email)
        try container.encodeIfPresent(emailVerified, forKey: .emailVerified)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(hd, forKey: .hd)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
