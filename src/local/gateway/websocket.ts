/**
 * The WebSocket step: GET /runtimes/{id}/ws with `Upgrade: websocket` (the service's
 * wss://bedrock-agentcore.{region}.amazonaws.com/runtimes/{ARN}/ws, runtime-get-started-websocket), proxied to the
 * agent's own /ws (HTTP and AGUI agents: runtime-http-protocol-contract, runtime-agui-protocol-contract).
 *
 * Before any upgrade the handshake goes through the same steps as an invocation: inbound auth (a bearer token in
 * Authorization for a JWT agent; for an IAM agent SigV4 headers or a presigned URL's X-Amz-* query, the shape only),
 * the session id (the X-Amzn-Bedrock-AgentCore-Runtime-Session-Id header, else the query parameter of that name as the
 * SDKs' presigned URLs carry it, else a new one) and the request header allowlist. A refusal is the same JSON answer an
 * invocation gets, sent instead of the 101. Then the handshake goes to the agent, and its answer comes back as it is:
 * its 101 (then bytes are piped both ways until either side closes) or its refusal (e.g. 404 from an agent with no /ws).
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { protocolContract } from "../../config/protocols.js";
import { logEvent } from "./answer.js";
import { inboundAuth } from "./auth.js";
import { SESSION_HEADER } from "./contract.js";
import { upstreamHeaders } from "./forward.js";
import { route } from "./route.js";
import { readableSessionId, sessionLengthProblem } from "./session.js";
import type { GatewayContext, GatewayLogEvent, Rejection, RequestState, Tunnel } from "./types.js";

type Log = ((event: GatewayLogEvent) => void) | undefined;

/** The handshake headers that go to the agent as they came (RFC 6455 section 4.1); the rest follows the invocation rules. */
const HANDSHAKE_HEADERS = ["sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol", "sec-websocket-extensions"] as const;

/** The largest refusal body of the agent relayed to the caller. */
const MAX_REFUSAL_BYTES = 64 * 1024;

/** One upgrade request, from routing to a proxied connection or a refusal; never throws. */
export async function handleUpgrade(ctx: GatewayContext, log: Log, req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on("error", () => socket.destroy()); // a client reset must not crash the gateway
  const rawUrl = req.url ?? "/";
  const q = rawUrl.indexOf("?");
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : rawUrl.slice(q + 1));
  const state: RequestState = { started: performance.now(), method: req.method ?? "GET", path };
  const refuse = (rejection: Rejection) => refuseUpgrade(socket, state, rejection, log);
  try {
    const to = route(req.method, path, q < 0 ? undefined : rawUrl.slice(q + 1), ctx.agent);
    if (to.kind === "rejected") return refuse(to.rejection);
    if (to.kind !== "websocket") {
      return refuse({
        status: 404,
        errorType: "UnknownOperationException",
        message: `No WebSocket route for ${req.method} ${path}. Use GET /runtimes/{agent}/ws?qualifier=DEFAULT.`,
      });
    }
    const denied = await inboundAuth(ctx, req, to.label, to.qualifier, state, query);
    if (denied) return refuse(denied);
    if (protocolContract(ctx.agent.protocol).invocationPath !== "/invocations") {
      return refuse({
        status: 404,
        errorType: "ResourceNotFoundException",
        message: `Agent '${ctx.agent.name}' serves the ${ctx.agent.protocol} protocol: only HTTP and AGUI agents have a WebSocket endpoint (/ws).`,
      });
    }
    const header = req.headers[SESSION_HEADER];
    const sessionId = typeof header === "string" ? header : (query.get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id") ?? randomUUID());
    state.sessionId = readableSessionId(sessionId);
    const invalid = sessionLengthProblem(sessionId);
    if (invalid) return refuse(invalid);
    if (ctx.agent.whenReady) {
      const readiness = await ctx.agent.whenReady();
      if (!readiness.ready) return refuse(agentFailed(ctx, state, `The agent could not be restarted: ${readiness.reason}.`));
    }
    if (socket.destroyed) return;
    proxy(ctx, log, req, socket, head, state, sessionId, query);
  } catch (error) {
    refuse({ status: 500, errorType: "InternalServerException", message: `The local gateway failed: ${(error as Error).message}` });
  }
}

/** True for a WebSocket handshake; any other upgrade offered (h2c) is served as the plain request it also is. */
export function isWebSocketUpgrade(req: http.IncomingMessage): boolean {
  return (req.headers.upgrade ?? "").toLowerCase() === "websocket";
}

/**
 * A request that offers another upgrade (curl --http2's `Upgrade: h2c` on an http:// URL) is served as the HTTP/1.1
 * request it also is, as a server may ignore Upgrade (RFC 9110 section 7.8). Node handed it to the upgrade handler
 * with its parser detached, so it goes back to the server as a new connection, its head rebuilt without the upgrade
 * headers and followed by what of its body had arrived.
 */
export function serveWithoutUpgrade(server: http.Server, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  let text = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (!/^(upgrade|connection|http2-settings)$/i.test(req.rawHeaders[i]!)) text += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
  }
  socket.unshift(Buffer.concat([Buffer.from(`${text}\r\n`, "latin1"), head]));
  server.emit("connection", socket);
}

/** Sends the handshake to the agent's /ws and relays its answer; a 101 becomes a two-way pipe. */
function proxy(
  ctx: GatewayContext,
  log: Log,
  req: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  state: RequestState,
  sessionId: string,
  query: URLSearchParams,
): void {
  const headers = upstreamHeaders(ctx, req, sessionId, randomUUID());
  headers.connection = "Upgrade";
  headers.upgrade = "websocket";
  for (const name of HANDSHAKE_HEADERS) {
    const value = req.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const target = ctx.upstream.url();
  const upReq = http.request(new URL(`/ws${agentQuery(query)}`, target), { method: "GET", headers, agent: false });
  const onClientGone = () => upReq.destroy();
  socket.once("close", onClientGone);

  upReq.once("upgrade", (upRes, upSocket, upHead) => {
    socket.off("close", onClientGone);
    if (socket.destroyed) {
      upSocket.destroy();
      return;
    }
    socket.write(statusLine(upRes, { "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": sessionId }));
    if (upHead.length > 0) socket.write(upHead);
    if (head.length > 0) upSocket.write(head);
    state.websocket = "opened";
    log?.(logEvent(state, 101));
    tunnel(ctx, log, state, socket, upSocket);
  });
  // The agent refused the upgrade (no /ws: 404, or its own check): its answer goes back as it is.
  upReq.once("response", (upRes) => {
    socket.off("close", onClientGone);
    const chunks: Buffer[] = [];
    let size = 0;
    upRes.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REFUSAL_BYTES) chunks.push(chunk);
    });
    upRes.once("end", () => {
      const body = Buffer.concat(chunks);
      const passed: Record<string, string> = {};
      for (let i = 0; i < upRes.rawHeaders.length; i += 2) {
        const name = upRes.rawHeaders[i]!;
        if (!/^(content-length|transfer-encoding|connection|keep-alive)$/i.test(name)) passed[name] = upRes.rawHeaders[i + 1]!;
      }
      state.websocket = "refused";
      state.reason = `the agent answered the WebSocket handshake with ${upRes.statusCode}`;
      socket.end(
        Buffer.concat([
          rawHead(upRes.statusCode ?? 502, upRes.statusMessage, { ...passed, [SESSION_HEADER]: sessionId }, body.length),
          body,
        ]),
      );
      log?.(logEvent(state, upRes.statusCode ?? 502));
    });
    upRes.once("error", () => socket.destroy());
  });
  upReq.once("error", (error: NodeJS.ErrnoException) => {
    socket.off("close", onClientGone);
    if (socket.destroyed) return;
    const message =
      error.code === "ECONNREFUSED"
        ? `The agent is not reachable at ${target} (connection refused): it is not running or has crashed.`
        : `The agent closed the connection without answering the WebSocket handshake (${error.code ?? error.message}): it may have crashed.`;
    refuseUpgrade(socket, state, agentFailed(ctx, state, message), log);
  });
  upReq.end();
}

/** Pipes the two upgraded sockets into each other until either side closes; one log line when both are gone. */
function tunnel(ctx: GatewayContext, log: Log, state: RequestState, client: Duplex, agent: Socket): void {
  const opened = performance.now();
  (client as Socket).setNoDelay?.(true);
  (client as Socket).setTimeout?.(0);
  agent.setNoDelay(true);
  const pair: Tunnel = { client, agent };
  ctx.tunnels.add(pair);
  // A reset or an error on one side ends the other: nothing is left half-open. (Which side started the WebSocket
  // close handshake is not known here: the bytes are piped, not parsed.)
  client.once("error", () => agent.destroy());
  agent.once("error", () => client.destroy());
  client.once("close", () => agent.destroy());
  agent.once("close", () => {
    client.end();
    setTimeout(() => client.destroy(), 1_000).unref(); // a client that never finishes its half of the close
  });
  let open = 2;
  const gone = () => {
    if (--open > 0) return;
    ctx.tunnels.delete(pair);
    log?.({ ...logEvent(state, 101), ms: Math.round(performance.now() - opened), websocket: "closed" });
  };
  client.once("close", gone);
  agent.once("close", gone);
  client.pipe(agent);
  agent.pipe(client);
}

/** The caller's query for the agent without the SigV4 presign parameters (credential material the agent has no use for). */
function agentQuery(query: URLSearchParams): string {
  const kept = new URLSearchParams();
  for (const [name, value] of query) if (!/^x-amz-/i.test(name)) kept.append(name, value);
  const text = kept.toString();
  return text ? `?${text}` : "";
}

function agentFailed(ctx: GatewayContext, state: RequestState, message: string): Rejection {
  state.problem = `${message}${ctx.agentLogHint}`;
  return { status: 424, errorType: "RuntimeClientError", message: `${message}${ctx.agentLogHint}` };
}

/** A refusal as a plain HTTP response instead of the 101, then the connection closes. */
function refuseUpgrade(socket: Duplex, state: RequestState, rejection: Rejection, log: Log): void {
  if (rejection.reason) state.reason = rejection.reason;
  state.errorType = rejection.errorType;
  state.websocket = "refused";
  if (!socket.destroyed) {
    const body = Buffer.from(JSON.stringify({ message: rejection.message }));
    const headers = { "content-type": "application/json", "x-amzn-ErrorType": rejection.errorType, ...rejection.headers };
    socket.end(Buffer.concat([rawHead(rejection.status, undefined, headers, body.length), body]));
  }
  log?.(logEvent(state, rejection.status));
}

function rawHead(status: number, message: string | undefined, headers: Record<string, string>, length: number): Buffer {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return Buffer.from(
    `HTTP/1.1 ${status} ${message || http.STATUS_CODES[status] || ""}\r\n${lines.join("")}content-length: ${length}\r\nconnection: close\r\n\r\n`,
    "latin1",
  );
}

/** The agent's 101 as it sent it (raw header names and order), plus the gateway's own headers. */
function statusLine(upRes: http.IncomingMessage, extra: Record<string, string>): Buffer {
  let text = `HTTP/1.1 101 ${upRes.statusMessage || "Switching Protocols"}\r\n`;
  for (let i = 0; i < upRes.rawHeaders.length; i += 2) text += `${upRes.rawHeaders[i]}: ${upRes.rawHeaders[i + 1]}\r\n`;
  for (const [name, value] of Object.entries(extra)) text += `${name}: ${value}\r\n`;
  return Buffer.from(`${text}\r\n`, "latin1");
}
