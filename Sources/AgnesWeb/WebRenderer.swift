// Renders the web UI's pages: a page template (HTML-escaped Mustache) inside the layout with the navigation, the
// signed-in user and a flash message. Every value is escaped by Mustache; nothing is put into a page unescaped except
// the rendered body itself.
import AgnesDomain
import Foundation
import Mustache

/// The page templates, parsed once.
struct WebRenderer: Sendable {
    let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in WebTemplates.all {
            library.register(try MustacheTemplate(string: text), named: name)
        }
        self.library = library
    }

    /// `template` rendered with `values`, inside the layout of `chrome`.
    func page(_ template: String, title: String, values: [String: Any], chrome: PageChrome, status: Int = 200) -> WebAnswer {
        var values = values
        values["csrf"] = chrome.csrf ?? ""
        let body = library.render(values, withTemplate: template) ?? "template \(template) is missing"
        var layout: [String: Any] = [
            "title": title, "body": body, "signed_in": chrome.identity != nil, "csrf": chrome.csrf ?? "",
            "email": chrome.identity?.user.email ?? "", "is_admin": chrome.identity?.isAdmin ?? false, "is_reviewer": chrome.isReviewer,
            "has_notice": chrome.notice != nil, "notice": chrome.notice ?? "", "has_error": chrome.error != nil, "error": chrome.error ?? "",
        ]
        layout["nav_\(chrome.section)"] = true
        return .page(html: library.render(layout, withTemplate: "layout") ?? body, status: status)
    }
}
