/**
 * Is the agent up? Each protocol is asked the way its contract allows:
 * - HTTP and AGUI: GET /ping answers {"status":"Healthy"|"HealthyBusy"} (runtime-service-contract);
 * - MCP: a JSON-RPC `ping` POSTed to /mcp gets a JSON-RPC answer (https://modelcontextprotocol.io/specification/2025-06-18/basic/utilities/ping).
 *   A stateful server refuses a request without a session with a JSON-RPC error: that still proves it
 *   is serving MCP, so any JSON-RPC shaped answer counts, and nothing is left behind (no session opened);
 * - A2A: GET /.well-known/agent-card.json answers a card (an object with a name).
 */
import { AGENT_CARD_PATH, protocolContract, type ServerProtocol } from "../config/protocols.js";

export interface HealthAnswer {
  healthy: boolean;
  /** "Healthy", "HealthyBusy", "MCP ping answered", or what came back instead ("HTTP 503 …"). */
  detail: string;
}

/** What the probe asks, for messages: "GET /ping", "POST /mcp", "GET /.well-known/agent-card.json" (`baseUrl` goes before the path). */
export function probeDescription(protocol: ServerProtocol | undefined, baseUrl = ""): string {
  switch (protocolContract(protocol).health) {
    case "ping":
      return `GET ${baseUrl}/ping`;
    case "mcp":
      return `POST ${baseUrl}${protocolContract(protocol).invocationPath}`;
    case "agent-card":
      return `GET ${baseUrl}${AGENT_CARD_PATH}`;
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The first JSON-RPC message of an answer, whether application/json or an SSE stream of `data:` lines. */
function jsonRpcOf(contentType: string, text: string): { jsonrpc?: unknown } | undefined {
  if (contentType.includes("text/event-stream")) {
    for (const line of text.split(/\r?\n/)) {
      if (line.startsWith("data:")) return parse(line.slice(5).trim()) as { jsonrpc?: unknown } | undefined;
    }
    return undefined;
  }
  return parse(text) as { jsonrpc?: unknown } | undefined;
}

const PING_REQUEST = JSON.stringify({ jsonrpc: "2.0", id: "agentcore-ts-health", method: "ping" });

/** One probe of the agent at `baseUrl`; throws only when nothing answers (connection refused, timeout). */
export async function probeAgent(baseUrl: string, protocol: ServerProtocol | undefined, timeoutMs = 2_000): Promise<HealthAnswer> {
  const signal = AbortSignal.timeout(timeoutMs);
  const kind = protocolContract(protocol).health;
  if (kind === "mcp") {
    const response = await fetch(`${baseUrl}${protocolContract(protocol).invocationPath}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: PING_REQUEST,
      signal,
    });
    // An SSE answer stays open on some servers after the reply: read only what is needed.
    const text = await readSome(response);
    const message = jsonRpcOf(response.headers.get("content-type") ?? "", text);
    if (message?.jsonrpc === "2.0")
      return { healthy: true, detail: response.ok ? "MCP ping answered" : `MCP answered HTTP ${response.status}` };
    return { healthy: false, detail: `HTTP ${response.status} ${text.slice(0, 200)}` };
  }
  if (kind === "agent-card") {
    const response = await fetch(`${baseUrl}${AGENT_CARD_PATH}`, { signal });
    const text = await response.text();
    const card = parse(text) as { name?: unknown } | undefined;
    if (response.ok && typeof card?.name === "string") return { healthy: true, detail: `agent card of ${card.name}` };
    return { healthy: false, detail: `HTTP ${response.status} ${text.slice(0, 200)}` };
  }
  const response = await fetch(`${baseUrl}/ping`, { signal });
  const text = await response.text();
  const status = (parse(text) as { status?: unknown } | undefined)?.status;
  if (response.ok && (status === "Healthy" || status === "HealthyBusy")) return { healthy: true, detail: status };
  return { healthy: false, detail: `HTTP ${response.status} ${text.slice(0, 200)}` };
}

/** The body up to its first complete SSE event or its end (at most 64 KiB). */
async function readSome(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < 65_536) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      if (/\r?\n\r?\n/.test(text) && text.includes("data:")) break;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return text;
}
