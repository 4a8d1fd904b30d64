// Metric definitions: the list and one metric with its SQL.
extension WebTemplates {
    static let metrics: [String: String] = [
        "metrics": """
            <h1>Metrics</h1>
            <p class="muted small">Canonical definitions: compute these the same way everywhere. From the CLI: <code>agnes catalog --metrics</code>.</p>
            <div class="scroll"><table id="metrics"><thead><tr><th>Metric</th><th>Name</th><th class="optional">Unit</th><th class="optional">Grain</th><th class="optional">Description</th></tr></thead>
            <tbody>{{#metrics}}<tr><td><a href="/catalog/metrics/{{id}}">{{id}}</a></td><td>{{display_name}}</td><td class="optional">{{unit}}</td>
            <td class="optional">{{grain}}</td><td class="optional small">{{description}}</td></tr>{{/metrics}}
            {{^metrics}}<tr><td colspan="5" class="muted">No metrics defined yet (<code>agnes admin metrics import DIR</code>).</td></tr>{{/metrics}}</tbody></table></div>
            """,
        "metric": """
            <h1>{{display_name}} <span class="badge">{{id}}</span></h1>
            <p>{{description}}</p>
            <div class="grid">
            <div class="card"><div class="muted small">type · unit · grain</div>{{type}} · {{unit}} · {{grain}}</div>
            <div class="card"><div class="muted small">tables</div>{{tables}}</div>
            <div class="card"><div class="muted small">time column</div>{{time_column}}</div>
            </div>
            {{#has_expression}}<h2>Expression</h2><pre>{{expression}}</pre>{{/has_expression}}
            {{#has_sql}}<h2>SQL</h2><pre id="sql">{{sql}}</pre>{{/has_sql}}
            {{#has_lists}}<h2>Details</h2><table><tbody>
            {{#lists}}<tr><th>{{name}}</th><td>{{values}}</td></tr>{{/lists}}</tbody></table>{{/has_lists}}
            <p class="small muted">From the CLI: <code>agnes catalog --metrics --show {{id}}</code></p>
            """,
    ]
}
