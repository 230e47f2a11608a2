"""The MCP example's tools as plain functions (no MCP import), so they can be tested on their own.

Deterministic and offline, like examples/typescript-mcp: calculator, weather (a fixed demo forecast per
city) and whoami (the caller's claims from the forwarded bearer token).
"""

import base64
import json

CONDITIONS = ["sunny", "cloudy", "light rain", "windy", "foggy"]


def calculate(operation: str, a: float, b: float) -> float:
    """One arithmetic operation on two numbers; a division by zero raises ValueError."""
    if operation == "add":
        return a + b
    if operation == "subtract":
        return a - b
    if operation == "multiply":
        return a * b
    if operation == "divide":
        if b == 0:
            raise ValueError("cannot divide by zero")
        return a / b
    if operation == "power":
        return a**b
    raise ValueError(f"unknown operation {operation!r}: use add, subtract, multiply, divide or power")


def weather(city: str) -> dict:
    """A demo forecast: the same city always gets the same answer (no network, no clock)."""
    name = city.strip()
    h = 0
    for ch in name.lower():
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF
    return {"city": name, "condition": CONDITIONS[h % len(CONDITIONS)], "temperatureC": 5 + (h % 25)}


def whoami(authorization: str | None) -> dict:
    """The caller, decoded from the Authorization header AgentCore forwarded.

    AgentCore Runtime already verified the token (signature, issuer, expiry, allowed clients) before the
    request reached the container, so it is only decoded here. The header is forwarded only when the
    runtime's requestHeaderAllowlist holds "Authorization".
    """
    if not authorization:
        return {"authenticated": False, "note": "no Authorization header reached the server (add it to the requestHeaderAllowlist)"}
    token = authorization.split(" ", 1)[1] if authorization.lower().startswith("bearer ") else authorization
    try:
        payload = token.strip().split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {"authenticated": False, "note": "the Authorization header does not hold a JWT"}

    def text(name: str) -> str | None:
        value = claims.get(name)
        return value if isinstance(value, str) and value else None

    return {
        "authenticated": True,
        "username": text("username") or text("cognito:username") or text("preferred_username") or text("sub"),
        "clientId": text("client_id") or text("azp") or (claims["aud"] if isinstance(claims.get("aud"), str) else None),
        "issuer": text("iss"),
        "scope": text("scope"),
    }
