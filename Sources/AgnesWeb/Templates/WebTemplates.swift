// Every template of the web UI by name; the pages' texts live beside this file, one area per file.
enum WebTemplates {
    static let all: [String: String] = layout.merging(catalog) { $1 }.merging(memory) { $1 }.merging(metrics) { $1 }
        .merging(admin) { $1 }.merging(account) { $1 }.merging(stack) { $1 }

    static let layout: [String: String] = [
        "layout": """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{title}} · Agnes</title><link rel="stylesheet" href="/static/agnes.css"></head>
            <body>
            <header>
            <a class="brand" href="/catalog">Agnes</a>
            {{#signed_in}}
            <a href="/catalog" {{#nav_catalog}}class="current"{{/nav_catalog}}>Catalog</a>
            <a href="/memory" {{#nav_memory}}class="current"{{/nav_memory}}>Memory</a>
            <a href="/catalog/metrics" {{#nav_metrics}}class="current"{{/nav_metrics}}>Metrics</a>
            <a href="/stack" {{#nav_stack}}class="current"{{/nav_stack}}>Packages</a>
            {{#is_reviewer}}<a href="/memory/review" {{#nav_review}}class="current"{{/nav_review}}>Review</a>{{/is_reviewer}}
            {{#is_admin}}<a href="/admin" {{#nav_admin}}class="current"{{/nav_admin}}>Admin</a>{{/is_admin}}
            <span class="who"><a href="/tokens" {{#nav_tokens}}class="current"{{/nav_tokens}}>{{email}}</a>
            <form method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Sign out</button></form></span>
            {{/signed_in}}
            </header>
            <main>
            {{#has_notice}}<div class="flash notice" role="status">{{notice}}</div>{{/has_notice}}
            {{#has_error}}<div class="flash error" role="alert">{{error}}</div>{{/has_error}}
            {{{body}}}
            </main>
            </body></html>
            """,
    ]
}
