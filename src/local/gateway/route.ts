/** The gateway's first step: which operation a request asks for, on which agent and endpoint. */
import type { GatewayAgent, Rejection } from "./types.js";

export type Route =
  | { kind: "invoke"; label: string; qualifier: string }
  | { kind: "ping" }
  | { kind: "metadata"; label: string; qualifier: string }
  | { kind: "agentCard"; label: string; qualifier: string }
  /** GET /runtimes/{id}/ws: a WebSocket to the agent's /ws (src/local/gateway/websocket.ts). */
  | { kind: "websocket"; label: string; qualifier: string }
  | { kind: "rejected"; rejection: Rejection };

/** True when `label` (decoded) names the agent: its name, an alias, or any runtime ARN/id of the agent. */
export function labelMatchesAgent(label: string, agent: GatewayAgent): boolean {
  if (label === agent.name || agent.aliases?.includes(label)) return true;
  // An ARN (…:runtime/<id>) or a bare runtime id; ids are "<name>-<suffix>" and names hold no "-".
  const id = label.startsWith("arn:") ? label.slice(label.lastIndexOf(":runtime/") + ":runtime/".length) : label;
  if (label.startsWith("arn:") && !label.includes(":runtime/")) return false;
  return id === agent.name || id.startsWith(`${agent.name}-`);
}

/** Routes `method` on `path` (the URL without its query; `query` is what follows "?", if anything). */
export function route(method: string | undefined, path: string, query: string | undefined, agent: GatewayAgent): Route {
  if (path === "/invocations" && method === "POST") return { kind: "invoke", label: agent.name, qualifier: "DEFAULT" };
  if (path === "/ping" && method === "GET") return { kind: "ping" };
  if (path.startsWith("/runtimes/")) {
    const rest = path.slice("/runtimes/".length);
    const slash = rest.indexOf("/");
    const encodedLabel = slash < 0 ? rest : rest.slice(0, slash);
    const action = slash < 0 ? "" : rest.slice(slash);
    let label: string;
    try {
      label = decodeURIComponent(encodedLabel);
    } catch {
      label = encodedLabel;
    }
    const qualifier = query === undefined ? "DEFAULT" : (new URLSearchParams(query).get("qualifier") ?? "DEFAULT");
    // "/invocations/" too: AWS's A2A tutorial advertises the invoke URL with a trailing slash (runtime-a2a).
    const invocation = (action === "/invocations" || action === "/invocations/") && method === "POST";
    const card = action === "/invocations/.well-known/agent-card.json" && method === "GET";
    const websocket = action === "/ws" && method === "GET";
    if (invocation || card || websocket || (action === "/invocations/.well-known/oauth-protected-resource" && method === "GET")) {
      if (!labelMatchesAgent(label, agent)) {
        return notFound(`No agent named '${label}' runs in this local gateway (it serves '${agent.name}').`);
      }
      if (qualifier !== "DEFAULT") {
        return notFound(`No endpoint '${qualifier}' for agent '${agent.name}': the local runtime serves only the DEFAULT endpoint.`);
      }
      if (card) return { kind: "agentCard", label, qualifier };
      if (websocket) return { kind: "websocket", label, qualifier };
      return method === "GET" ? { kind: "metadata", label, qualifier } : { kind: "invoke", label, qualifier };
    }
  }
  return {
    kind: "rejected",
    rejection: {
      status: 404,
      errorType: "UnknownOperationException",
      message: `No route for ${method} ${path}. Use POST /runtimes/{agent}/invocations?qualifier=DEFAULT or POST /invocations.`,
    },
  };
}

function notFound(message: string): Route {
  return { kind: "rejected", rejection: { status: 404, errorType: "ResourceNotFoundException", message } };
}
