/**
 * A2A over the AgentCore data plane: the agent card tells which A2A generation the agent speaks, the payload
 * goes out as a user message in a streaming JSON-RPC request to the invoke URL (the service passes the body to
 * the container's POST / unchanged, runtime-a2a), and the answer's artifact text is written as it streams.
 *
 * Generations (A2A v1.0 https://a2a-protocol.org/v1.0.0/specification/ and v0.3):
 * - a card that lists a v0.3 JSON-RPC interface, or is a v0.3 card (`protocolVersion` 0.x): `message/stream`,
 *   the name AWS's A2A docs, `@aws/agentcore` and the Python a2a-sdk 0.3 servers use; no extra header;
 * - otherwise (v1.0 only): `SendStreamingMessage` with `A2A-Version: 1.0`; without that header a v1.0 server
 *   (@a2a-js/sdk 1.3.0) takes the request for v0.3 and answers -32601 "Method not found" (spec 3.6.2).
 * Both answer with the same four kinds of result (task, message, status update, artifact update), spelled
 * differently: v0.3 `{"kind":"artifact-update", ...}` and `"state":"failed"`, v1.0 `{"artifactUpdate":{...}}` and
 * `"state":"TASK_STATE_FAILED"`. Parts carry their text in `text` in both.
 */
import { randomUUID } from "node:crypto";
import type { InvokeFailure } from "./errors.js";
import { BodyReader, type ChunkSink, isJsonObject as isObject, LineWriter, parseJson } from "./render.js";

export type A2aGeneration = "1.0" | "0.3";

const V1_HEADERS = { "A2A-Version": "1.0" } as const;

type Json = Record<string, unknown>;

/** Which generation to speak to the agent whose card this is. */
export function a2aGeneration(card: unknown): A2aGeneration {
  if (!isObject(card)) return "0.3";
  const interfaces = Array.isArray(card.supportedInterfaces) ? card.supportedInterfaces.filter(isObject) : [];
  const jsonRpc = interfaces.filter((i) => String(i.protocolBinding ?? "").toUpperCase() === "JSONRPC");
  if (jsonRpc.some((i) => String(i.protocolVersion ?? "").startsWith("0."))) return "0.3";
  if (typeof card.protocolVersion === "string" && card.protocolVersion.startsWith("0.")) return "0.3";
  return jsonRpc.some((i) => String(i.protocolVersion ?? "").startsWith("1.")) ? "1.0" : "0.3";
}

/** The user's text in an invoke payload: {"prompt": ...} gives the prompt, other JSON is sent as its text. */
export function promptOf(payloadBody: string): string {
  const parsed = parseJson(payloadBody);
  if (parsed.ok && isObject(parsed.value) && typeof parsed.value.prompt === "string") return parsed.value.prompt;
  if (parsed.ok && typeof parsed.value === "string") return parsed.value;
  return payloadBody;
}

export interface A2aRequest {
  body: string;
  /** Headers the request needs besides auth and session (A2A-Version for v1.0). */
  headers: Record<string, string>;
  /** The JSON-RPC method sent. */
  method: string;
}

/**
 * The streaming JSON-RPC request for a payload. A payload that already is a JSON-RPC request (has "jsonrpc")
 * is sent as it is, for methods this command does not build (tasks/get, GetTask, ...).
 */
export function a2aRequest(payloadBody: string, generation: A2aGeneration, contextId?: string): A2aRequest {
  const parsed = parseJson(payloadBody);
  const headers: Record<string, string> = generation === "1.0" ? { ...V1_HEADERS } : {};
  if (parsed.ok && isObject(parsed.value) && parsed.value.jsonrpc === "2.0") {
    return { body: payloadBody, headers, method: String(parsed.value.method ?? "") };
  }
  const text = promptOf(payloadBody);
  const messageId = randomUUID();
  // The conversation's contextId, from the agent's last answer in this session: the agent continues it
  // (Message.contextId, https://a2a-protocol.org/v1.0.0/specification/ and v0.3). Both generations spell it contextId in JSON.
  const context = contextId ? { contextId } : {};
  const [method, message] =
    generation === "1.0"
      ? ["SendStreamingMessage", { messageId, role: "ROLE_USER", parts: [{ text }], ...context }]
      : ["message/stream", { kind: "message", messageId, role: "user", parts: [{ kind: "text", text }], ...context }];
  return { body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { message } }), headers, method };
}

/**
 * Service-side errors of an A2A runtime travel as JSON-RPC errors with HTTP 200 (runtime-a2a, troubleshooting):
 * the same exceptions as for HTTP agents, so they get the same error rows and hints.
 */
const SERVICE_RPC_ERRORS: Record<number, { status: number; errorType: string }> = {
  [-32501]: { status: 404, errorType: "ResourceNotFoundException" },
  [-32502]: { status: 400, errorType: "ValidationException" },
  [-32503]: { status: 429, errorType: "ThrottlingException" },
  [-32504]: { status: 409, errorType: "ConflictException" },
  [-32505]: { status: 424, errorType: "RuntimeClientError" },
};

export type A2aFailure =
  /** A JSON-RPC error the service sent for one of its exceptions. */
  | { kind: "service"; failure: InvokeFailure }
  /** A JSON-RPC error from the agent itself. */
  | { kind: "rpc"; code: number; message: string }
  /** The task ended failed, rejected or canceled. */
  | { kind: "task"; state: string; message: string };

export interface A2aCollected {
  /** The answer's text: artifact text, else the agent's message text. */
  response: string;
  /** Every JSON-RPC result (or error) received, parsed. */
  events: unknown[];
  failure?: A2aFailure;
  /** The last task state seen, lower-case v0.3 spelling (completed, failed, input-required, ...). */
  state?: string;
  /** The conversation the agent answered in (the results' contextId): the next message in the session continues it. */
  contextId?: string;
}

function partsText(parts: unknown): string {
  if (!Array.isArray(parts)) return "";
  return parts.map((part) => (isObject(part) && typeof part.text === "string" ? part.text : "")).join("");
}

/** "TASK_STATE_INPUT_REQUIRED" and "input-required" both become "input-required". */
function stateName(state: unknown): string | undefined {
  if (typeof state !== "string") return undefined;
  return state
    .replace(/^TASK_STATE_/, "")
    .toLowerCase()
    .replace(/_/g, "-");
}

type Result = { kind: "task" | "message" | "status" | "artifact"; value: Json };

/** One JSON-RPC result in either generation's spelling. */
function normalize(result: unknown): Result | undefined {
  if (!isObject(result)) return undefined;
  switch (result.kind) {
    case "task":
      return { kind: "task", value: result };
    case "message":
      return { kind: "message", value: result };
    case "status-update":
      return { kind: "status", value: result };
    case "artifact-update":
      return { kind: "artifact", value: result };
  }
  for (const [key, kind] of [
    ["task", "task"],
    ["message", "message"],
    ["statusUpdate", "status"],
    ["artifactUpdate", "artifact"],
  ] as const) {
    if (isObject(result[key])) return { kind, value: result[key] as Json };
  }
  return undefined;
}

const FAILED_STATES = new Set(["failed", "rejected", "canceled"]);

/** Renders an A2A answer (an SSE stream of JSON-RPC responses, or one JSON-RPC response) as it arrives. */
export class A2aRenderer {
  private readonly out: LineWriter;
  private readonly reader: BodyReader;
  private text = "";
  private readonly events: unknown[] = [];
  private failure?: A2aFailure;
  private state?: string;
  private lastArtifactId?: string;
  private sawArtifact = false;
  private contextId?: string;

  constructor(contentType: string | undefined, sink: ChunkSink) {
    this.out = new LineWriter(sink);
    // A streamed answer is one JSON-RPC response per event; a plain one is a single JSON-RPC response.
    this.reader = new BodyReader(
      contentType,
      (data) => this.onResponse(data),
      (body) => this.onResponse(body),
    );
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  end(): A2aCollected {
    this.reader.end();
    this.out.finishLine();
    return {
      response: this.text,
      events: this.events,
      ...(this.failure ? { failure: this.failure } : {}),
      ...(this.state ? { state: this.state } : {}),
      ...(this.contextId ? { contextId: this.contextId } : {}),
    };
  }

  private write(text: string): void {
    this.text += text;
    this.out.emit(text);
  }

  private onResponse(data: string): void {
    const parsed = parseJson(data);
    if (!parsed.ok || !isObject(parsed.value)) {
      this.events.push(data);
      this.failure ??= { kind: "rpc", code: 0, message: `The agent answered something that is not JSON-RPC: ${data.slice(0, 200)}` };
      return;
    }
    const response = parsed.value;
    if (isObject(response.error)) {
      this.events.push(response);
      const code = Number(response.error.code);
      const message = typeof response.error.message === "string" ? response.error.message : JSON.stringify(response.error);
      const service = SERVICE_RPC_ERRORS[code];
      this.failure ??= service ? { kind: "service", failure: { ...service, message } } : { kind: "rpc", code, message };
      return;
    }
    this.events.push(response.result);
    const result = normalize(response.result);
    if (result) this.onResult(result);
  }

  private onResult({ kind, value }: Result): void {
    if (typeof value.contextId === "string" && value.contextId !== "") this.contextId = value.contextId;
    if (kind === "artifact") {
      const artifact = isObject(value.artifact) ? value.artifact : {};
      const id = typeof artifact.artifactId === "string" ? artifact.artifactId : undefined;
      // A new artifact starts on its own line; chunks of one artifact (append) join.
      if (this.sawArtifact && id !== this.lastArtifactId && this.text !== "" && !this.text.endsWith("\n")) this.write("\n");
      this.lastArtifactId = id;
      this.sawArtifact = true;
      this.write(partsText(artifact.parts));
      return;
    }
    if (kind === "message") {
      if (value.role === "user" || value.role === "ROLE_USER") return;
      this.write(partsText(value.parts));
      return;
    }
    const status = isObject(value.status) ? value.status : {};
    const state = stateName(status.state);
    if (state) this.state = state;
    const statusText = isObject(status.message) ? partsText(status.message.parts) : "";
    if (kind === "task" && !this.sawArtifact && Array.isArray(value.artifacts)) {
      // A non-streaming answer: the whole task, artifacts included.
      const texts = value.artifacts.filter(isObject).map((artifact) => partsText(artifact.parts));
      if (texts.some((t) => t !== "")) {
        this.sawArtifact = true;
        this.write(texts.join("\n"));
      }
    }
    if (state && FAILED_STATES.has(state)) {
      this.failure ??= { kind: "task", state, message: statusText || `the task ended ${state}` };
      return;
    }
    // input-required / auth-required: the agent asks something; show it.
    if (state?.endsWith("-required") && statusText) {
      this.out.finishLine();
      this.write(`${statusText}\n`);
    }
  }
}
