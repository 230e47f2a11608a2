/**
 * The local AgentCore Runtime data plane: an HTTP gateway on 127.0.0.1 in front of one agent that
 * enforces the agent's inbound auth the way the service does, then forwards the invocation.
 *
 * Routes:  POST /runtimes/{percent-encoded ARN or name}/invocations[?qualifier=DEFAULT]
 *          POST /invocations
 *          GET  /ping                                   (the agent's health, no auth)
 *          GET  /runtimes/{id}/invocations/.well-known/oauth-protected-resource   (RFC 9728 metadata)
 * Auth (customJWTAuthorizer): missing/empty bearer -> 401 + WWW-Authenticate; SigV4 -> 403 method
 * mismatch; bad token -> 401; claim not allowed -> 403; issuer down -> 503. IAM agents: bearer -> 403
 * method mismatch; SigV4-shaped requests are accepted WITHOUT verifying the signature (local only).
 * Errors are JSON {"message"} with x-amzn-ErrorType, like the service. Responses (SSE included) are
 * streamed chunk by chunk; the agent failing -> 424 RuntimeClientError, and the gateway stays up.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type Dispatcher, Pool } from "undici";
import { JwtAuthorizer, type JwtAuthorizerOptions } from "../auth/authorizer.js";
import type { CustomJwtAuthorizer } from "../config/schema.js";

export const SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id";
export const REQUEST_ID_HEADER = "x-amzn-bedrock-agentcore-runtime-request-id";
export const USER_ID_HEADER = "x-amzn-bedrock-agentcore-runtime-user-id";
/** InvokeAgentRuntime's payload limit, 100 MB (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-invoke-agent.html). */
export const MAX_REQUEST_BYTES = 100_000_000;
/** Default cap on what the gateway relays from the agent. */
export const DEFAULT_MAX_RESPONSE_BYTES = 100 * 1024 * 1024;

export const AUTH_METHOD_MISMATCH =
  "Authorization method mismatch. The agent is configured for a different authorization method than what was used in your request. Check the agent's authorization configuration and ensure your request uses the matching method (OAuth or SigV4)";

export interface GatewayAgent {
  name: string;
  /** The agent's base URL (http://127.0.0.1:PORT), or a function returning the current one. */
  upstream: string | (() => string);
  /** null/undefined: IAM (SigV4) inbound auth. */
  authorizer?: CustomJwtAuthorizer | null;
  requestHeaderAllowlist?: readonly string[];
  /** Other identifiers accepted in the path: the deployed runtime's ARN and id. */
  aliases?: readonly string[];
  /** Region used in the local ARN shown to users. */
  region?: string;
}

export interface GatewayLogEvent {
  method: string;
  path: string;
  status: number;
  ms: number;
  sessionId?: string;
  errorType?: string;
  /** A problem worth a warning (agent crashed mid-stream, response too large). */
  problem?: string;
}

export interface GatewayOptions {
  agent: GatewayAgent;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  maxResponseBytes?: number;
  authorizerOptions?: JwtAuthorizerOptions;
  /** Called once per request when it ends. */
  log?: (event: GatewayLogEvent) => void;
  /** Where to look when the agent fails, e.g. "the agent log: /path/agent.log". */
  agentLogHint?: string;
}

export interface Gateway {
  url: string;
  port: number;
  /** The JWT authorizer (undefined for IAM agents). */
  authorizer?: JwtAuthorizer;
  close(): Promise<void>;
}

interface RequestState {
  started: number;
  method: string;
  path: string;
  sessionId?: string;
  errorType?: string;
  problem?: string;
}

function sendError(
  res: http.ServerResponse,
  status: number,
  errorType: string,
  message: string,
  state: RequestState,
  extraHeaders: Record<string, string> = {},
): void {
  state.errorType = errorType;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ message });
  res.writeHead(status, {
    "content-type": "application/json",
    "x-amzn-ErrorType": errorType,
    "content-length": Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

/** The local "ARN" shown for an agent, shaped like the service's. */
export function localRuntimeArn(name: string, region = "us-east-1"): string {
  return `arn:aws:bedrock-agentcore:${region}:000000000000:runtime/${name}`;
}

/** True when `label` (decoded) names the agent: its name, an alias, or any runtime ARN/id of the agent. */
export function labelMatchesAgent(label: string, agent: GatewayAgent): boolean {
  if (label === agent.name || agent.aliases?.includes(label)) return true;
  // An ARN (…:runtime/<id>) or a bare runtime id; ids are "<name>-<suffix>" and names hold no "-".
  const id = label.startsWith("arn:") ? label.slice(label.lastIndexOf(":runtime/") + ":runtime/".length) : label;
  if (label.startsWith("arn:") && !label.includes(":runtime/")) return false;
  return id === agent.name || id.startsWith(`${agent.name}-`);
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { agent } = options;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const authorizer = agent.authorizer ? new JwtAuthorizer(agent.authorizer, options.authorizerOptions) : undefined;
  const allowlist = (agent.requestHeaderAllowlist ?? []).map((h) => h.toLowerCase());
  const upstreamOf = typeof agent.upstream === "function" ? agent.upstream : () => agent.upstream as string;
  // Keep-alive to the agent: no TCP handshake per invocation.
  // Idle sockets are dropped after 4 s, before a typical agent server (uvicorn, node: 5 s) closes them under us.
  // noDelay: every chunk (an SSE event) leaves at once, no Nagle batching.
  const upstreamAgent = new http.Agent({
    keepAlive: true,
    maxSockets: 256,
    scheduling: "lifo",
    timeout: 4_000,
    noDelay: true,
  } as http.AgentOptions);
  // Invocations go through undici (about 1.6x less CPU per request than node:http's client, measured by
  // bench/gateway.mjs). No headers/body timeouts: an agent may think for minutes between SSE events.
  let pool: Pool | undefined;
  let poolOrigin = "";
  const upstreamPool = (origin: string): Pool => {
    if (!pool || origin !== poolOrigin) {
      void pool?.close().catch(() => undefined); // the agent moved (restarted on another port)
      pool = new Pool(origin, { connections: 256, pipelining: 1, keepAliveTimeout: 4_000, headersTimeout: 0, bodyTimeout: 0 });
      poolOrigin = origin;
    }
    return pool;
  };
  const agentLogHint = options.agentLogHint ? ` Check ${options.agentLogHint}.` : "";
  let baseUrl = "";

  const finishLog = (res: http.ServerResponse, state: RequestState) => {
    if (!options.log) return;
    res.once("close", () => {
      options.log!({
        method: state.method,
        path: state.path,
        status: res.statusCode,
        ms: Math.round((performance.now() - state.started) * 10) / 10,
        sessionId: state.sessionId,
        errorType: state.errorType,
        problem: state.problem,
      });
    });
  };

  const resourceMetadataUrl = (label: string, qualifier: string) =>
    `${baseUrl}/runtimes/${encodeURIComponent(label)}/invocations/.well-known/oauth-protected-resource?qualifier=${encodeURIComponent(qualifier)}`;

  async function invoke(req: http.IncomingMessage, res: http.ServerResponse, state: RequestState, label: string, qualifier: string) {
    const authorization = req.headers.authorization;
    const scheme = authorization?.trimStart().slice(0, 16).toUpperCase() ?? "";
    if (authorizer) {
      if (authorization === undefined || /^\s*(bearer)?\s*$/i.test(authorization)) {
        sendError(
          res,
          401,
          "UnauthorizedException",
          "Missing or empty Authorization header: this agent requires an OAuth bearer token (Authorization: Bearer <access token>).",
          state,
          {
            "WWW-Authenticate": `Bearer resource_metadata="${resourceMetadataUrl(label, qualifier)}"`,
          },
        );
        return;
      }
      if (scheme.startsWith("AWS4-HMAC-SHA256")) {
        sendError(res, 403, "AccessDeniedException", AUTH_METHOD_MISMATCH, state);
        return;
      }
      if (!scheme.startsWith("BEARER ")) {
        sendError(res, 401, "UnauthorizedException", 'Invalid Authorization header: expected "Bearer <access token>".', state);
        return;
      }
      const decision = await authorizer.authorize(authorization.trimStart().slice(7));
      if (!decision.allowed) {
        sendError(res, decision.httpStatus, decision.errorType, decision.message, state);
        return;
      }
    } else if (scheme.startsWith("BEARER")) {
      sendError(res, 403, "AccessDeniedException", AUTH_METHOD_MISMATCH, state);
      return;
    } else if (!scheme.startsWith("AWS4-HMAC-SHA256")) {
      sendError(
        res,
        403,
        "MissingAuthenticationTokenException",
        "Missing Authentication Token: this agent uses IAM (SigV4) inbound auth; sign the request with SigV4.",
        state,
      );
      return;
    }

    const given = req.headers[SESSION_HEADER];
    const sessionId = typeof given === "string" ? given : randomUUID();
    state.sessionId = sessionId;
    if (sessionId.length < 33 || sessionId.length > 256) {
      sendError(
        res,
        400,
        "ValidationException",
        `1 validation error detected: Value at 'runtimeSessionId' failed to satisfy constraint: Member must have length ${sessionId.length < 33 ? "greater than or equal to 33" : "less than or equal to 256"}`,
        state,
      );
      return;
    }
    const declaredLength = Number(req.headers["content-length"] ?? 0);
    if (declaredLength > MAX_REQUEST_BYTES) {
      sendError(
        res,
        400,
        "ValidationException",
        `1 validation error detected: Value at 'payload' failed to satisfy constraint: Member must have length less than or equal to ${MAX_REQUEST_BYTES}`,
        state,
      );
      return;
    }

    const requestId = randomUUID();
    const headers: http.OutgoingHttpHeaders = { [SESSION_HEADER]: sessionId, [REQUEST_ID_HEADER]: requestId };
    const h = req.headers;
    if (h["content-type"] !== undefined) headers["content-type"] = h["content-type"];
    if (h.accept !== undefined) headers.accept = h.accept;
    if (h["content-length"] !== undefined) headers["content-length"] = h["content-length"];
    if (h[USER_ID_HEADER] !== undefined) headers[USER_ID_HEADER] = h[USER_ID_HEADER];
    for (const name of allowlist) {
      const value = h[name];
      if (value !== undefined) headers[name] = value;
    }

    const target = upstreamOf();
    // Small bodies with a known length go out with the headers in one write; anything else streams.
    // Without a length or chunked framing the request has no body. undici frames a streamed body itself.
    const body =
      declaredLength > 0 && declaredLength <= SMALL_BODY_BYTES
        ? await readSmallBody(req)
        : h["transfer-encoding"] !== undefined || declaredLength > 0
          ? req
          : EMPTY_BODY;
    if (body === undefined) return; // the client went away while sending

    let controller: Dispatcher.DispatchController | undefined;
    let clientGone = false;
    let settled = false; // a 424 was sent or the relay was abandoned: ignore what the agent does next
    // The client went away: stop the agent's work on this request too.
    res.once("close", () => {
      if (res.writableFinished) return;
      clientGone = true;
      controller?.abort(new Error("client closed the connection"));
    });
    res.on("drain", () => controller?.resume());

    // The agent died mid-stream: end the client's stream without its final chunk, so it is seen as cut.
    const cutStream = () => {
      if (res.writableEnded || res.destroyed) return;
      state.problem ??= `the agent closed the stream before it finished (crashed mid-response?).${agentLogHint}`;
      if (!res.headersSent)
        sendError(res, 424, "RuntimeClientError", `The agent closed the connection before it finished its response.${agentLogHint}`, state);
      else res.destroy();
    };
    const fail424 = (message: string) => {
      settled = true;
      state.problem = message;
      sendError(res, 424, "RuntimeClientError", message, state, { "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": sessionId });
    };

    let status = 502;
    let length = -1;
    let relayed = 0;
    let excerpt: string | undefined; // collecting the agent's error answer (status >= 400)
    let outHeaders: http.OutgoingHttpHeaders = {};
    upstreamPool(target).dispatch(
      { path: "/invocations", method: "POST", headers: headers as Record<string, string | string[]>, body },
      {
        onRequestStart(c) {
          controller = c;
          if (clientGone) c.abort(new Error("client closed the connection"));
        },
        onResponseStart(c, statusCode, upHeaders) {
          if (statusCode < 200) return; // 1xx informational
          status = statusCode;
          if (status >= 400) {
            excerpt = "";
            return;
          }
          length = Number(upHeaders["content-length"] ?? -1);
          if (length > maxResponseBytes) {
            fail424(`The agent's response (${length} bytes) exceeds the gateway's limit of ${maxResponseBytes} bytes.`);
            c.abort(new Error("response too large"));
            return;
          }
          outHeaders = {
            "content-type": upHeaders["content-type"] ?? "application/octet-stream",
            "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": sessionId,
            "x-amzn-RequestId": requestId,
          };
          if (length >= 0) outHeaders["content-length"] = length;
          else outHeaders["cache-control"] = "no-cache";
        },
        onResponseData(c, chunk) {
          if (settled) return;
          if (excerpt !== undefined) {
            if (excerpt.length < ERROR_EXCERPT_CHARS) excerpt += chunk.toString("utf8");
            return;
          }
          relayed += chunk.length;
          if (relayed > maxResponseBytes) {
            const message = `The agent's response exceeds the gateway's limit of ${maxResponseBytes} bytes.`;
            settled = true;
            c.abort(new Error("response too large"));
            if (!res.headersSent) fail424(message);
            else {
              state.problem = `${message} The stream was cut.`;
              res.destroy();
            }
            return;
          }
          // Headers go out with the first chunk: a response over the limit in its first chunk still gets a clean 424.
          if (!res.headersSent) res.writeHead(status, outHeaders);
          // The whole body in one chunk (small JSON answers): headers and body leave in one write.
          if (relayed === length) res.end(chunk);
          else if (!res.write(chunk)) c.pause();
        },
        onResponseEnd() {
          if (settled) return;
          if (excerpt !== undefined) {
            const text = excerpt.slice(0, ERROR_EXCERPT_CHARS).replace(/\s+/g, " ").trim();
            fail424(`Received error (${status}) from the agent${text ? `: ${text}` : ""}.${agentLogHint}`);
            return;
          }
          if (!res.headersSent) res.writeHead(status, outHeaders);
          if (!res.writableEnded) res.end();
        },
        onResponseError(_c, error: Error & { code?: string }) {
          if (settled || clientGone) return;
          if (res.headersSent || relayed > 0) {
            cutStream();
            return;
          }
          const code = error.code ?? (error.cause as { code?: string } | undefined)?.code;
          fail424(
            code === "ECONNREFUSED"
              ? `The agent is not reachable at ${target} (connection refused): it is not running or has crashed.${agentLogHint}`
              : `The agent closed the connection without answering (${code === "UND_ERR_SOCKET" || code === undefined ? "connection closed" : code}): it may have crashed.${agentLogHint}`,
          );
        },
      },
    );
  }

  async function ping(res: http.ServerResponse, state: RequestState) {
    const target = upstreamOf();
    const upReq = http.get(new URL("/ping", target), { agent: upstreamAgent, timeout: 5_000 }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, { "content-type": upRes.headers["content-type"] ?? "application/json" });
      upRes.pipe(res);
    });
    upReq.once("timeout", () => upReq.destroy(new Error("timed out")));
    upReq.once("error", (error: NodeJS.ErrnoException) => {
      sendError(
        res,
        424,
        "RuntimeClientError",
        `The agent is not reachable at ${target} (${error.code ?? error.message}).${agentLogHint}`,
        state,
      );
    });
  }

  function protectedResourceMetadata(res: http.ServerResponse, state: RequestState, label: string) {
    if (!agent.authorizer) {
      sendError(
        res,
        404,
        "ResourceNotFoundException",
        `Agent '${agent.name}' uses IAM (SigV4) inbound auth and has no OAuth protected resource metadata.`,
        state,
      );
      return;
    }
    const body = JSON.stringify({
      resource: `${baseUrl}/runtimes/${encodeURIComponent(label)}/invocations`,
      authorization_servers: [agent.authorizer.discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, "")],
      bearer_methods_supported: ["header"],
      ...(agent.authorizer.allowedScopes?.length ? { scopes_supported: agent.authorizer.allowedScopes } : {}),
    });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const state: RequestState = { started: performance.now(), method: req.method ?? "GET", path };
    finishLog(res, state);
    try {
      const method = req.method;
      if (path === "/invocations" && method === "POST") return await invoke(req, res, state, agent.name, "DEFAULT");
      if (path === "/ping" && method === "GET") return await ping(res, state);
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
        const qualifier = q < 0 ? "DEFAULT" : (new URLSearchParams(rawUrl.slice(q + 1)).get("qualifier") ?? "DEFAULT");
        const known = labelMatchesAgent(label, agent);
        if (
          (action === "/invocations" && method === "POST") ||
          (action === "/invocations/.well-known/oauth-protected-resource" && method === "GET")
        ) {
          if (!known) {
            sendError(
              res,
              404,
              "ResourceNotFoundException",
              `No agent named '${label}' runs in this local gateway (it serves '${agent.name}').`,
              state,
            );
            return;
          }
          if (qualifier !== "DEFAULT") {
            sendError(
              res,
              404,
              "ResourceNotFoundException",
              `No endpoint '${qualifier}' for agent '${agent.name}': the local runtime serves only the DEFAULT endpoint.`,
              state,
            );
            return;
          }
          if (method === "GET") return protectedResourceMetadata(res, state, label);
          return await invoke(req, res, state, label, qualifier);
        }
      }
      sendError(
        res,
        404,
        "UnknownOperationException",
        `No route for ${method} ${path}. Use POST /runtimes/{agent}/invocations?qualifier=DEFAULT or POST /invocations.`,
        state,
      );
    } catch (error) {
      // Never crash the gateway on one request.
      state.problem = `internal error: ${(error as Error).message}`;
      sendError(res, 500, "InternalServerException", `The local gateway failed: ${(error as Error).message}`, state);
    }
  }

  const server = http.createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
    void handle(req, res);
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
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
    authorizer,
    async close() {
      upstreamAgent.destroy();
      await pool?.destroy().catch(() => undefined);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const SMALL_BODY_BYTES = 64 * 1024;

const EMPTY_BODY = Buffer.alloc(0);
const ERROR_EXCERPT_CHARS = 2048;

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
