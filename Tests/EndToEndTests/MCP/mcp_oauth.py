"""The MCP OAuth flow as a desktop client runs it, with the official MCP Python SDK's OAuth client: a request without a
token gets the 401, the SDK discovers the protected-resource and authorization-server metadata from it, registers
itself, opens the authorization URL with a PKCE challenge — here a scripted browser, signed in to the web UI with the
session cookie, follows it to the consent page and presses Allow — takes the code back, exchanges it, and calls tools.
Then the access token is made to look expired, so the SDK refreshes it (rotation), the rotated refresh token is
replayed (the family must die), a fresh authorization is revoked, one is kept, and one is denied.

    mcp_oauth.py BASE_URL SESSION_TOKEN     prints one JSON object with what each step saw
"""
import asyncio
import json
import re
import sys
import time
import urllib.parse

import httpx2
import mcp_types as types
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

REDIRECT = "http://localhost:33418/callback"


class Memory:
    def __init__(self):
        self.tokens, self.client = None, None

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client

    async def set_client_info(self, info):
        self.client = info


class Browser:
    """Follows the authorization URL to the consent page as the signed-in user and answers it."""

    def __init__(self, base, session_token, decision="allow"):
        self.base, self.session, self.decision = base, session_token, decision
        self.result, self.seen = None, {}

    async def open(self, url):
        async with httpx2.AsyncClient(base_url=self.base, cookies={"access_token": self.session}) as http:
            first = await http.get(url, follow_redirects=False)
            self.seen["authorize_status"] = first.status_code
            consent_url = first.headers["location"]
            self.seen["consent_path"] = urllib.parse.urlparse(consent_url).path
            page = await http.get(consent_url)
            self.seen["consent_status"] = page.status_code
            self.seen["consent_names_client"] = "Agnes OAuth test" in page.text
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            pending = re.search(r'name="pending" value="([^"]+)"', page.text).group(1)
            # A post from another site is refused, and does not use up the request.
            foreign = await http.post("/api/mcp/oauth/consent", data={"csrf": csrf, "pending": pending, "decision": "allow"},
                                      headers={"Origin": "https://evil.example"}, follow_redirects=False)
            self.seen["cross_origin_status"] = foreign.status_code
            answer = await http.post("/api/mcp/oauth/consent", data={"csrf": csrf, "pending": pending, "decision": self.decision},
                                     headers={"Origin": self.base}, follow_redirects=False)
            back = urllib.parse.urlparse(answer.headers["location"])
            query = dict(urllib.parse.parse_qsl(back.query))
            self.seen["redirect"] = f"{back.scheme}://{back.netloc}{back.path}"
            self.seen["redirect_query"] = sorted(query)
            self.result = query

    async def callback(self):
        if "code" not in self.result:
            raise RuntimeError("denied: " + json.dumps(self.result))
        return AuthorizationCodeResult(code=self.result["code"], state=self.result.get("state"))


async def session_calls(url, auth, calls):
    async with httpx2.AsyncClient(auth=auth, timeout=60) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write, client_info=types.Implementation(name="oauth-desktop", version="1")) as session:
                await session.initialize()
                out = []
                for name, arguments in calls:
                    result = await session.call_tool(name, arguments)
                    out.append({"is_error": bool(result.is_error), "structured": result.structured_content,
                                "text": "\n".join(b.text for b in result.content if getattr(b, "type", "") == "text")})
                return out


async def main():
    base, session_token = sys.argv[1], sys.argv[2]
    url = base + "/api/mcp/http"
    report = {}
    async with httpx2.AsyncClient() as http:
        bare = await http.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers={"Accept": "application/json"})
        report["unauthenticated"] = {"status": bare.status_code, "challenge": bare.headers.get("www-authenticate", "")}
        metadata = (await http.get(base + "/.well-known/oauth-authorization-server/api/mcp/http")).json()
        report["metadata"] = {k: metadata[k] for k in ("issuer", "authorization_endpoint", "token_endpoint", "registration_endpoint",
                                                      "code_challenge_methods_supported", "scopes_supported")}

    storage, browser = Memory(), Browser(base, session_token)
    metadata = OAuthClientMetadata(client_name="Agnes OAuth test", redirect_uris=[REDIRECT], grant_types=["authorization_code", "refresh_token"],
                                   response_types=["code"], token_endpoint_auth_method="none", scope="read")
    provider = OAuthClientProvider(server_url=url, client_metadata=metadata, storage=storage,
                                   redirect_handler=browser.open, callback_handler=browser.callback)
    report["calls"] = await session_calls(url, provider, [("server_info", {}), ("catalog", {}),
                                                          ("query", {"sql": "SELECT count(*) AS n FROM web_sessions"})])
    report["browser"] = browser.seen
    report["client_registered"] = storage.client is not None and storage.client.client_id.startswith("mcp_")
    first = storage.tokens
    report["token_prefix"] = first.access_token[:13]
    report["scope"] = first.scope

    # Refresh: the SDK renews an expired access token with the refresh token, which rotates.
    provider.context.token_expiry_time = time.time() - 10
    report["after_refresh"] = await session_calls(url, provider, [("server_info", {})])
    second = storage.tokens
    report["rotated"] = second.access_token != first.access_token and second.refresh_token != first.refresh_token
    async with httpx2.AsyncClient() as http:
        old = await http.get(base + "/api/mcp/http")  # warm-up no-op
        token_url = report["metadata"]["token_endpoint"]
        replay = await http.post(token_url, data={"grant_type": "refresh_token", "refresh_token": first.refresh_token,
                                                  "client_id": storage.client.client_id})
        report["replay"] = {"status": replay.status_code, "error": replay.json().get("error")}
        after = await http.post(url, json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
                                headers={"Accept": "application/json", "Authorization": "Bearer " + second.access_token})
        report["family_revoked_status"] = after.status_code
        rest = await http.get(base + "/api/catalog/tables", headers={"Authorization": "Bearer " + second.access_token})
        report["rest_with_mcp_token_status"] = rest.status_code
        del old

    # A new authorization, then revocation through /revoke.
    storage2, browser2 = Memory(), Browser(base, session_token)
    provider2 = OAuthClientProvider(server_url=url, client_metadata=metadata, storage=storage2,
                                    redirect_handler=browser2.open, callback_handler=browser2.callback)
    await session_calls(url, provider2, [("server_info", {})])
    async with httpx2.AsyncClient() as http:
        revoke = await http.post(report["metadata"]["token_endpoint"].replace("/token", "/revoke"),
                                 data={"token": storage2.tokens.refresh_token, "client_id": storage2.client.client_id})
        report["revoke_status"] = revoke.status_code
        after = await http.post(url, json={"jsonrpc": "2.0", "id": 3, "method": "tools/list"},
                                headers={"Accept": "application/json", "Authorization": "Bearer " + storage2.tokens.access_token})
        report["after_revoke_status"] = after.status_code

    # One authorization left in place, for the administrators' view.
    storage4, browser4 = Memory(), Browser(base, session_token)
    provider4 = OAuthClientProvider(server_url=url, client_metadata=metadata, storage=storage4,
                                    redirect_handler=browser4.open, callback_handler=browser4.callback)
    await session_calls(url, provider4, [("server_info", {})])
    report["kept_client_id"] = storage4.client.client_id

    # Deny: the client is sent back with access_denied.
    denier = Browser(base, session_token, decision="deny")
    provider3 = OAuthClientProvider(server_url=url, client_metadata=metadata, storage=Memory(),
                                    redirect_handler=denier.open, callback_handler=denier.callback)
    try:
        await session_calls(url, provider3, [("server_info", {})])
        report["deny"] = "connected"
    except BaseException:  # the SDK gives up when the callback raises
        report["deny"] = denier.result.get("error")
    return report


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
