/**
 * The bearer-token InvokeAgentRuntime call. The AWS SDKs cannot send a bearer token, so this is the
 * plain HTTPS request AWS documents for OAuth-authorized agents
 * (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-oauth.html), with node:http so the
 * request carries exactly the headers below and the response streams chunk by chunk.
 */

import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { USER_AGENT } from "../aws/clients.js";
import { AgentcoreError } from "../errors.js";
import type { InvokeFailure } from "./errors.js";
import type { McpHeaders } from "./mcp.js";

export const SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id";
export const ACCEPT = "text/event-stream, application/json";
/** Like the toolkit's requests timeout: agents may think for a long time between chunks. */
const IDLE_TIMEOUT_MS = 900_000;
const MAX_ERROR_BODY = 64 * 1024;
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export interface DataPlaneResponse {
  status: number;
  contentType: string;
  /** The session id the service answered with (it echoes ours). */
  sessionId?: string;
  body: AsyncIterable<Uint8Array>;
  /** How many attempts it took (throttling retries). */
  attempts: number;
  /** The Mcp-Session-Id the runtime answered with (MCP agents). */
  mcpSessionId?: string;
}

/** A non-2xx answer, with the service's own error type and message. */
export class InvokeHttpError extends Error {
  constructor(
    readonly failure: InvokeFailure,
    readonly attempts: number,
  ) {
    super(`${failure.errorType}: ${failure.message}`);
    this.name = "InvokeHttpError";
  }
}

/** The InvokeAgentRuntime MCP headers as HTTP header fields (the same names the SDK model binds). */
function mcpHeaderFields(mcp: McpHeaders): Record<string, string> {
  return {
    "Mcp-Method": mcp.method,
    ...(mcp.sessionId ? { "Mcp-Session-Id": mcp.sessionId } : {}),
    ...(mcp.protocolVersion ? { "Mcp-Protocol-Version": mcp.protocolVersion } : {}),
    ...(mcp.name ? { "Mcp-Name": mcp.name } : {}),
  };
}

export function bearerInvokeUrl(endpoint: string, arn: string, qualifier: string): URL {
  const base = endpoint.replace(/\/+$/, "");
  return new URL(`${base}/runtimes/${encodeURIComponent(arn)}/invocations?qualifier=${encodeURIComponent(qualifier)}`);
}

export interface BearerInvokeRequest {
  /** Base URL: https://bedrock-agentcore.{region}.amazonaws.com or an override. */
  endpoint: string;
  arn: string;
  qualifier: string;
  token: string;
  sessionId: string;
  body: string;
  /** MCP headers (Mcp-Session-Id, Mcp-Protocol-Version, Mcp-Method, Mcp-Name) for MCP agents. */
  mcp?: McpHeaders;
  /** More request headers (A2A-Version for A2A v1.0 agents). */
  headers?: Record<string, string>;
  /** Attempts for throttling and transient 5xx answers (default 3). */
  maxAttempts?: number;
  /** First backoff delay in ms (doubles per attempt, with jitter). */
  backoffBaseMs?: number;
}

interface RawAnswer {
  response: http.IncomingMessage;
}

async function send(url: URL, headers: http.OutgoingHttpHeaders, body: Buffer | undefined): Promise<RawAnswer> {
  // node:https (and TLS) loads only for https endpoints: the local gateway is plain http on loopback.
  const transport = url.protocol === "https:" ? (await import("node:https")).default : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      // agent:false: one request per connection, so no pooled socket outlives the command.
      { method: body === undefined ? "GET" : "POST", headers, agent: false },
      (response) => resolve({ response }),
    );
    request.setTimeout(IDLE_TIMEOUT_MS, () => {
      request.destroy(Object.assign(new Error(`no data for ${IDLE_TIMEOUT_MS / 1000}s`), { code: "ETIMEDOUT" }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

async function readLimited(stream: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (size < limit) chunks.push(Buffer.from(chunk));
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, limit);
}

function headerValue(response: http.IncomingMessage, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const STATUS_TYPES: Record<number, string> = {
  400: "ValidationException",
  401: "UnauthorizedException",
  402: "ServiceQuotaExceededException",
  403: "AccessDeniedException",
  404: "ResourceNotFoundException",
  409: "ConflictException",
  424: "RuntimeClientError",
  429: "ThrottlingException",
  500: "InternalServerException",
  503: "ServiceUnavailableException",
};

/** The service's error type and message from x-amzn-ErrorType and the JSON body. */
export function parseErrorAnswer(
  status: number,
  errorTypeHeader: string | undefined,
  bodyText: string,
  statusText?: string,
): InvokeFailure {
  let body: Record<string, unknown> = {};
  // An event stream (AGUI's 401 is one, with a RUN_ERROR event): its first data line holds the error.
  const sseData = /^data:\s?(.*)$/m.exec(bodyText);
  if (sseData && /^\s*(data|event|id|:)/.test(bodyText)) bodyText = sseData[1];
  try {
    const parsed: unknown = JSON.parse(bodyText);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: the text itself is the message
  }
  // A JSON-RPC error body ({"jsonrpc":"2.0","error":{"code":-32001,"message":…}}), as A2A and MCP runtimes answer.
  if (body.jsonrpc === "2.0" && body.error !== null && typeof body.error === "object")
    body = { ...body, ...(body.error as Record<string, unknown>) };
  const pick = (...keys: string[]) => keys.map((k) => body[k]).find((v): v is string => typeof v === "string" && v !== "");
  // "AccessDeniedException:http://internal.amazon.com/coral/..." or "com.amazon.coral#AccessDeniedException"
  const rawType = errorTypeHeader ?? pick("__type", "code", "Code");
  const errorType = rawType ? (rawType.split(":")[0].split("#").pop() ?? rawType) : (STATUS_TYPES[status] ?? `HTTP${status}`);
  const message =
    pick("message", "Message", "error", "errorMessage") ??
    (bodyText.trim() !== "" ? bodyText.trim().slice(0, 2000) : statusText || `HTTP ${status}`);
  return { status, errorType, message };
}

function backoffMs(attempt: number, base: number, retryAfter: string | undefined): number {
  const seconds = retryAfter !== undefined ? Number(retryAfter) : Number.NaN;
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 20_000);
  const ceiling = Math.min(base * 2 ** (attempt - 1), 5_000);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** POSTs the payload with the bearer token; retries throttling (429) and transient 5xx with backoff. */
export async function invokeWithBearer(request: BearerInvokeRequest): Promise<DataPlaneResponse> {
  const url = bearerInvokeUrl(request.endpoint, request.arn, request.qualifier);
  const body = Buffer.from(request.body, "utf8");
  const headers: http.OutgoingHttpHeaders = {
    Authorization: `Bearer ${request.token}`,
    "Content-Type": "application/json",
    Accept: ACCEPT,
    [SESSION_HEADER]: request.sessionId,
    "User-Agent": USER_AGENT,
    "Content-Length": body.length,
    ...(request.mcp ? mcpHeaderFields(request.mcp) : {}),
    ...request.headers,
  };
  return sendWithRetries(url, headers, body, request);
}

/** GET /runtimes/{arn}/invocations/.well-known/agent-card.json?qualifier=… (GetAgentCard, runtime-a2a) with the bearer token. */
export async function getAgentCardWithBearer(request: Omit<BearerInvokeRequest, "body">): Promise<unknown> {
  const invokeUrl = bearerInvokeUrl(request.endpoint, request.arn, request.qualifier);
  const url = new URL(`${invokeUrl.pathname}/.well-known/agent-card.json${invokeUrl.search}`, invokeUrl);
  const headers: http.OutgoingHttpHeaders = {
    Authorization: `Bearer ${request.token}`,
    Accept: "application/json",
    [SESSION_HEADER]: request.sessionId,
    "User-Agent": USER_AGENT,
  };
  const response = await sendWithRetries(url, headers, undefined, request);
  const text = await readLimited(response.body, 4 * 1024 * 1024);
  try {
    return JSON.parse(text);
  } catch {
    throw new InvokeHttpError(
      { status: response.status, errorType: "InvalidAgentCard", message: `The agent card is not JSON: ${text.slice(0, 200)}` },
      response.attempts,
    );
  }
}

async function sendWithRetries(
  url: URL,
  headers: http.OutgoingHttpHeaders,
  body: Buffer | undefined,
  request: Pick<BearerInvokeRequest, "maxAttempts" | "backoffBaseMs">,
): Promise<DataPlaneResponse> {
  const maxAttempts = Math.max(1, request.maxAttempts ?? 3);
  for (let attempt = 1; ; attempt++) {
    let answer: RawAnswer;
    try {
      answer = await send(url, headers, body);
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      throw new AgentcoreError(`Could not reach ${url.origin} (${code || (error as Error).message}).`, {
        code: "NetworkError",
        hint: "Check the network and the region, and any AWS_ENDPOINT_URL_BEDROCK_AGENTCORE / AWS_ENDPOINT_URL override.",
        cause: error,
      });
    }
    const { response } = answer;
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      return {
        status,
        contentType: headerValue(response, "content-type") ?? "",
        sessionId: headerValue(response, SESSION_HEADER),
        mcpSessionId: headerValue(response, "mcp-session-id"),
        body: response,
        attempts: attempt,
      };
    }
    const text = await readLimited(response, MAX_ERROR_BODY);
    const failure = parseErrorAnswer(status, headerValue(response, "x-amzn-errortype"), text, response.statusMessage);
    const retryable = RETRYABLE_STATUS.has(status) || failure.errorType === "RetryableConflictException";
    if (!retryable || attempt >= maxAttempts) throw new InvokeHttpError(failure, attempt);
    await sleep(backoffMs(attempt, request.backoffBaseMs ?? 250, headerValue(response, "retry-after")));
  }
}
