// Renders the web UI's pages: a page template (HTML-escaped Mustache) inside the layout with the navigation, the
// signed-in user and a flash message. Every value is escaped by Mustache; nothing is put into a page unescaped except
// the rendered body itself.
import AgnesDomain
import Foundation
import Hummingbird
import Mustache

struct WebRenderer: Sendable {
    let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in WebTemplates.all {
            library.register(try MustacheTemplate(string: text), named: name)
        }
        self.library = library
    }

    /// What every page shows around its body.
    struct Chrome {
        var identity: Identity?
        var csrf: String?
        var section: String
        var notice: String?
        var error: String?
        var isReviewer = false
    }

    /// `template` rendered with `values`, inside the layout.
    func page(_ template: String, title: String, values: [String: Any], chrome: Chrome, status: HTTPResponse.Status = .ok) -> Response {
        var values = values
        values["csrf"] = chrome.csrf ?? ""
        let body = library.render(values, withTemplate: template) ?? "template \(template) is missing"
        var layout: [String: Any] = [
            "title": title, "body": body, "signed_in": chrome.identity != nil, "csrf": chrome.csrf ?? "",
            "email": chrome.identity?.user.email ?? "", "is_admin": chrome.identity?.isAdmin ?? false, "is_reviewer": chrome.isReviewer,
            "has_notice": chrome.notice != nil, "notice": chrome.notice ?? "", "has_error": chrome.error != nil, "error": chrome.error ?? "",
        ]
        layout["nav_\(chrome.section)"] = true
        let html = library.render(layout, withTemplate: "layout") ?? body
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
