// Administration: users, groups and members, grants, the registry, data sources, syncs, the audit trail.
extension WebTemplates {
    static let admin: [String: String] = [
        "admin": """
            <h1>Administration</h1>
            <div class="grid">
            <a class="card" href="/admin/users"><strong>{{users}}</strong> users</a>
            <a class="card" href="/admin/groups"><strong>{{groups}}</strong> groups</a>
            <a class="card" href="/admin/grants"><strong>{{grants}}</strong> grants</a>
            <a class="card" href="/admin/tables"><strong>{{tables}}</strong> registered tables</a>
            <a class="card" href="/admin/sources"><strong>{{sources}}</strong> data sources</a>
            <a class="card" href="/admin/sync">Sync: <strong>{{sync_state}}</strong></a>
            <a class="card" href="/admin/audit">Audit trail</a>
            <a class="card" href="/admin/mcp">MCP clients</a>
            <a class="card" href="/admin/usage">Usage</a>
            </div>
            """,
        "admin_usage": """
            <h1>Usage</h1>
            <h2>Pulls</h2>
            <div class="scroll"><table id="pullers"><thead><tr><th>User</th><th>Last pull</th><th class="optional">Tables downloaded ({{unused_days}} days)</th></tr></thead>
            <tbody>{{#pullers}}<tr data-puller="{{email}}"><td>{{email}}</td><td class="small">{{last_pull}}</td><td class="optional small">{{tables}}</td></tr>{{/pullers}}
            {{^pullers}}<tr><td colspan="3" class="muted">No one has pulled yet.</td></tr>{{/pullers}}</tbody></table></div>
            <h2>No pull in {{idle_days}} days</h2>
            <div class="scroll"><table id="idle"><thead><tr><th>User</th><th>Last pull</th></tr></thead>
            <tbody>{{#idle}}<tr data-idle="{{email}}"><td>{{email}}</td><td class="small">{{last_pull}}</td></tr>{{/idle}}
            {{^idle}}<tr><td colspan="2" class="muted">Every workspace pulled in the last {{idle_days}} days.</td></tr>{{/idle}}</tbody></table></div>
            <h2>Tables no one downloaded or queried in {{unused_days}} days</h2>
            <p id="unused">{{#unused}}<a href="/tables/{{.}}"><code>{{.}}</code></a> {{/unused}}{{^unused}}<span class="muted">None: every table was used.</span>{{/unused}}</p>
            """,
        "admin_mcp": """
            <h1>MCP clients</h1>
            <p class="muted small">Agents connect to <code>{{mcp_url}}</code>. Clients register themselves (OAuth dynamic registration); a user
            then allows each one. Revoking a client ends every token it holds: its users must allow it again.</p>
            <div class="scroll"><table id="mcp-clients"><thead><tr><th>Client</th><th>Authorized by</th><th>Tokens</th><th>Last used</th>
            <th class="optional">Registered</th><th></th></tr></thead>
            <tbody>{{#clients}}<tr data-client="{{name}}"><td>{{name}}<br><code class="small">{{id}}</code></td><td class="small">{{users}}</td>
            <td>{{tokens}}</td><td class="small">{{last_used}}</td><td class="optional small">{{registered}} from {{from}}</td>
            <td>{{#has_tokens}}<form class="inline" method="post" action="/admin/mcp/{{id}}/revoke"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" class="secondary">Revoke tokens</button></form>{{/has_tokens}}</td></tr>{{/clients}}
            {{^clients}}<tr><td colspan="6" class="muted">No MCP client has registered yet.</td></tr>{{/clients}}</tbody></table></div>
            """,
        "admin_users": """
            <h1>Users</h1>
            <div class="scroll"><table id="users"><thead><tr><th>Email</th><th class="optional">Name</th><th>Groups</th><th>Status</th><th></th></tr></thead>
            <tbody>{{#users}}<tr data-user="{{email}}"><td>{{email}}{{#is_admin}} <span class="badge mandatory">admin</span>{{/is_admin}}</td><td class="optional">{{name}}</td>
            <td class="small">{{groups}}</td><td><span class="badge {{status}}">{{status}}</span></td>
            <td><form class="inline" method="post" action="/admin/users/{{id}}/{{toggle_action}}"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" class="secondary">{{toggle_label}}</button></form></td></tr>{{/users}}</tbody></table></div>
            <h2>Add a user</h2>
            <form method="post" action="/admin/users" class="row card" id="add-user"><input type="hidden" name="csrf" value="{{csrf}}">
            <div><label for="email">Email</label><input id="email" name="email" type="email" required></div>
            <div><label for="name">Name</label><input id="name" name="name"></div>
            <button type="submit">Add</button></form>
            """,
        "admin_groups": """
            <h1>Groups</h1>
            <div class="scroll"><table id="groups"><thead><tr><th>Group</th><th class="optional">Description</th><th class="num">Members</th><th class="num">Grants</th></tr></thead>
            <tbody>{{#groups}}<tr><td><a href="/admin/groups/{{id}}">{{name}}</a>{{#is_system}} <span class="badge">system</span>{{/is_system}}</td>
            <td class="optional">{{description}}</td><td class="num">{{member_count}}</td><td class="num">{{grant_count}}</td></tr>{{/groups}}</tbody></table></div>
            <h2>Create a group</h2>
            <form method="post" action="/admin/groups" class="row card"><input type="hidden" name="csrf" value="{{csrf}}">
            <div><label for="name">Name</label><input id="name" name="name" required></div>
            <div><label for="description">Description</label><input id="description" name="description"></div>
            <button type="submit">Create</button></form>
            """,
        "admin_group": """
            <h1>{{name}}</h1><p class="muted">{{description}}</p>
            <h2>Members</h2>
            <div class="scroll"><table id="members"><thead><tr><th>Email</th><th class="optional">Added</th><th></th></tr></thead>
            <tbody>{{#members}}<tr data-member="{{email}}"><td>{{email}}</td><td class="optional small">{{added_at}}</td>
            <td>{{^is_everyone}}<form class="inline" method="post" action="/admin/groups/{{group_id}}/members/{{user_id}}/remove"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" class="secondary">Remove</button></form>{{/is_everyone}}</td></tr>{{/members}}
            {{^members}}<tr><td colspan="3" class="muted">No members.</td></tr>{{/members}}</tbody></table></div>
            {{^is_everyone}}<form method="post" action="/admin/groups/{{id}}/members" class="row card" id="add-member"><input type="hidden" name="csrf" value="{{csrf}}">
            <div><label for="member-email">Add a member (email)</label><input id="member-email" name="email" type="email" required></div>
            <button type="submit">Add member</button></form>{{/is_everyone}}
            <h2>Grants</h2>
            <ul>{{#grants}}<li><span class="badge">{{resource_type}}</span> {{resource_id}}</li>{{/grants}}{{^grants}}<li class="muted">None.</li>{{/grants}}</ul>
            <p><a href="/admin/grants">Manage grants</a></p>
            """,
        "admin_grants": """
            <h1>Grants</h1>
            <div class="scroll"><table id="grants"><thead><tr><th>Group</th><th>Type</th><th>Resource</th><th></th></tr></thead>
            <tbody>{{#grants}}<tr data-grant="{{group_name}}:{{resource_type}}:{{resource_id}}"><td>{{group_name}}</td><td><span class="badge">{{resource_type}}</span></td><td>{{resource_id}}{{#required}} <span class="badge mandatory">required</span>{{/required}}</td>
            <td><form class="inline" method="post" action="/admin/grants/{{id}}/delete"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" class="secondary">Revoke</button></form></td></tr>{{/grants}}
            {{^grants}}<tr><td colspan="4" class="muted">No grants.</td></tr>{{/grants}}</tbody></table></div>
            <h2>Grant access</h2>
            <form method="post" action="/admin/grants" class="row card" id="grant"><input type="hidden" name="csrf" value="{{csrf}}">
            <div><label for="group">Group</label><select id="group" name="group_id">{{#group_options}}<option value="{{id}}">{{name}}</option>{{/group_options}}</select></div>
            <div><label for="type">Type</label><select id="type" name="resource_type">{{#types}}<option value="{{key}}">{{display_name}}</option>{{/types}}</select></div>
            <div><label for="resource">Resource</label><input id="resource" name="resource_id" list="table-ids" required></div>
            <div><label for="requirement">Packages and domains</label><select id="requirement" name="requirement">
            <option value="available">available</option><option value="required">required</option></select></div>
            <datalist id="table-ids">{{#table_ids}}<option value="{{.}}">{{/table_ids}}</datalist>
            <button type="submit">Grant</button></form>
            """,
        "admin_tables": """
            <h1>Registered tables</h1>
            <div class="scroll"><table id="registry"><thead><tr><th>Table</th><th>Source</th><th class="optional">Source table</th><th>Mode</th><th class="optional">Strategy</th><th class="optional">Schedule</th><th>Last sync</th><th></th></tr></thead>
            <tbody>{{#tables}}<tr data-table="{{id}}"><td><a href="/tables/{{id}}">{{id}}</a></td><td>{{source}}</td><td class="optional small">{{source_table}}</td><td>{{query_mode}}</td>
            <td class="optional">{{strategy}}</td><td class="optional">{{schedule}}</td><td><span class="badge {{status}}">{{status}}</span> <span class="small muted">{{error}}</span></td>
            <td><a href="/admin/tables/{{id}}">Edit</a> <form method="post" action="/admin/tables/{{id}}/unregister" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" class="secondary">Unregister</button></form></td></tr>{{/tables}}
            {{^tables}}<tr><td colspan="8" class="muted">Nothing registered yet.</td></tr>{{/tables}}</tbody></table></div>
            <h2>Register a table</h2>
            <form method="post" action="/admin/tables" class="card" id="register-table"><input type="hidden" name="csrf" value="{{csrf}}">
            <div><label for="name">Name (the id is derived from it)</label><input id="name" name="name" required></div>
            {{> table_fields}}
            <button type="submit">Register</button></form>
            """,
        "admin_table": """
            <h1>{{id}}</h1>
            <form method="post" action="/admin/tables/{{id}}" class="card" id="edit-table"><input type="hidden" name="csrf" value="{{csrf}}">
            <div><label for="name">Name</label><input id="name" name="name" value="{{name}}"></div>
            {{> table_fields}}
            <button type="submit">Save</button></form>
            <p><a href="/admin/tables">Back to the registry</a></p>
            """,
        "table_fields": """
            <div><label for="source">Data source</label><select id="source" name="source_name">{{#source_options}}<option value="{{name}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/source_options}}</select></div>
            <div><label for="source-table">Source table, file or glob</label><input id="source-table" name="source_table" value="{{source_table}}"></div>
            <div><label for="query">Or a query in the source</label><textarea id="query" name="source_query" rows="3">{{source_query}}</textarea></div>
            <div class="row"><div><label for="mode">Mode</label><select id="mode" name="query_mode">{{#mode_options}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/mode_options}}</select></div>
            <div><label for="strategy">Sync strategy</label><select id="strategy" name="sync_strategy">{{#strategy_options}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/strategy_options}}</select></div>
            <div><label for="schedule">Schedule (every 6h, daily 05:00)</label><input id="schedule" name="sync_schedule" value="{{sync_schedule}}"></div></div>
            <div class="row"><div><label for="primary-key">Primary key (comma-separated)</label><input id="primary-key" name="primary_key" value="{{primary_key}}"></div>
            <div><label for="incremental">Incremental column</label><input id="incremental" name="incremental_column" value="{{incremental_column}}"></div>
            <div><label for="partition">Partition by (a date column)</label><input id="partition" name="partition_by" value="{{partition_by}}"></div></div>
            <div class="row"><div><label for="folder">Folder</label><input id="folder" name="folder" value="{{folder}}"></div>
            <div><label for="description">Description</label><input id="description" name="description" value="{{description}}"></div></div>
            """,
        "admin_sources": """
            <h1>Data sources</h1>
            <div class="scroll"><table id="sources"><thead><tr><th>Name</th><th>Type</th><th class="optional">Configuration</th><th>Secrets from</th><th></th></tr></thead>
            <tbody>{{#sources}}<tr data-source="{{name}}"><td>{{name}}</td><td>{{type}}</td><td class="optional"><code>{{config}}</code></td><td class="small">{{secret_env}}</td>
            <td><a href="/admin/sources/{{name}}">Edit</a> <form method="post" action="/admin/sources/{{name}}/test" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" class="secondary">Test</button></form></td></tr>{{/sources}}
            {{^sources}}<tr><td colspan="5" class="muted">No sources yet.</td></tr>{{/sources}}</tbody></table></div>
            <h2>Add a source</h2>
            <form method="post" action="/admin/sources" class="card" id="add-source"><input type="hidden" name="csrf" value="{{csrf}}">
            <div><label for="source-name">Name (letters, digits, _)</label><input id="source-name" name="name" required></div>
            {{> source_fields}}
            <button type="submit">Add</button></form>
            """,
        "admin_source": """
            <h1>{{name}}</h1>
            <form method="post" action="/admin/sources/{{name}}" class="card" id="edit-source"><input type="hidden" name="csrf" value="{{csrf}}">
            {{> source_fields}}
            <button type="submit">Save</button></form>
            <p><a href="/admin/sources">Back to the sources</a></p>
            """,
        "source_fields": """
            <div><label for="source-type">Type</label><select id="source-type" name="type">{{#type_options}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/type_options}}</select></div>
            <div><label for="config">Configuration (a JSON object; secrets by the name of an environment variable)</label><textarea id="config" name="config" rows="4" required>{{config}}</textarea></div>
            <div><label for="secret-env">Environment variables holding secrets (comma-separated)</label><input id="secret-env" name="secret_env" value="{{secret_env}}"></div>
            """,
        "admin_sync": """
            <h1>Sync</h1>
            <div class="card"><p>Status: <span class="badge {{state_class}}">{{state}}</span> {{running}}</p>
            <form method="post" action="/admin/sync" class="row"><input type="hidden" name="csrf" value="{{csrf}}">
            <div><label for="table">Table (empty: all due tables)</label><select id="table" name="table"><option value="">all due tables</option>
            {{#table_ids}}<option value="{{.}}">{{.}}</option>{{/table_ids}}</select></div>
            <button type="submit">Sync now</button></form></div>
            <h2>Recent syncs</h2>
            <div class="scroll"><table id="history"><thead><tr><th>Table</th><th>Started</th><th>Status</th><th class="num">Rows</th><th class="num optional">Duration</th><th class="optional">Error</th></tr></thead>
            <tbody>{{#history}}<tr><td><a href="/tables/{{table}}">{{table}}</a></td><td class="small">{{started}}</td><td><span class="badge {{status}}">{{status}}</span></td>
            <td class="num">{{rows}}</td><td class="num optional">{{duration}}</td><td class="optional small">{{error}}</td></tr>{{/history}}</tbody></table></div>
            """,
        "admin_audit": """
            <h1>Audit trail</h1>
            <form method="get" action="/admin/audit" class="row card">
            <div><label for="user">User email</label><input id="user" name="user" value="{{user}}"></div>
            <div><label for="action">Action starts with</label><input id="action" name="action" value="{{action}}"></div>
            <div><label for="since">Since (hours)</label><input id="since" name="since" value="{{since}}" inputmode="numeric"></div>
            <button type="submit">Filter</button></form>
            <div class="scroll"><table id="audit"><thead><tr><th>Time</th><th>User</th><th>Action</th><th class="optional">Resource</th><th>Result</th></tr></thead>
            <tbody>{{#rows}}<tr><td class="small">{{timestamp}}</td><td class="small">{{user}}</td><td>{{action}}</td><td class="optional small">{{resource}}</td><td class="small">{{result}}</td></tr>{{/rows}}
            {{^rows}}<tr><td colspan="5" class="muted">No entries.</td></tr>{{/rows}}</tbody></table></div>
            {{#has_more}}<p><a href="{{next_link}}">Older entries</a></p>{{/has_more}}
            """,
    ]
}
