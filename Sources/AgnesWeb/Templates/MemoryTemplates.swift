// Corporate memory: the list with search, proposing and voting, and the reviewers' queue.
extension WebTemplates {
    static let memory: [String: String] = [
        "memory": """
            <h1>Corporate memory</h1>
            <form method="get" action="/memory" class="row card">
            <div><label for="q">Search</label><input id="q" name="q" value="{{query}}" placeholder="words in title, text or tags"></div>
            <div><label for="status">Status</label><select id="status" name="status">
            {{#statuses}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/statuses}}</select></div>
            <button type="submit">Search</button>
            </form>
            <p class="muted small">{{total}} items{{#search_mode}} · search: {{search_mode}}{{/search_mode}}</p>
            <div class="scroll"><table id="items"><thead><tr><th>Item</th><th>Status</th><th class="optional">Category</th><th>Votes</th></tr></thead>
            <tbody>
            {{#items}}
            <tr data-item="{{id}}"><td><strong>{{title}}</strong><div class="small">{{content}}</div>{{#has_tags}}<div class="small muted">{{tags}}</div>{{/has_tags}}</td>
            <td><span class="badge {{status}}">{{status}}</span></td><td class="optional">{{category}}</td>
            <td class="votes"><span class="score">+{{upvotes}} / −{{downvotes}}</span>
            <form class="inline" method="post" action="/memory/{{id}}/vote"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="vote" value="{{up_value}}">
            <button type="submit" class="{{^voted_up}}secondary{{/voted_up}}" name="up" title="Vote up">▲</button></form>
            <form class="inline" method="post" action="/memory/{{id}}/vote"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="vote" value="{{down_value}}">
            <button type="submit" class="{{^voted_down}}secondary{{/voted_down}}" name="down" title="Vote down">▼</button></form></td></tr>
            {{/items}}
            {{^items}}<tr><td colspan="4" class="muted">Nothing here yet.</td></tr>{{/items}}
            </tbody></table></div>
            {{#has_pages}}<p class="small" id="pager">{{#previous_link}}<a href="{{previous_link}}" rel="prev">← previous</a> · {{/previous_link}}{{page_label}}{{#next_link}} · <a href="{{next_link}}" rel="next">next →</a>{{/next_link}}</p>{{/has_pages}}
            <h2>Propose an item</h2>
            <form method="post" action="/memory" class="card" id="propose">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label for="title">Title</label><input id="title" name="title" required maxlength="300">
            <label for="content">What everyone should know</label><textarea id="content" name="content"></textarea>
            <div class="row"><div><label for="category">Category</label><input id="category" name="category"></div>
            <div><label for="tags">Tags (comma-separated)</label><input id="tags" name="tags"></div></div>
            <p><button type="submit">Propose</button></p>
            </form>
            """,
        "review": """
            <h1>Review queue</h1>
            <p class="muted small">{{count}} proposed items in the categories you review; the {{shown}} oldest are shown.</p>
            {{#items}}
            <div class="card" data-item="{{id}}">
            <strong>{{title}}</strong> <span class="badge">{{category}}</span> <span class="muted small">+{{upvotes}} / −{{downvotes}}</span>
            <p class="small">{{content}}</p>
            <form method="post" action="/memory/{{id}}/review" class="row">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <div><label for="reason-{{id}}">Reason</label><input id="reason-{{id}}" name="reason"></div>
            <button type="submit" name="action" value="approve">Approve</button>
            <button type="submit" name="action" value="mandate" class="secondary">Mandatory</button>
            <button type="submit" name="action" value="reject" class="danger">Reject</button>
            <button type="submit" name="action" value="archive" class="secondary">Archive</button>
            </form></div>
            {{/items}}
            {{^items}}<p class="muted">Nothing waits for review.</p>{{/items}}
            """,
    ]
}
