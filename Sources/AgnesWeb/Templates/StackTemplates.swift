// The analyst's stack: data packages and memory domains as cards.
extension WebTemplates {
    static let stack: [String: String] = [
        "stack": """
            <h1>Data packages</h1>
            <p class="muted small">What your groups are granted. {{#auto}}Every package here is in your stack and queryable on the server;
            <code>agnes pull</code> downloads the required ones and those you subscribe to.{{/auto}}{{^auto}}Required packages and those you
            subscribe to are in your stack, and <code>agnes pull</code> downloads them.{{/auto}}</p>
            <div class="grid" id="packages">{{#packages}}
            <div class="card package" data-package="{{slug}}"{{#color}} style="border-top:4px solid {{color}}"{{/color}}>
            <h2>{{#icon}}{{icon}} {{/icon}}{{name}}</h2>
            <p>{{#required}}<span class="badge mandatory">required</span>{{/required}}{{^required}}<span class="badge">available</span>{{/required}}
            {{#materialized}} <span class="badge approved">downloaded</span>{{/materialized}}{{#status}} <span class="badge">{{status}}</span>{{/status}}</p>
            <p class="small">{{description}}</p>
            <p class="small muted">{{items_count}} tables · {{size}}{{#category}} · {{category}}{{/category}}</p>
            <p class="small">{{#tables}}<a href="/tables/{{.}}"><code>{{.}}</code></a> {{/tables}}</p>
            {{#can_subscribe}}<form class="inline" method="post" action="/stack/{{type}}/{{id}}/subscribe"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit">Subscribe</button></form>{{/can_subscribe}}
            {{#can_leave}}<form class="inline" method="post" action="/stack/{{type}}/{{id}}/unsubscribe"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" class="secondary">Leave</button></form>{{/can_leave}}
            </div>{{/packages}}
            {{^packages}}<p class="muted">None of your groups is granted a data package yet.</p>{{/packages}}</div>
            <h2>Memory domains</h2>
            <div class="grid" id="domains">{{#domains}}
            <div class="card package" data-domain="{{slug}}"{{#color}} style="border-top:4px solid {{color}}"{{/color}}>
            <h3>{{#icon}}{{icon}} {{/icon}}{{name}}</h3>
            <p>{{#required}}<span class="badge mandatory">required</span>{{/required}}{{^required}}<span class="badge">available</span>{{/required}}
            {{#materialized}} <span class="badge approved">downloaded</span>{{/materialized}}</p>
            <p class="small">{{description}}</p><p class="small muted">{{items_count}} items</p>
            {{#can_subscribe}}<form class="inline" method="post" action="/stack/{{type}}/{{id}}/subscribe"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit">Subscribe</button></form>{{/can_subscribe}}
            {{#can_leave}}<form class="inline" method="post" action="/stack/{{type}}/{{id}}/unsubscribe"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" class="secondary">Leave</button></form>{{/can_leave}}
            </div>{{/domains}}
            {{^domains}}<p class="muted">No memory domain yet.</p>{{/domains}}</div>
            """,
    ]
}
