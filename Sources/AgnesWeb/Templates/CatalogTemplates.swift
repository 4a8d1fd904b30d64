// The catalog and table pages.
extension WebTemplates {
    static let catalog: [String: String] = [
        "catalog": """
            <h1>Catalog</h1>
            <form method="get" action="/catalog" class="row card">
            <div><label for="q">Search tables</label><input id="q" name="q" value="{{query}}" placeholder="id, name or description"></div>
            <button type="submit">Search</button>
            </form>
            <p class="muted small">{{count}} of {{total}} tables you may read.</p>
            <div class="scroll"><table id="tables">
            <thead><tr><th>Table</th><th>Mode</th><th class="num">Rows</th><th class="num optional">Size</th><th>Freshness</th><th class="optional">Description</th></tr></thead>
            <tbody>
            {{#tables}}
            <tr data-table="{{id}}"><td><a href="/tables/{{id}}">{{id}}</a></td><td><span class="badge">{{query_mode}}</span></td>
            <td class="num">{{rows}}</td><td class="num optional">{{size}}</td>
            <td><span class="badge {{freshness}}">{{freshness_label}}</span> <span class="muted small">{{updated}}</span></td>
            <td class="optional">{{description}}</td></tr>
            {{/tables}}
            {{^tables}}<tr><td colspan="6" class="muted">No tables match.</td></tr>{{/tables}}
            </tbody></table></div>
            """,
        "table": """
            <h1>{{id}} <span class="badge">{{query_mode}}</span> <span class="badge {{freshness}}">{{freshness_label}}</span></h1>
            <p>{{description}}</p>
            <div class="grid">
            <div class="card"><strong>{{rows}}</strong><div class="muted small">rows</div></div>
            <div class="card"><strong>{{size}}</strong><div class="muted small">on disk ({{strategy}})</div></div>
            <div class="card"><strong>{{updated}}</strong><div class="muted small">last sync</div></div>
            </div>
            <h2>Use it from agnes</h2>
            <pre id="snippet">agnes schema {{id}}
            agnes describe {{id}} -n 5
            {{#is_remote}}agnes snapshot create {{id}} --select &lt;columns&gt; --where "&lt;predicate&gt;" --estimate{{/is_remote}}{{^is_remote}}agnes pull
            agnes query "SELECT count(*) FROM {{id}}"{{/is_remote}}</pre>
            <h2>Columns</h2>
            {{#policied}}<p class="muted" id="policy-note">This table has an access policy: you see your rows and columns only, and no figures of the whole table.</p>{{/policied}}
            {{#has_profile}}
            <div class="scroll"><table id="columns"><thead><tr><th>Column</th><th>Type</th><th class="num">Nulls</th><th class="num optional">Distinct</th><th class="optional">Min</th><th class="optional">Max</th><th class="optional">Top values</th></tr></thead>
            <tbody>{{#columns}}<tr data-column="{{name}}"><td>{{name}}{{#note}}<br><span class="small muted column-note">{{note}}</span>{{/note}}
            {{#editable}}<form class="inline column-describe" method="post" action="/tables/{{id}}/columns/{{path}}/describe"><input type="hidden" name="csrf" value="{{csrf}}">
            <input name="description" value="{{note}}" placeholder="What it means" aria-label="Description of {{name}}"><button type="submit" class="secondary">Save</button></form>{{/editable}}</td><td><code>{{type}}</code></td><td class="num">{{nulls}}</td><td class="num optional">{{distinct}}</td>
            <td class="optional">{{min}}</td><td class="optional">{{max}}</td><td class="optional small">{{top}}</td></tr>{{/columns}}</tbody></table></div>
            <h2>Sample</h2>
            <div class="scroll"><table id="sample"><thead><tr>{{#sample_columns}}<th>{{.}}</th>{{/sample_columns}}</tr></thead>
            <tbody>{{#sample_rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/sample_rows}}</tbody></table></div>
            {{/has_profile}}
            {{^has_profile}}<p class="muted">No profile yet: it is made after the table's first sync.</p>{{/has_profile}}
            <h2>Sync history</h2>
            <div class="scroll"><table id="history"><thead><tr><th>Started</th><th>Status</th><th class="num">Rows</th><th class="num optional">Duration</th><th>Trigger</th><th class="optional">Error</th></tr></thead>
            <tbody>{{#history}}<tr><td>{{started}}</td><td><span class="badge {{status}}">{{status}}</span></td><td class="num">{{rows}}</td>
            <td class="num optional">{{duration}}</td><td>{{trigger}}</td><td class="optional small">{{error}}</td></tr>{{/history}}
            {{^history}}<tr><td colspan="6" class="muted">Never synced.</td></tr>{{/history}}</tbody></table></div>
            """,
    ]
}
