"""An MCP server for AgentCore Runtime's MCP protocol on FastMCP: stateless Streamable HTTP on 0.0.0.0:8000/mcp.

The AgentCore MCP guide (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-mcp.html) runs
FastMCP with host 0.0.0.0 and stateless_http=True under the streamable-http transport; the platform adds an
Mcp-Session-Id to requests, which a stateless server accepts. PORT and HOST may override the port and host
(the local runtime of `agentcore-ts launch --local` sets them).
"""

import os

from mcp.server.fastmcp import Context, FastMCP

import tools

mcp = FastMCP(
    "agentcore-ts-example-mcp-python",
    host=os.environ.get("HOST", "0.0.0.0"),
    port=int(os.environ.get("PORT", "8000")),
    stateless_http=True,
)


@mcp.tool()
def calculator(operation: str, a: float, b: float) -> str:
    """Apply one arithmetic operation (add, subtract, multiply, divide, power) to two numbers."""
    result = tools.calculate(operation, a, b)
    return str(int(result)) if float(result).is_integer() else str(result)


@mcp.tool()
def weather(city: str) -> dict:
    """The (demo, deterministic) weather for a city."""
    return tools.weather(city)


@mcp.tool()
def whoami(ctx: Context) -> dict:
    """The caller's identity from the bearer token AgentCore verified."""
    request = ctx.request_context.request
    return tools.whoami(request.headers.get("authorization") if request is not None else None)


if __name__ == "__main__":
    mcp.run(transport="streamable-http")
