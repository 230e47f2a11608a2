/**
 * Renders an agent's response as it arrives. Nothing is held back that could be written:
 * - text/event-stream: each event is written when its blank line arrives. Text deltas (a JSON
 *   string, {"data": "..."}, or data that is not JSON, which is what `yield "text"` in the
 *   TypeScript runtime SDK sends) are joined as text; other JSON goes compactly on its own line.
 * - application/json: pretty-printed once complete (it cannot be pretty-printed before).
 * - anything else, and --raw: the bytes as they come.
 * Everything is also collected for the --json result document.
 */

export interface ChunkSink {
  write(chunk: string | Uint8Array): void;
}

export type ResponseKind = "sse" | "json" | "text";

export interface CollectedResponse {
  kind: ResponseKind;
  /** SSE: the joined text deltas; JSON: the parsed document (or the text when it does not parse); text: the body. */
  response: unknown;
  /** SSE only: every event's data, parsed when it is JSON. */
  events?: unknown[];
  /** SSE only: the message of an `event: error` the agent sent mid-stream. */
  streamError?: string;
}

export function responseKind(contentType: string | undefined): ResponseKind {
  const type = (contentType ?? "").toLowerCase();
  if (type.includes("text/event-stream")) return "sse";
  if (/\bapplication\/([\w.+-]*\+)?json\b/.test(type)) return "json";
  return "text";
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Incremental SSE parser (WHATWG rules: data lines joined with "\n", one leading space stripped, comments ignored). */
export class SseParser {
  private buffer = "";
  private eventType = "";
  private dataLines: string[] = [];
  private sawData = false;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  push(text: string): void {
    this.buffer += text;
    for (;;) {
      const match = /\r\n|\n|\r/.exec(this.buffer);
      if (!match) break;
      // A lone "\r" at the end of a chunk may be the first half of "\r\n": wait for more.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line);
    }
  }

  end(): void {
    if (this.buffer !== "") this.line(this.buffer.replace(/\r$/, ""));
    this.buffer = "";
    this.dispatch();
  }

  private line(line: string): void {
    if (line === "") {
      this.dispatch();
      return;
    }
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") {
      this.dataLines.push(value);
      this.sawData = true;
    } else if (field === "event") {
      this.eventType = value;
    }
  }

  private dispatch(): void {
    if (this.sawData) this.onEvent({ event: this.eventType || "message", data: this.dataLines.join("\n") });
    this.eventType = "";
    this.dataLines = [];
    this.sawData = false;
  }
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The text of a text-delta event, or undefined when the event is structured data. */
function textDelta(data: string): string | undefined {
  const parsed = parseJson(data);
  if (!parsed.ok) return data;
  const value = parsed.value;
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const inner = (value as Record<string, unknown>).data;
    if (keys.length === 1 && typeof inner === "string") return inner;
  }
  return undefined;
}

function errorMessageOf(data: string): string {
  const parsed = parseJson(data);
  if (parsed.ok && parsed.value !== null && typeof parsed.value === "object") {
    const record = parsed.value as Record<string, unknown>;
    for (const key of ["error", "message", "Message"]) if (typeof record[key] === "string") return record[key] as string;
  }
  return parsed.ok && typeof parsed.value === "string" ? parsed.value : data;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * A response body as a protocol renderer takes it: for an event stream, each event's data as soon as the event
 * is complete; otherwise the whole body once it has arrived.
 */
export class BodyReader {
  private readonly decoder = new TextDecoder("utf-8");
  private readonly sse?: SseParser;
  private body = "";

  constructor(
    contentType: string | undefined,
    onEventData: (data: string) => void,
    private readonly onWholeBody: (body: string) => void,
  ) {
    if (responseKind(contentType) === "sse") this.sse = new SseParser((event) => onEventData(event.data));
  }

  push(chunk: Uint8Array): void {
    const text = this.decoder.decode(chunk, { stream: true });
    if (this.sse) this.sse.push(text);
    else this.body += text;
  }

  end(): void {
    const tail = this.decoder.decode();
    if (this.sse) {
      this.sse.push(tail);
      this.sse.end();
      return;
    }
    this.body += tail;
    if (this.body.trim() !== "") this.onWholeBody(this.body);
  }
}

export interface RendererOptions {
  /** --raw: the body bytes, untouched. */
  raw?: boolean;
}

/** Writes text to a sink, remembering whether the output ends mid-line (so a final newline can be added). */
export class LineWriter {
  private atLineStart = true;
  private wroteAnything = false;

  constructor(private readonly sink: ChunkSink) {}

  emit(text: string): void {
    if (text === "") return;
    this.sink.write(text);
    this.wroteAnything = true;
    this.atLineStart = text.endsWith("\n");
  }

  /** Ends a partial line so the shell prompt (or the next line) starts on its own line. */
  finishLine(): void {
    if (this.wroteAnything && !this.atLineStart) this.emit("\n");
  }
}

export class ResponseRenderer {
  readonly kind: ResponseKind;
  private readonly decoder = new TextDecoder("utf-8");
  private readonly sse?: SseParser;
  private readonly out: LineWriter;
  private text = "";
  private readonly events: unknown[] = [];
  private streamError?: string;

  constructor(
    contentType: string | undefined,
    private readonly sink: ChunkSink,
    private readonly options: RendererOptions = {},
  ) {
    this.kind = responseKind(contentType);
    this.out = new LineWriter(sink);
    if (this.kind === "sse" && !options.raw) this.sse = new SseParser((event) => this.onEvent(event));
  }

  push(chunk: Uint8Array): void {
    if (this.options.raw) {
      this.sink.write(chunk);
      this.text += this.decoder.decode(chunk, { stream: true });
      return;
    }
    const text = this.decoder.decode(chunk, { stream: true });
    if (this.sse) {
      this.sse.push(text);
      return;
    }
    this.text += text;
    if (this.kind === "text") this.emit(text);
  }

  end(): CollectedResponse {
    const tail = this.decoder.decode();
    if (this.options.raw) {
      this.text += tail;
      return { kind: this.kind, response: this.text };
    }
    if (this.sse) {
      this.sse.push(tail);
      this.sse.end();
      this.finishLine();
      return {
        kind: "sse",
        response: this.text,
        events: this.events,
        ...(this.streamError !== undefined ? { streamError: this.streamError } : {}),
      };
    }
    this.text += tail;
    if (this.kind === "text") {
      this.emit(tail);
      this.finishLine();
      return { kind: "text", response: this.text };
    }
    const parsed = this.text.trim() === "" ? { ok: false as const } : parseJson(this.text);
    if (parsed.ok) {
      this.emit(`${JSON.stringify(parsed.value, null, 2)}\n`);
      return { kind: "json", response: parsed.value };
    }
    this.emit(this.text);
    this.finishLine();
    return { kind: "json", response: this.text };
  }

  private onEvent(event: SseEvent): void {
    if (event.event === "error") {
      this.streamError = errorMessageOf(event.data);
      this.events.push(parseJson(event.data).ok ? JSON.parse(event.data) : event.data);
      return;
    }
    const delta = textDelta(event.data);
    if (delta !== undefined) {
      this.events.push(delta);
      this.text += delta;
      this.emit(delta);
      return;
    }
    const value = (parseJson(event.data) as { value: unknown }).value;
    this.events.push(value);
    this.finishLine();
    this.emit(`${JSON.stringify(value)}\n`);
  }

  private emit(text: string): void {
    this.out.emit(text);
  }

  private finishLine(): void {
    this.out.finishLine();
  }
}
