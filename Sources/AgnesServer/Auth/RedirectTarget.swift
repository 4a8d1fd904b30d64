// Where a browser may be sent after signing in: only a path on this site. `//evil.com` and `/\evil.com` are
// protocol-relative URLs to another host in browsers, so they are refused, as is anything with a scheme.
import Foundation

enum RedirectTarget {
    /// `next` when it is a same-site path, else `fallback`.
    static func safe(_ next: String?, fallback: String = "/") -> String {
        guard let next, isSameSitePath(next) else { return fallback }
        return next
    }

    static func isSameSitePath(_ target: String) -> Bool {
        guard target.hasPrefix("/"), target.count <= 2048 else { return false }
        if target.hasPrefix("//") || target.contains("\\") { return false }
        // Control characters (tabs, newlines) are stripped by browsers and could turn "/\t/evil.com" into "//evil.com".
        if target.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return false }
        return true
    }
}
