/**
 * An MCP client session over InvokeAgentRuntime, for `invoke --mcp`: initialize, the
 * notifications/initialized notification, then one request (tools/list, tools/call), threading the
 * Mcp-Session-Id the runtime returns (https://modelcontextprotocol.io/specification/2025-06-18/basic/lifecycle,
 * https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-mcp-protocol-contract.html). Each message
 * is one InvokeAgentRuntime call through `send`, so both auth modes (bearer, SigV4) carry it the same way.
 * Answers are application/json or an SSE stream holding the JSON-RPC response.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AgentcoreError } from "../errors.js";
import type { DataPlaneResponse } from "./bearer.js";
import { SseParser } from "./render.js";

/** The protocol version offered in initialize; the server may answer with another one it supports. */
export const MCP_PROTOCOL_VERSION = "2025-06-18";
const CLIENT_INFO = { name: "agentcore-ts", version: "1" };
/** Cold start: the server is not ready for requests yet; `@aws/agentcore` retries these three times, 2 s apart. */
const COLD_START = /initiali[sz]ation|initiali[sz]ed/i;

/** The MCP headers of one InvokeAgentRuntime call (the model's mcpSessionId, mcpProtocolVersion, mcpMethod, mcpName). */
export interface McpHeaders {
  sessionId?: string;
  protocolVersion?: string;
  method: string;
  name?: string;
}

export type McpSend = (body: string, headers: McpHeaders) => Promise<DataPlaneResponse>;

export interface McpSessionOptions {
  /** Attempts for cold-start errors (default 3), `retryDelayMs` apart (default 2000). */
  attempts?: number;
  retryDelayMs?: number;
  /** Called before a retry, with the error that caused it. */
  onRetry?: (error: Error, attempt: number) => void;
}

/** A JSON-RPC error the server answered with. */
export class McpRpcError extends AgentcoreError {
  constructor(
    readonly method: string,
    readonly rpcCode: number,
    readonly rpcMessage: string,
    readonly data?: unknown,
  ) {
    super(`The MCP server answered ${method} with error ${rpcCode}: ${rpcMessage}`, {
      code: "McpError",
      hint:
        rpcCode === -32601
          ? "The server does not implement this method."
          : rpcCode === -32602
            ? "Check the tool name and its --input against `invoke --mcp list-tools`."
            : "See the server's log (`agentcore-ts status` names it; locally the log of `launch --local`).",
      details: data === undefined ? undefined : { data },
    });
  }
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of body) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

interface JsonRpcMessage {
  jsonrpc?: string;
  id?: unknown;
  result?: unknown;
  error?: { code?: number; message?: string; data?: unknown };
}

/** The JSON-RPC response with `id` in an answer: one JSON document (or a batch), or the SSE events of a stream. */
export function jsonRpcResponse(contentType: string, text: string, id: number): JsonRpcMessage | undefined {
  const messages: unknown[] = [];
  if (contentType.includes("text/event-stream")) {
    const parser = new SseParser((event) => {
      try {
        messages.push(JSON.parse(event.data));
      } catch {
        // not JSON: not a JSON-RPC message
      }
    });
    parser.push(`${text}\n\n`);
  } else if (text.trim() !== "") {
    try {
      const parsed: unknown = JSON.parse(text);
      messages.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    } catch {
      return undefined;
    }
  }
  return messages.find((m): m is JsonRpcMessage => typeof m === "object" && m !== null && (m as JsonRpcMessage).id === id);
}

/** One MCP session: initialize once, then requests; `sessionId` is what the runtime returned. */
export class McpSession {
  sessionId: string | undefined;
  protocolVersion = MCP_PROTOCOL_VERSION;
  serverInfo: { name?: string; version?: string } | undefined;
  private nextId = 1;

  constructor(
    private readonly send: McpSend,
    private readonly options: McpSessionOptions = {},
  ) {}

  /** initialize + notifications/initialized, then `method`; the whole sequence is retried on cold-start errors. */
  async call(method: string, params: Record<string, unknown>, name?: string): Promise<unknown> {
    const attempts = Math.max(1, this.options.attempts ?? 3);
    for (let attempt = 1; ; attempt++) {
      try {
        if (!this.serverInfo) await this.initialize();
        return await this.request(method, params, name);
      } catch (error) {
        if (attempt >= attempts || !COLD_START.test((error as Error).message)) throw error;
        this.serverInfo = undefined;
        this.sessionId = undefined;
        this.options.onRetry?.(error as Error, attempt);
        await sleep(this.options.retryDelayMs ?? 2_000);
      }
    }
  }

  private async initialize(): Promise<void> {
    const result = (await this.request("initialize", {
      protocolVersion: MCP_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: CLIENT_INFO,
    })) as { protocolVersion?: string; serverInfo?: { name?: string; version?: string } };
    if (typeof result?.protocolVersion === "string") this.protocolVersion = result.protocolVersion;
    this.serverInfo = result?.serverInfo ?? {};
    await this.notify("notifications/initialized");
  }

  private async notify(method: string): Promise<void> {
    const response = await this.send(JSON.stringify({ jsonrpc: "2.0", method }), this.headers(method));
    if (response.mcpSessionId) this.sessionId = response.mcpSessionId;
    await readAll(response.body); // 202 Accepted, no body
  }

  private async request(method: string, params: Record<string, unknown>, name?: string): Promise<unknown> {
    const id = this.nextId++;
    const response = await this.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }), this.headers(method, name));
    if (response.mcpSessionId) this.sessionId = response.mcpSessionId;
    const text = await readAll(response.body);
    const message = jsonRpcResponse(response.contentType, text, id);
    if (!message) {
      throw new AgentcoreError(
        `The MCP server's answer to ${method} holds no JSON-RPC response (HTTP ${response.status}, ${response.contentType || "no content type"}).`,
        {
          code: "McpError",
          hint: `Is the agent an MCP server (configure --protocol MCP) serving POST /mcp? The answer began: ${text.slice(0, 200) || "(empty)"}`,
        },
      );
    }
    if (message.error) throw new McpRpcError(method, message.error.code ?? 0, message.error.message ?? "(no message)", message.error.data);
    return message.result;
  }

  private headers(method: string, name?: string): McpHeaders {
    return {
      method,
      ...(this.sessionId ? { sessionId: this.sessionId } : {}),
      ...(this.serverInfo ? { protocolVersion: this.protocolVersion } : {}),
      ...(name ? { name } : {}),
    };
  }
}
