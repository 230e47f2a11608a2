"""The AgentCore Inbound Auth workshop's agent: Strands + a Bedrock model + calculator and weather tools.

Wrapped in BedrockAgentCoreApp, so it serves the AgentCore Runtime HTTP contract on 0.0.0.0:8080:
GET /ping and POST /invocations {"prompt": "..."}.

Inbound auth is enforced by AgentCore Runtime (customJWTAuthorizer) BEFORE a request reaches this code.
When the runtime's requestHeaderAllowlist contains "Authorization", the verified bearer JWT is forwarded,
and this agent reads the caller's claims from it (decoded, not re-verified: the platform already did that).

Run locally:  pip install -r requirements.txt && python agent.py
Env:          BEDROCK_MODEL_ID (model or inference profile id), AWS_REGION
"""

import base64
import json
import logging
import os

from bedrock_agentcore.runtime import BedrockAgentCoreApp
from strands import Agent, tool
from strands.models import BedrockModel
from strands_tools import calculator

DEFAULT_MODEL_ID = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"

app = BedrockAgentCoreApp()
log = logging.getLogger("agent")


@tool
def weather(location: str = "") -> str:
    """Get the current weather. Demo tool: always returns the same forecast.

    Args:
        location: City or place; optional.
    """
    where = f"in {location.strip()} " if location.strip() else ""
    return f"The weather {where}is sunny, 22 °C, with a light breeze."


model = BedrockModel(
    model_id=os.environ.get("BEDROCK_MODEL_ID") or DEFAULT_MODEL_ID,
    region_name=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-west-2",
)
agent = Agent(
    model=model,
    tools=[calculator, weather],
    system_prompt="You're a helpful assistant. You can do simple math calculation, and tell the weather.",
)


def jwt_claims(authorization: str) -> dict | None:
    """Decodes the payload of a bearer JWT WITHOUT verifying it (AgentCore Runtime verified it already)."""
    token = authorization.split(" ", 1)[1] if authorization.lower().startswith("bearer ") else authorization
    parts = token.strip().split(".")
    if len(parts) != 3:
        return None
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, UnicodeDecodeError):
        return None
    return claims if isinstance(claims, dict) else None


def describe_caller(request_headers: dict | None) -> str | None:
    """One sentence naming the caller, or None when the request carried no Authorization header."""
    headers = {name.lower(): value for name, value in (request_headers or {}).items()}
    authorization = headers.get("authorization")
    if not authorization:
        return None
    claims = jwt_claims(authorization)
    if claims is None:
        return "(The request carried an Authorization header, but it is not a JWT.)"
    # Cognito access tokens: username + client_id (no aud). ID tokens: cognito:username + aud. Others: sub + aud/azp.
    username = claims.get("username") or claims.get("cognito:username") or claims.get("preferred_username") or claims.get("sub")
    client_id = claims.get("client_id") or claims.get("azp") or (claims.get("aud") if isinstance(claims.get("aud"), str) else None)
    who = f'user "{username}"' if username else "an unnamed principal"
    return f"(Called by {who}" + (f' via app client "{client_id}"' if client_id else "") + ".)"


@app.entrypoint
def strands_agent_bedrock(payload, context):
    """Invoked with the JSON body of POST /invocations, e.g. {"prompt": "How is the weather now?"}."""
    user_input = payload.get("prompt", "")
    caller = describe_caller(context.request_headers)
    log.info("invocation: session=%s, authenticated=%s", context.session_id, caller is not None)
    response = agent(user_input)
    answer = "".join(block.get("text", "") for block in response.message["content"])
    return f"{answer}\n\n{caller}" if caller else answer


if __name__ == "__main__":
    # PORT: launch --local gives the agent another port when 8080 is busy; AgentCore Runtime uses 8080.
    app.run(port=int(os.environ.get("PORT", "8080")))
