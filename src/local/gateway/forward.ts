/**
 * The forward step: the invocation goes to the agent's protocol path (HTTP and AGUI /invocations, MCP
 * /mcp, A2A /; src/config/protocols.ts) with the service's headers
 * (session id, a new request id, the user id and the allowlisted headers), its answer relayed by
 * stream.ts. Also GET /ping, passed through to the agent without auth.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { protocolContract } from "../../config/protocols.js";
import { probeAgent } from "../health.js";
import { sendError } from "./answer.js";
import { REQUEST_ID_HEADER, SESSION_HEADER, USER_ID_HEADER } from "./contract.js";
import { declaredLength } from "./limits.js";
import { relayTo } from "./stream.js";
import type { GatewayContext, RequestState } from "./types.js";

const SMALL_BODY_BYTES = 64 * 1024;
const EMPTY_BODY = Buffer.alloc(0);

/** The headers the agent receives: the service's own, and the caller's that the agent may see. */
function upstreamHeaders(ctx: GatewayContext, req: http.IncomingMessage, sessionId: string, requestId: string): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = { [SESSION_HEADER]: sessionId, [REQUEST_ID_HEADER]: requestId };
  const h = req.headers;
  if (h["content-type"] !== undefined) headers["content-type"] = h["content-type"];
  if (h.accept !== undefined) headers.accept = h.accept;
  if (h["content-length"] !== undefined) headers["content-length"] = h["content-length"];
  if (h[USER_ID_HEADER] !== undefined) headers[USER_ID_HEADER] = h[USER_ID_HEADER];
  for (const name of ctx.allowlist) {
    const value = h[name];
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

/** Sends the invocation to the agent and relays its answer to `res`. */
export async function forwardInvocation(
  ctx: GatewayContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  state: RequestState,
  sessionId: string,
): Promise<void> {
  const requestId = randomUUID();
  const headers = upstreamHeaders(ctx, req, sessionId, requestId);
  const target = ctx.upstream.url();
  const length = declaredLength(req);
  // Small bodies with a known length go out with the headers in one write; anything else streams.
  // Without a length or chunked framing the request has no body. undici frames a streamed body itself.
  const body =
    length > 0 && length <= SMALL_BODY_BYTES
      ? await readSmallBody(req)
      : req.headers["transfer-encoding"] !== undefined || length > 0
        ? req
        : EMPTY_BODY;
  if (body === undefined) return; // the client went away while sending

  ctx.upstream
    .poolFor(target)
    .dispatch(
      { path: ctx.invocationPath, method: "POST", headers: headers as Record<string, string | string[]>, body },
      relayTo(res, state, { target, sessionId, requestId, maxResponseBytes: ctx.maxResponseBytes, agentLogHint: ctx.agentLogHint }),
    );
}

/**
 * GET /ping, passed through to the agent (its health, no auth). An MCP or A2A agent has no /ping: the
 * gateway answers for it from its protocol's probe (src/local/health.ts), in /ping's shape.
 */
export function ping(ctx: GatewayContext, res: http.ServerResponse, state: RequestState): void {
  const target = ctx.upstream.url();
  if (protocolContract(ctx.agent.protocol).health !== "ping") {
    void probeAgent(target, ctx.agent.protocol, 5_000).then(
      (answer) => {
        const body = JSON.stringify({ status: answer.healthy ? "Healthy" : "Unhealthy", detail: answer.detail });
        res.writeHead(answer.healthy ? 200 : 503, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        res.end(body);
      },
      (error: { cause?: { code?: string }; message: string }) =>
        sendError(
          res,
          424,
          "RuntimeClientError",
          `The agent is not reachable at ${target} (${error.cause?.code ?? error.message}).${ctx.agentLogHint}`,
          state,
        ),
    );
    return;
  }
  const upReq = http.get(new URL("/ping", target), { agent: ctx.upstream.httpAgent, timeout: 5_000 }, (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, { "content-type": upRes.headers["content-type"] ?? "application/json" });
    upRes.pipe(res);
  });
  upReq.once("timeout", () => upReq.destroy(new Error("timed out")));
  upReq.once("error", (error: NodeJS.ErrnoException) => {
    sendError(
      res,
      424,
      "RuntimeClientError",
      `The agent is not reachable at ${target} (${error.code ?? error.message}).${ctx.agentLogHint}`,
      state,
    );
  });
}

/** A small request body, whole; undefined when the client goes away before it is sent. */
function readSmallBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.once("close", () => {
      if (!req.complete) resolve(undefined);
    });
    req.once("error", () => resolve(undefined));
  });
}
