/**
 * The local AgentCore Runtime data plane: an HTTP gateway on 127.0.0.1 in front of one agent that
 * enforces the agent's inbound auth the way the service does, then forwards the invocation to the
 * path of the agent's protocol (HTTP and AGUI POST /invocations, MCP POST /mcp, A2A POST /).
 *
 * Routes:  POST /runtimes/{percent-encoded ARN or name}/invocations[?qualifier=DEFAULT]
 *          POST /invocations
 *          GET  /ping                                   (the agent's health, no auth)
 *          GET  /runtimes/{id}/invocations/.well-known/oauth-protected-resource   (RFC 9728 metadata)
 *          GET  /runtimes/{id}/invocations/.well-known/agent-card.json            (A2A agents' card, same auth)
 *          GET  /runtimes/{id}/ws[?qualifier=DEFAULT]   with Upgrade: websocket (HTTP and AGUI agents' /ws, same auth)
 * Errors are JSON {"message"} with x-amzn-ErrorType, like the service. Responses (SSE included) are
 * streamed chunk by chunk; the agent failing -> 424 RuntimeClientError, and the gateway stays up.
 *
 * A request goes through steps, each in its own module under src/local/gateway/, in the order
 * `handle` and `invoke` below spell out: route (route.ts) -> inbound auth (auth.ts) -> for MCP agents
 * the Accept check and Mcp-Session-Id (mcp.ts) -> session id (session.ts) -> request size (limits.ts) -> forward (forward.ts) -> stream the answer back
 * (stream.ts). A step that refuses returns a Rejection, answered by answer.ts. WebSocket upgrades take the same
 * steps in websocket.ts, then the connection is piped to the agent's /ws.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { JwtAuthorizer } from "../auth/authorizer.js";
import { protocolContract } from "../config/protocols.js";
import { answerParserError, logWhenDone, reject, rejectAsRunError, sendError } from "./gateway/answer.js";
import { inboundAuth, protectedResourceMetadata } from "./gateway/auth.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "./gateway/contract.js";
import { forwardAgentCard, forwardInvocation, ping } from "./gateway/forward.js";
import { requestSizeProblem } from "./gateway/limits.js";
import { acceptsMcp, McpSessions, notAcceptable } from "./gateway/mcp.js";
import { route } from "./gateway/route.js";
import { readableSessionId, sessionIdOf, sessionLengthProblem } from "./gateway/session.js";
import type { Gateway, GatewayContext, GatewayOptions, RequestState } from "./gateway/types.js";
import { Upstream } from "./gateway/upstream.js";
import { handleUpgrade, isWebSocketUpgrade, serveWithoutUpgrade } from "./gateway/websocket.js";

export {
  AUTH_METHOD_MISMATCH,
  DEFAULT_MAX_RESPONSE_BYTES,
  MAX_REQUEST_BYTES,
  REQUEST_ID_HEADER,
  SESSION_HEADER,
  USER_ID_HEADER,
} from "./gateway/contract.js";
export { labelMatchesAgent } from "./gateway/route.js";
export type { Gateway, GatewayAgent, GatewayLogEvent, GatewayOptions } from "./gateway/types.js";

/** The local "ARN" shown for an agent, shaped like the service's. */
export function localRuntimeArn(name: string, region = "us-east-1"): string {
  return `arn:aws:bedrock-agentcore:${region}:000000000000:runtime/${name}`;
}

/** An invocation's steps after routing: auth, session id, size, then the agent. */
async function invoke(
  ctx: GatewayContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  state: RequestState,
  label: string,
  qualifier: string,
): Promise<void> {
  const mcp = ctx.mcpSessions?.exchange(req);
  const denied = await inboundAuth(ctx, req, label, qualifier, state);
  if (denied?.status === 401 && denied.headers?.["WWW-Authenticate"] && ctx.agent.protocol === "AGUI") {
    return rejectAsRunError(res, state, denied);
  }
  if (denied) return reject(res, state, mcp ? { ...denied, headers: { ...denied.headers, ...mcp.responseHeaders(undefined) } } : denied);
  if (mcp && !acceptsMcp(req.headers.accept)) return notAcceptable(res, state, mcp.mcpSessionId);
  const sessionId = sessionIdOf(req, mcp?.runtimeSessionId);
  state.sessionId = readableSessionId(sessionId);
  const invalid = sessionLengthProblem(sessionId) ?? requestSizeProblem(req);
  if (invalid) return reject(res, state, invalid);
  await forwardInvocation(ctx, req, res, state, sessionId, mcp);
}

/** GET …/invocations/.well-known/agent-card.json: auth and session id as for an invocation, then the A2A agent's card. */
async function agentCard(
  ctx: GatewayContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  state: RequestState,
  label: string,
  qualifier: string,
) {
  const denied = await inboundAuth(ctx, req, label, qualifier);
  if (denied) return reject(res, state, denied);
  if (ctx.agent.protocol !== "A2A") {
    return reject(res, state, {
      status: 404,
      errorType: "ResourceNotFoundException",
      message: `Agent '${ctx.agent.name}' serves the ${ctx.agent.protocol ?? "HTTP"} protocol: only A2A agents have an agent card.`,
    });
  }
  const sessionId = sessionIdOf(req);
  state.sessionId = sessionId;
  const invalid = sessionLengthProblem(sessionId);
  if (invalid) return reject(res, state, invalid);
  forwardAgentCard(ctx, req, res, state, sessionId);
}

/** One request, from routing to its answer; never throws (one request must not crash the gateway). */
async function handle(ctx: GatewayContext, log: GatewayOptions["log"], req: http.IncomingMessage, res: http.ServerResponse) {
  const rawUrl = req.url ?? "/";
  const q = rawUrl.indexOf("?");
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const state: RequestState = { started: performance.now(), method: req.method ?? "GET", path };
  logWhenDone(res, state, log);
  try {
    const to = route(req.method, path, q < 0 ? undefined : rawUrl.slice(q + 1), ctx.agent);
    switch (to.kind) {
      case "invoke":
        return await invoke(ctx, req, res, state, to.label, to.qualifier);
      case "ping":
        return ping(ctx, res, state);
      case "agentCard":
        return await agentCard(ctx, req, res, state, to.label, to.qualifier);
      case "websocket": {
        // The route of a WebSocket handshake asked without `Upgrade: websocket` (RFC 6455 section 4.2.2: 400).
        const denied = await inboundAuth(ctx, req, to.label, to.qualifier);
        return reject(
          res,
          state,
          denied ?? {
            status: 400,
            errorType: "ValidationException",
            message: "This is a WebSocket endpoint: send the handshake (Connection: Upgrade, Upgrade: websocket).",
          },
        );
      }
      case "metadata": {
        const refused = await protectedResourceMetadata(ctx, res, to.label, to.qualifier);
        if (refused) reject(res, state, refused);
        return;
      }
      case "rejected":
        return reject(res, state, to.rejection);
    }
  } catch (error) {
    state.problem = `internal error: ${(error as Error).message}`;
    sendError(res, 500, "InternalServerException", `The local gateway failed: ${(error as Error).message}`, state);
  }
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { agent } = options;
  let baseUrl = "";
  const ctx: GatewayContext = {
    agent,
    authorizer: agent.authorizer ? new JwtAuthorizer(agent.authorizer, options.authorizerOptions) : undefined,
    allowlist: (agent.requestHeaderAllowlist ?? []).map((h) => h.toLowerCase()),
    maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    agentLogHint: options.agentLogHint ? ` Check ${options.agentLogHint}.` : "",
    upstream: new Upstream(agent.upstream),
    invocationPath: protocolContract(agent.protocol).invocationPath,
    mcpSessions: agent.protocol === "MCP" ? new McpSessions() : undefined,
    baseUrl: () => baseUrl,
    tunnels: new Set(),
  };

  const server = http.createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
    void handle(ctx, options.log, req, res);
  });
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (isWebSocketUpgrade(req)) void handleUpgrade(ctx, options.log, req, socket, head);
    else serveWithoutUpgrade(server, req, socket, head);
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => answerParserError(error, socket, options.log));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  baseUrl = `http://${address.address.includes(":") ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url: baseUrl,
    port: address.port,
    authorizer: ctx.authorizer,
    openWebSockets: () => ctx.tunnels.size,
    async close() {
      for (const tunnel of ctx.tunnels) {
        tunnel.client.destroy();
        tunnel.agent.destroy();
      }
      await ctx.upstream.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
