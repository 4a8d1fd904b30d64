"""Drives an Agnes MCP server with the official MCP Python SDK (the `mcp` package), as a client nobody here wrote.

    mcp_client.py http  URL TOKEN  < plan.json      Streamable HTTP, `Authorization: Bearer TOKEN`
    mcp_client.py sse   URL TOKEN  < plan.json      the older HTTP+SSE transport
    mcp_client.py stdio COMMAND... < plan.json      spawns `agnes mcp` (its environment comes from ours)

The plan is a JSON list of tool calls, `[{"name": "query", "arguments": {...}}, ...]`. Prints one JSON object:
the server's name from `initialize`, the listed tools (name, annotations, whether the schema is an object) and each
call's `is_error`, text and structured content.
"""
import asyncio
import json
import os
import sys

import httpx2
import mcp_types as types
from mcp import ClientSession
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client


async def run(session, plan):
    init = await session.initialize()
    listed = await session.list_tools()
    tools = [
        {
            "name": tool.name,
            "read_only": tool.annotations.read_only_hint if tool.annotations else None,
            "destructive": tool.annotations.destructive_hint if tool.annotations else None,
            "schema_type": tool.input_schema.get("type"),
            "described": bool(tool.description),
        }
        for tool in listed.tools
    ]
    calls = []
    for step in plan:
        result = await session.call_tool(step["name"], step.get("arguments") or {})
        text = "\n".join(block.text for block in result.content if getattr(block, "type", "") == "text")
        calls.append({"name": step["name"], "is_error": bool(result.is_error), "text": text, "structured": result.structured_content})
    return {"server": init.server_info.name, "protocol": init.protocol_version, "tools": tools, "calls": calls}


async def main():
    transport = sys.argv[1]
    plan = json.load(sys.stdin)
    info = types.Implementation(name="agnes-tests", version="1.0")
    if transport in ("http", "sse"):
        url, token = sys.argv[2], sys.argv[3]
        headers = {"Authorization": f"Bearer {token}"}
        if transport == "http":
            async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
                async with streamable_http_client(url, http_client=http) as (read, write):
                    async with ClientSession(read, write, client_info=info) as session:
                        return await run(session, plan)
        async with sse_client(url, headers=headers) as (read, write):
            async with ClientSession(read, write, client_info=info) as session:
                return await run(session, plan)
    server = StdioServerParameters(command=sys.argv[2], args=sys.argv[3:], env=dict(os.environ))
    async with stdio_client(server) as (read, write):
        async with ClientSession(read, write, client_info=info) as session:
            return await run(session, plan)


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
