/**
 * The MCP step, for agents whose protocol is MCP, as AgentCore Runtime handles MCP requests
 * (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-mcp-protocol-contract.html):
 * - an Accept header, when sent, must list both application/json and text/event-stream; otherwise the
 *   answer is the one an MCP server gives (406, JSON-RPC error -32000), without reaching the agent;
 * - a request without Mcp-Session-Id gets one (forwarded to the server, as the platform adds it), and
 *   every answer carries one: the server's own when it issued one (stateful servers), else the
 *   client's, else the one added. Clients echo it; the gateway routes it to the same runtime session
 *   (the platform routes it to the same microVM), so the agent sees a stable runtime session id;
 * - Mcp-Protocol-Version, Mcp-Method and Mcp-Name pass through to the server, and Mcp-Protocol-Version
 *   back from it (the InvokeAgentRuntime model's request and response headers).
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { RequestState } from "./types.js";

export const MCP_SESSION_HEADER = "mcp-session-id";
export const MCP_PROTOCOL_VERSION_HEADER = "mcp-protocol-version";
/** Request headers passed to the server unchanged. */
const PASSED_THROUGH = [MCP_PROTOCOL_VERSION_HEADER, "mcp-method", "mcp-name"] as const;
/** Mcp-Session-Id is 1-1024 characters in the InvokeAgentRuntime model. */
const MAX_MCP_SESSION_ID = 1024;
/** Sessions remembered for stickiness; the oldest are forgotten first. */
const MAX_REMEMBERED_SESSIONS = 10_000;

/** True when an Accept header is absent or lists both types an MCP client must accept. */
export function acceptsMcp(accept: string | undefined): boolean {
  if (accept === undefined) return true;
  const types = accept.split(",").map((part) => part.split(";")[0]!.trim().toLowerCase());
  const any = types.includes("*/*");
  return (any || types.includes("application/json")) && (any || types.includes("text/event-stream"));
}

/** The MCP server's answer to an Accept header it cannot serve (the official TypeScript SDK's wording). */
export function notAcceptable(res: http.ServerResponse, state: RequestState, mcpSessionId: string): void {
  state.errorType = "NotAcceptable";
  const body = JSON.stringify({
    jsonrpc: "2.0",
    error: { code: -32000, message: "Not Acceptable: Client must accept both application/json and text/event-stream" },
    id: null,
  });
  res.writeHead(406, { "content-type": "application/json", "content-length": Buffer.byteLength(body), "Mcp-Session-Id": mcpSessionId });
  res.end(body);
}

/** One MCP request's session: the id the client sees and the runtime session it is routed to. */
export interface McpExchange {
  mcpSessionId: string;
  /** The runtime session the MCP session is routed to (used when the caller sent no runtime session id). */
  runtimeSessionId: string;
  /** The MCP headers for the agent. */
  upstreamHeaders: Record<string, string>;
  /** The MCP headers of the answer, from the server's response headers (undefined: no answer from it). */
  responseHeaders(upstream: Record<string, string | string[] | undefined> | undefined): Record<string, string>;
}

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** MCP session ids and the runtime sessions they are routed to (the gateway's stickiness table). */
export class McpSessions {
  private readonly routes = new Map<string, string>();

  /** The exchange for one request; a client id longer than the model allows is replaced, not trusted. */
  exchange(req: http.IncomingMessage): McpExchange {
    const given = single(req.headers[MCP_SESSION_HEADER]);
    const mcpSessionId = given && given.length <= MAX_MCP_SESSION_ID ? given : randomUUID();
    const runtimeSessionId = this.routeOf(mcpSessionId);
    const upstreamHeaders: Record<string, string> = { [MCP_SESSION_HEADER]: mcpSessionId };
    for (const name of PASSED_THROUGH) {
      const value = single(req.headers[name]);
      if (value !== undefined) upstreamHeaders[name] = value;
    }
    // Accepted here means absent, both types, or a wildcard: the server is asked for both, which it requires (406 otherwise).
    upstreamHeaders.accept = "application/json, text/event-stream";
    return {
      mcpSessionId,
      runtimeSessionId,
      upstreamHeaders,
      responseHeaders: (upstream) => {
        const issued = single(upstream?.[MCP_SESSION_HEADER]);
        // A stateful server issues its own id on initialize: that is the one the client must echo, on the same route.
        if (issued && issued !== mcpSessionId) this.remember(issued, runtimeSessionId);
        const headers: Record<string, string> = { "Mcp-Session-Id": issued ?? mcpSessionId };
        const version = single(upstream?.[MCP_PROTOCOL_VERSION_HEADER]);
        if (version !== undefined) headers["Mcp-Protocol-Version"] = version;
        return headers;
      },
    };
  }

  private routeOf(mcpSessionId: string): string {
    const known = this.routes.get(mcpSessionId);
    if (known) return known;
    // A fresh id is a UUID, a valid runtime session id itself; a client's own id is used when it fits (33-256).
    const route = mcpSessionId.length >= 33 && mcpSessionId.length <= 256 ? mcpSessionId : randomUUID();
    this.remember(mcpSessionId, route);
    return route;
  }

  private remember(mcpSessionId: string, route: string): void {
    this.routes.delete(mcpSessionId);
    this.routes.set(mcpSessionId, route);
    if (this.routes.size > MAX_REMEMBERED_SESSIONS) this.routes.delete(this.routes.keys().next().value!);
  }
}
