import { describe, expect, it } from "vitest";
import { payloadFromText } from "../../src/invoke/payload.js";
import { ResponseRenderer, responseKind } from "../../src/invoke/render.js";

class Sink {
  writes: string[] = [];
  write(chunk: string | Uint8Array): void {
    this.writes.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
  }
  get text(): string {
    return this.writes.join("");
  }
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe("response rendering", () => {
  it("writes each SSE event when it completes, joining text deltas, even when events are split across chunks", () => {
    const sink = new Sink();
    const renderer = new ResponseRenderer("text/event-stream; charset=utf-8", sink);
    renderer.push(bytes('data: "Hel'));
    expect(sink.text).toBe("");
    renderer.push(bytes('lo"\n\ndata: {"data": " wor'));
    expect(sink.text).toBe("Hello");
    renderer.push(bytes('ld"}\r\n\r\n: keep-alive comment\n\ndata: plain text, not JSON\n\n'));
    expect(sink.text).toBe("Hello worldplain text, not JSON");
    const collected = renderer.end();
    expect(sink.text).toBe("Hello worldplain text, not JSON\n");
    expect(collected).toEqual({
      kind: "sse",
      response: "Hello worldplain text, not JSON",
      events: ["Hello", " world", "plain text, not JSON"],
    });
  });

  it("prints structured events compactly on their own line, and joins multi-line data with newlines", () => {
    const sink = new Sink();
    const renderer = new ResponseRenderer("text/event-stream", sink);
    renderer.push(bytes('data: "Thinking"\n\ndata: {"tool": "calc",\ndata:  "input": 2}\n\ndata: line one\ndata: line two\n\n'));
    const collected = renderer.end();
    expect(sink.text).toBe('Thinking\n{"tool":"calc","input":2}\nline one\nline two\n');
    expect(collected.events).toEqual(["Thinking", { tool: "calc", input: 2 }, "line one\nline two"]);
  });

  it("splits a multi-byte character across chunks without corrupting it", () => {
    const sink = new Sink();
    const renderer = new ResponseRenderer("text/event-stream", sink);
    const encoded = bytes('data: "héllo ✓"\n\n');
    renderer.push(encoded.slice(0, 9));
    renderer.push(encoded.slice(9));
    expect(renderer.end().response).toBe("héllo ✓");
  });

  it("reports an `event: error` the agent sends mid-stream", () => {
    const sink = new Sink();
    const renderer = new ResponseRenderer("text/event-stream", sink);
    renderer.push(bytes('data: "partial"\n\nevent: error\ndata: {"error": "model timed out"}\n\n'));
    const collected = renderer.end();
    expect(collected.streamError).toBe("model timed out");
    expect(sink.text).toBe("partial\n");
  });

  it("pretty-prints a JSON answer, and passes other content types through as they come", () => {
    const json = new Sink();
    const renderer = new ResponseRenderer("application/json", json);
    renderer.push(bytes('{"response": "4",'));
    renderer.push(bytes('"status":"success"}'));
    expect(renderer.end().response).toEqual({ response: "4", status: "success" });
    expect(json.text).toBe('{\n  "response": "4",\n  "status": "success"\n}\n');

    const text = new Sink();
    const plain = new ResponseRenderer("text/plain", text);
    plain.push(bytes("first "));
    expect(text.text).toBe("first ");
    plain.push(bytes("second"));
    expect(plain.end().response).toBe("first second");
    expect(text.text).toBe("first second\n");
  });

  it("--raw writes the body bytes untouched", () => {
    const sink = new Sink();
    const renderer = new ResponseRenderer("text/event-stream", sink, { raw: true });
    renderer.push(bytes('data: "a"\n\n'));
    renderer.push(bytes('data: {"b":1}\n\n'));
    expect(renderer.end().response).toBe('data: "a"\n\ndata: {"b":1}\n\n');
    expect(sink.writes).toEqual(['data: "a"\n\n', 'data: {"b":1}\n\n']);
  });

  it("classifies content types", () => {
    expect(responseKind("application/json; charset=utf-8")).toBe("json");
    expect(responseKind("application/problem+json")).toBe("json");
    expect(responseKind("text/event-stream")).toBe("sse");
    expect(responseKind(undefined)).toBe("text");
  });
});

describe("payload", () => {
  it("sends JSON as given and wraps other text as {prompt}", () => {
    expect(payloadFromText('{"prompt": "Hi"}')).toEqual({ body: '{"prompt": "Hi"}', wrapped: false });
    expect(payloadFromText("What is 1+1?\n")).toEqual({ body: '{"prompt":"What is 1+1?"}', wrapped: true });
    expect(() => payloadFromText("  \n")).toThrow(/empty/);
  });

  it("refuses text that starts like a JSON object but does not parse, instead of sending it as a prompt", () => {
    expect(() => payloadFromText('{"prompt": "Hi"')).toThrow(/looks like a JSON object but is not valid JSON/);
    expect(() => payloadFromText("{prompt: 'Hi'}")).toThrow(/not valid JSON/);
    expect(payloadFromText("[draft] write a poem").wrapped).toBe(true);
  });
});
