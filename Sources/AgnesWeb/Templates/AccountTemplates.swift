// Signing in, and the user's own personal access tokens.
extension WebTemplates {
    static let account: [String: String] = [
        "mcp_consent": """
            <div class="card" style="max-width:32rem;margin:2rem auto" id="mcp-consent">
            <h1>Connect {{client}}?</h1>
            <p><strong>{{client}}</strong> asks to use Agnes as you, <strong>{{email}}</strong>, through MCP: to list and read the
            tables you may see, query them, search corporate memory and metric definitions, and propose new memory items.</p>
            <p class="muted small">It reads through your grants and every access policy{{#is_admin}} — as an administrator you see no more
            through it than your groups allow{{/is_admin}}. It gets a token valid 8 hours, renewed for up to 30 days unless revoked.
            Afterwards your browser goes back to <code>{{redirect_host}}</code>.</p>
            <form method="post" action="/api/mcp/oauth/consent" class="row"><input type="hidden" name="csrf" value="{{csrf}}">
            <input type="hidden" name="pending" value="{{pending}}">
            <button type="submit" name="decision" value="allow" id="allow">Allow</button>
            <button type="submit" name="decision" value="deny" class="secondary" id="deny">Deny</button></form>
            </div>
            """,
        "login": """
            <div class="card" style="max-width:26rem;margin:2rem auto">
            <h1>Sign in</h1>
            {{#google}}<p><a class="button" id="google-sign-in" href="/auth/google/login?next={{next_query}}">Sign in with Google</a></p>
            <p class="muted small">or with your email:</p>{{/google}}
            <form method="post" action="/auth/password/login/web" id="login">
            <input type="hidden" name="next" value="{{next}}">
            <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
            <p><button type="submit">Sign in</button></p>
            </form>
            <h2>No password?</h2>
            <form method="post" action="/auth/email/send-link" id="magic-link">
            <label for="link-email">Email me a sign-in link</label><input id="link-email" name="email" type="email" required>
            <p><button type="submit" class="secondary">Send link</button></p>
            </form>
            </div>
            """,
        "tokens": """
            <h1>Personal access tokens</h1>
            <p class="muted small">For <code>agnes init --token …</code>, scripts and agents. A token is shown once, when it is made.</p>
            {{#has_new_token}}<div class="card"><p>Your new token <strong>{{new_name}}</strong> — copy it now, it will not be shown again:</p>
            <p class="secret" id="new-token">{{new_token}}</p>
            <pre>agnes init --server-url {{server_url}} --token {{new_token}}</pre></div>{{/has_new_token}}
            <div class="scroll"><table id="tokens"><thead><tr><th>Name</th><th>Prefix</th><th class="optional">Created</th><th>Expires</th><th class="optional">Last used</th><th></th></tr></thead>
            <tbody>{{#tokens}}<tr data-token="{{name}}"><td>{{name}}</td><td><code>{{prefix}}</code></td><td class="optional small">{{created}}</td><td class="small">{{expires}}</td>
            <td class="optional small">{{last_used}}</td><td>{{#revoked}}<span class="badge inactive">revoked</span>{{/revoked}}{{^revoked}}
            <form class="inline" method="post" action="/tokens/{{id}}/revoke"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary">Revoke</button></form>{{/revoked}}</td></tr>{{/tokens}}
            {{^tokens}}<tr><td colspan="6" class="muted">No tokens yet.</td></tr>{{/tokens}}</tbody></table></div>
            <h2>Create a token</h2>
            <form method="post" action="/tokens" class="row card" id="create-token"><input type="hidden" name="csrf" value="{{csrf}}">
            <div><label for="token-name">Name</label><input id="token-name" name="name" required placeholder="laptop"></div>
            <div><label for="days">Expires after (days)</label><input id="days" name="days" value="90" inputmode="numeric"></div>
            <button type="submit">Create</button></form>
            """,
    ]
}
