// The web UI (SPEC §10): server-rendered pages over the same use cases as the API (`Domain`), so every page applies the
// caller's grants and every form action validates, protects and audits exactly as the API does. This target knows
// nothing of HTTP: the server's web routes hand each page the caller and the query, check the form's CSRF token, and
// turn the answer into a response (a form's answer is a 303 redirect with a message, so a reload never repeats it).
import AgnesAPI
import AgnesDomain
import Foundation

/// What a page answers: HTML with a status, or a redirect.
public enum WebAnswer: Sendable, Equatable {
    case page(html: String, status: Int)
    case redirect(String)
}

/// What every page shows around its body: who is signed in, the form token, the message of the last action.
public struct PageChrome: Sendable {
    public var identity: Identity?
    public var csrf: String?
    public var section: String
    public var notice: String?
    public var error: String?
    public var isReviewer = false

    public init(identity: Identity?, csrf: String?, section: String, notice: String?, error: String?, isReviewer: Bool = false) {
        self.identity = identity
        self.csrf = csrf
        self.section = section
        self.notice = notice
        self.error = error
        self.isReviewer = isReviewer
    }
}

/// A page request: the caller, the query parameters and the chrome's parts taken from the request.
public struct PageRequest: Sendable {
    public let caller: Caller
    public let query: [String: String]
    /// The session's form token.
    public let csrf: String?

    public init(caller: Caller, query: [String: String], csrf: String?) {
        self.caller = caller
        self.query = query
        self.csrf = csrf
    }
}

/// The pages of the web UI.
public struct WebUI: Sendable {
    let domain: Domain
    /// Personal access tokens (signed with the server's key).
    let tokens: TokenService
    /// Reading the audit trail.
    let auditTrail: AuditService
    let renderer: WebRenderer

    public init(domain: Domain, tokens: TokenService, auditTrail: AuditService) throws {
        self.domain = domain
        self.tokens = tokens
        self.auditTrail = auditTrail
        renderer = try WebRenderer()
    }

    /// The chrome of a page in `section` for the request's caller.
    func chrome(_ request: PageRequest, section: String) async throws -> PageChrome {
        PageChrome(identity: request.caller.identity, csrf: request.csrf, section: section, notice: request.query["notice"], error: request.query["error"],
                   isReviewer: try await domain.memory.isReviewer(request.caller.identity))
    }

    /// The sign-in page (`error` is a failure code from the sign-in form, or a message).
    public func loginPage(next: String, notice: String?, error: String?) -> WebAnswer {
        let errors = ["invalid": "Wrong email or password.", "deactivated": "This account is deactivated."]
        let chrome = PageChrome(identity: nil, csrf: nil, section: "login", notice: notice, error: error.map { errors[$0] ?? $0 })
        var query = CharacterSet.alphanumerics
        query.insert(charactersIn: "-._~/")
        return renderer.page("login", title: "Sign in", values: ["next": next, "google": domain.openID != nil,
                                                                "next_query": next.addingPercentEncoding(withAllowedCharacters: query) ?? "/"],
                             chrome: chrome)
    }

    /// `2026-11-30 06:17 UTC` (formatted by hand: pages show up to thousands of times, and formatters are slow to make).
    static func time(_ date: Date?) -> String {
        guard let date else { return "—" }
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)) UTC"
    }

    /// `1,234,567`.
    static func count(_ value: Int64?) -> String {
        guard let value else { return "—" }
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return value < 0 ? "-" + grouped : grouped
    }

    static func bytes(_ value: Int64?) -> String {
        guard let value else { return "—" }
        let units = ["B", "KB", "MB", "GB", "TB"]
        var size = Double(value)
        var unit = 0
        while size >= 1024, unit < units.count - 1 {
            size /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", size, units[unit])
    }

    /// Long values shortened for a table cell.
    static func clip(_ text: String?) -> String {
        guard let text else { return "—" }
        return text.count > 80 ? String(text.prefix(79)) + "…" : text
    }
}
