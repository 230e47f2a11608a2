/**
 * AG-UI over the AgentCore data plane: the payload becomes an AG-UI RunAgentInput (threadId, runId, messages,
 * tools, context, state, forwardedProps; runtime-agui-protocol-contract) posted to the invoke URL, and the SSE
 * stream of AG-UI events that comes back is rendered as it arrives: TEXT_MESSAGE_CONTENT (and _CHUNK) deltas as
 * text, each tool call as a line, RUN_ERROR as a failure with its code (https://docs.ag-ui.com/concepts/events).
 */
import { randomUUID } from "node:crypto";
import { promptOf } from "./a2a.js";
import { BodyReader, type ChunkSink, isJsonObject as isObject, LineWriter, parseJson } from "./render.js";

type Json = Record<string, unknown>;

/**
 * The RunAgentInput for a payload. A payload that already is one (has threadId, runId and messages) is sent as
 * it is; anything else is one user message with the payload's prompt. The thread id is the runtime session id,
 * so invokes that continue a session continue its thread.
 */
export function runAgentInput(payloadBody: string, threadId: string): string {
  const parsed = parseJson(payloadBody);
  if (parsed.ok && isObject(parsed.value) && typeof parsed.value.threadId === "string" && Array.isArray(parsed.value.messages)) {
    return payloadBody;
  }
  return JSON.stringify({
    threadId,
    runId: randomUUID(),
    messages: [{ id: randomUUID(), role: "user", content: promptOf(payloadBody) }],
    tools: [],
    context: [],
    state: {},
    forwardedProps: {},
  });
}

export interface AguiRunError {
  message: string;
  code?: string;
}

export interface AguiCollected {
  /** The joined text deltas. */
  response: string;
  /** Every AG-UI event received, parsed. */
  events: unknown[];
  runError?: AguiRunError;
  /** RUN_FINISHED arrived. */
  finished: boolean;
}

interface ToolCall {
  name: string;
  args: string;
}

/** Renders an AG-UI event stream as it arrives. */
export class AguiRenderer {
  private readonly out: LineWriter;
  private readonly reader: BodyReader;
  private text = "";
  private readonly events: unknown[] = [];
  private readonly toolCalls = new Map<string, ToolCall>();
  private runError?: AguiRunError;
  private finished = false;

  constructor(contentType: string | undefined, sink: ChunkSink) {
    this.out = new LineWriter(sink);
    this.reader = new BodyReader(
      contentType,
      (data) => this.onData(data),
      (body) => this.onWholeBody(body),
    );
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  end(): AguiCollected {
    this.reader.end();
    this.out.finishLine();
    return { response: this.text, events: this.events, finished: this.finished, ...(this.runError ? { runError: this.runError } : {}) };
  }

  private line(text: string): void {
    this.out.finishLine();
    this.out.emit(`${text}\n`);
  }

  /** Not an event stream: one JSON document (an error, or an agent that ignores Accept). */
  private onWholeBody(body: string): void {
    const parsed = parseJson(body);
    if (parsed.ok && isObject(parsed.value) && typeof parsed.value.type === "string") {
      this.onEvent(parsed.value);
      return;
    }
    this.events.push(parsed.ok ? parsed.value : body);
    this.runError ??= { message: `The agent answered without an AG-UI event stream: ${body.trim().slice(0, 300)}` };
  }

  private onData(data: string): void {
    const parsed = parseJson(data);
    if (parsed.ok && isObject(parsed.value)) this.onEvent(parsed.value);
    else this.events.push(data);
  }

  private onEvent(event: Json): void {
    this.events.push(event);
    const id = typeof event.toolCallId === "string" ? event.toolCallId : "";
    switch (event.type) {
      case "TEXT_MESSAGE_CONTENT":
      case "TEXT_MESSAGE_CHUNK":
        if (typeof event.delta === "string") {
          this.text += event.delta;
          this.out.emit(event.delta);
        }
        return;
      case "TEXT_MESSAGE_END":
        this.out.finishLine();
        if (this.text !== "" && !this.text.endsWith("\n")) this.text += "\n";
        return;
      case "TOOL_CALL_START":
        this.toolCalls.set(id, { name: String(event.toolCallName ?? "tool"), args: "" });
        return;
      case "TOOL_CALL_ARGS": {
        const call = this.toolCalls.get(id);
        if (call && typeof event.delta === "string") call.args += event.delta;
        return;
      }
      case "TOOL_CALL_END": {
        const call = this.toolCalls.get(id);
        if (call) this.line(`[tool call] ${call.name}(${call.args})`);
        return;
      }
      case "TOOL_CALL_RESULT": {
        const content = typeof event.content === "string" ? event.content : JSON.stringify(event.content);
        this.line(`[tool result] ${this.toolCalls.get(id)?.name ?? id}: ${content}`);
        return;
      }
      case "RUN_ERROR":
        this.runError ??= {
          message: typeof event.message === "string" ? event.message : JSON.stringify(event),
          ...(typeof event.code === "string" ? { code: event.code } : {}),
        };
        return;
      case "RUN_FINISHED":
        this.finished = true;
        return;
    }
  }
}
