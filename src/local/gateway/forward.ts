/**
 * The forward step: the invocation goes to the agent's protocol path (HTTP and AGUI /invocations, MCP
 * /mcp, A2A /; src/config/protocols.ts) with the service's headers
 * (session id, a new request id, the user id and the allowlisted headers), its answer relayed by
 * stream.ts. Also GET /ping, passed through to the agent without auth.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import { Transform } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { AGENT_CARD_PATH, protocolContract } from "../../config/protocols.js";
import { probeAgent } from "../health.js";
import { reject, sendError } from "./answer.js";
import { MAX_REQUEST_BYTES, REQUEST_ID_HEADER, SESSION_HEADER, USER_ID_HEADER } from "./contract.js";
import { declaredLength, payloadTooLarge } from "./limits.js";
import type { McpExchange } from "./mcp.js";
import { relayTo } from "./stream.js";
import type { GatewayContext, RequestState } from "./types.js";

const SMALL_BODY_BYTES = 64 * 1024;
const EMPTY_BODY = Buffer.alloc(0);
/** How long a refused request waits for the agent's exit to be noticed (and a restart to begin) before it is sent again. */
const RESTART_NOTICE_MS = 50;

/** The headers the agent receives: the service's own, and the caller's that the agent may see. */
export function upstreamHeaders(
  ctx: GatewayContext,
  req: http.IncomingMessage,
  sessionId: string,
  requestId: string,
): http.OutgoingHttpHeaders {
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
  // A2A's own headers pass, or a v1.0 client could not work: without A2A-Version a v1.0 server takes a request for
  // v0.3 (A2A spec 3.6.2). The service's documents do not list them [inferred from the A2A spec].
  if (ctx.agent.protocol === "A2A") {
    for (const name of A2A_HEADERS) {
      const value = h[name];
      if (value !== undefined) headers[name] = value;
    }
  }
  return headers;
}

const A2A_HEADERS = ["a2a-version", "a2a-extensions"] as const;

/**
 * GET …/invocations/.well-known/agent-card.json (GetAgentCard): the A2A agent's own card, relayed as it answers.
 * Behind the same inbound auth as invocations (the caller checked it).
 */
export function forwardAgentCard(
  ctx: GatewayContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  state: RequestState,
  sessionId: string,
): void {
  const requestId = randomUUID();
  const headers = upstreamHeaders(ctx, req, sessionId, requestId);
  delete headers["content-length"];
  delete headers["content-type"];
  const target = ctx.upstream.url();
  ctx.upstream
    .poolFor(target)
    .dispatch(
      { path: AGENT_CARD_PATH, method: "GET", headers: headers as Record<string, string | string[]> },
      relayTo(res, state, { target, sessionId, requestId, maxResponseBytes: ctx.maxResponseBytes, agentLogHint: ctx.agentLogHint }),
    );
}

/**
 * Sends the invocation to the agent and relays its answer to `res`. While the agent is being restarted
 * the request waits for the new one (GatewayAgent.whenReady); a buffered request refused by a port that
 * just closed (the agent crashed a moment ago) is sent again once, after the restart.
 */
export async function forwardInvocation(
  ctx: GatewayContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  state: RequestState,
  sessionId: string,
  mcp?: McpExchange,
): Promise<void> {
  const requestId = randomUUID();
  const headers = upstreamHeaders(ctx, req, sessionId, requestId);
  if (mcp) Object.assign(headers, mcp.upstreamHeaders);
  const length = declaredLength(req);
  // Small bodies with a known length go out with the headers in one write; anything else streams,
  // counted on the way (a chunked body has no declared length to refuse up front).
  // Without a length or chunked framing the request has no body. undici frames a streamed body itself.
  const body =
    length > 0 && length <= SMALL_BODY_BYTES
      ? await readSmallBody(req)
      : req.headers["transfer-encoding"] !== undefined || length > 0
        ? countedBody(req, res, state)
        : EMPTY_BODY;
  if (body === undefined) return; // the client went away while sending

  const send = async (mayRetry: boolean): Promise<void> => {
    if (ctx.agent.whenReady) {
      const readiness = await ctx.agent.whenReady();
      if (res.destroyed || res.writableEnded) return;
      if (!readiness.ready) {
        const message = `The agent could not be restarted: ${readiness.reason}.${ctx.agentLogHint}`;
        state.problem = message;
        return sendError(res, 424, "RuntimeClientError", message, state);
      }
    }
    const target = ctx.upstream.url();
    const retry =
      mayRetry && ctx.agent.whenReady && Buffer.isBuffer(body)
        ? () => {
            // The agent's exit is noticed a moment after its port closes: send() waits in whenReady() until it is
            // (the restart then holds this request), or for a short pause where the agent cannot say.
            if (!ctx.agent.connectionLost) return void delay(RESTART_NOTICE_MS).then(() => send(false));
            ctx.agent.connectionLost();
            void send(false);
          }
        : undefined;
    ctx.upstream.poolFor(target).dispatch(
      { path: ctx.invocationPath, method: "POST", headers: headers as Record<string, string | string[]>, body },
      relayTo(res, state, {
        target,
        sessionId,
        requestId,
        maxResponseBytes: ctx.maxResponseBytes,
        agentLogHint: ctx.agentLogHint,
        onRefused: retry,
        onLost: ctx.agent.connectionLost,
        responseHeaders: mcp?.responseHeaders,
      }),
    );
  };
  await send(true);
}

/**
 * A streamed request body, counted as it passes: past InvokeAgentRuntime's payload limit the request
 * is answered 400 (the same ValidationException as a declared Content-Length over it) and the upload
 * to the agent is aborted before its last chunk, so the agent never sees a complete request to act on.
 */
function countedBody(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState): Transform {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen <= MAX_REQUEST_BYTES) return done(null, chunk);
      req.unpipe(counter);
      req.resume(); // read and drop the rest, so the client reads our answer instead of a reset
      reject(res, state, payloadTooLarge());
      done(new Error("the request body exceeds the payload limit"));
    },
  });
  req.pipe(counter);
  return counter;
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
