/** The AgentCore Runtime data plane's wire names and limits, as the local gateway serves them. */

export const SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id";
export const REQUEST_ID_HEADER = "x-amzn-bedrock-agentcore-runtime-request-id";
export const USER_ID_HEADER = "x-amzn-bedrock-agentcore-runtime-user-id";
/** InvokeAgentRuntime's payload limit, 100 MB (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-invoke-agent.html). */
export const MAX_REQUEST_BYTES = 100_000_000;
/** Default cap on what the gateway relays from the agent. */
export const DEFAULT_MAX_RESPONSE_BYTES = 100 * 1024 * 1024;

export const AUTH_METHOD_MISMATCH =
  "Authorization method mismatch. The agent is configured for a different authorization method than what was used in your request. Check the agent's authorization configuration and ensure your request uses the matching method (OAuth or SigV4)";
