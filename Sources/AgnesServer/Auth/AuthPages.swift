// The few HTML pages of the password setup and reset flows (the web UI proper is rendered elsewhere). Every value
// put into a page is HTML-escaped.
import Foundation
import Hummingbird

enum AuthPages {
    struct Field {
        var name: String
        var label: String
        var type = "text"
        var value = ""
    }

    /// A page with a message and, optionally, a form posting `fields` to `action`, and links (same-site paths).
    static func page(title: String, message: String? = nil, error: String? = nil, action: String? = nil, fields: [Field] = [],
                     submit: String = "Continue", links: [(path: String, label: String)] = [], status: HTTPResponse.Status = .ok) -> Response {
        var html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title)) · Agnes</title>
            <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label{display:block;margin:.8rem 0 .2rem}
            input{width:100%;padding:.5rem;box-sizing:border-box}button{margin-top:1rem;padding:.5rem 1rem}.error{color:#b00020}</style>
            </head><body><h1>\(escape(title))</h1>
            """
        if let message { html += "<p>\(escape(message))</p>" }
        if let error { html += "<p class=\"error\" role=\"alert\">\(escape(error))</p>" }
        if let action {
            html += "<form method=\"post\" action=\"\(escape(action))\">"
            for field in fields {
                if field.type == "hidden" {
                    html += "<input type=\"hidden\" name=\"\(escape(field.name))\" value=\"\(escape(field.value))\">"
                } else {
                    html += "<label for=\"\(escape(field.name))\">\(escape(field.label))</label>"
                        + "<input id=\"\(escape(field.name))\" name=\"\(escape(field.name))\" type=\"\(escape(field.type))\" value=\"\(escape(field.value))\" required>"
                }
            }
            html += "<button type=\"submit\">\(escape(submit))</button></form>"
        }
        for link in links { html += "<p><a href=\"\(escape(link.path))\">\(escape(link.label))</a></p>" }
        html += "</body></html>"
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
