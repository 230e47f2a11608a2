/** The A2A and AG-UI answer renderers and request builders (src/invoke/a2a.ts, src/invoke/agui.ts). */
import { describe, expect, it } from "vitest";
import { A2aRenderer, a2aGeneration, a2aRequest } from "../../src/invoke/a2a.js";
import { AguiRenderer, runAgentInput } from "../../src/invoke/agui.js";
import { parseErrorAnswer } from "../../src/invoke/bearer.js";

function sink() {
  const written: string[] = [];
  return { written, write: (chunk: string | Uint8Array) => written.push(String(chunk)) };
}

const bytes = (text: string) => new TextEncoder().encode(text);
const sse = (...events: unknown[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("");

describe("A2A", () => {
  it("speaks v0.3 to any card with a v0.3 interface or version, v1.0 (with A2A-Version) only to v1.0-only cards", () => {
    expect(a2aGeneration({ protocolVersion: "0.3", url: "http://x/" })).toBe("0.3");
    expect(
      a2aGeneration({
        supportedInterfaces: [
          { protocolBinding: "JSONRPC", protocolVersion: "1.0" },
          { protocolBinding: "JSONRPC", protocolVersion: "0.3" },
        ],
      }),
    ).toBe("0.3");
    expect(a2aGeneration({ supportedInterfaces: [{ protocolBinding: "JSONRPC", protocolVersion: "1.0" }] })).toBe("1.0");
    const v03 = a2aRequest('{"prompt":"What is 2+2?"}', "0.3");
    expect([v03.method, v03.headers, JSON.parse(v03.body).params.message.parts]).toEqual([
      "message/stream",
      {},
      [{ kind: "text", text: "What is 2+2?" }],
    ]);
    const v1 = a2aRequest("plain text", "1.0");
    expect([v1.method, v1.headers, JSON.parse(v1.body).params.message]).toMatchObject([
      "SendStreamingMessage",
      { "A2A-Version": "1.0" },
      { role: "ROLE_USER", parts: [{ text: "plain text" }] },
    ]);
    const given = '{"jsonrpc":"2.0","id":9,"method":"tasks/get","params":{"id":"t"}}';
    expect(a2aRequest(given, "0.3").body).toBe(given);
  });

  it("writes artifact chunks as they arrive, in both spellings, and reports failures", () => {
    const out = sink();
    const renderer = new A2aRenderer("text/event-stream", out);
    const stream = sse(
      { jsonrpc: "2.0", id: 1, result: { kind: "task", id: "t", status: { state: "submitted" } } },
      {
        jsonrpc: "2.0",
        id: 1,
        result: { kind: "artifact-update", artifact: { artifactId: "a", parts: [{ kind: "text", text: "6 * 7 " }] } },
      },
      { jsonrpc: "2.0", id: 1, result: { artifactUpdate: { artifact: { artifactId: "a", parts: [{ text: "= 42" }] }, append: true } } },
      { jsonrpc: "2.0", id: 1, result: { statusUpdate: { status: { state: "TASK_STATE_COMPLETED" } } } },
    );
    renderer.push(bytes(stream.slice(0, 150)));
    renderer.push(bytes(stream.slice(150)));
    const done = renderer.end();
    expect([done.response, done.state, done.failure, out.written.join("")]).toEqual(["6 * 7 = 42", "completed", undefined, "6 * 7 = 42\n"]);

    const failed = new A2aRenderer("text/event-stream", sink());
    failed.push(
      bytes(
        sse({
          jsonrpc: "2.0",
          id: 1,
          result: { kind: "status-update", status: { state: "failed", message: { parts: [{ kind: "text", text: "boom" }] } } },
        }),
      ),
    );
    expect(failed.end().failure).toEqual({ kind: "task", state: "failed", message: "boom" });

    const service = new A2aRenderer("application/json", sink());
    service.push(bytes(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32505, message: "container failed" } })));
    expect(service.end().failure).toEqual({
      kind: "service",
      failure: { status: 424, errorType: "RuntimeClientError", message: "container failed" },
    });

    const task = new A2aRenderer("application/json", sink());
    task.push(
      bytes(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          result: { task: { status: { state: "TASK_STATE_COMPLETED" }, artifacts: [{ parts: [{ text: "whole" }] }] } },
        }),
      ),
    );
    expect(task.end().response).toBe("whole");
  });
});

describe("AG-UI", () => {
  it("builds a RunAgentInput from a prompt, with the session id as thread, and passes one through", () => {
    const input = JSON.parse(runAgentInput('{"prompt":"Hi"}', "session-0123456789-0123456789-0123"));
    expect(input).toMatchObject({
      threadId: "session-0123456789-0123456789-0123",
      messages: [{ role: "user", content: "Hi" }],
      tools: [],
      context: [],
    });
    const given = '{"threadId":"t","runId":"r","messages":[]}';
    expect(runAgentInput(given, "x")).toBe(given);
  });

  it("writes text deltas as they come and tool calls as lines; RUN_ERROR becomes the run error with its code", () => {
    const out = sink();
    const renderer = new AguiRenderer("text/event-stream", out);
    renderer.push(
      bytes(
        sse(
          { type: "RUN_STARTED", threadId: "t", runId: "r" },
          { type: "TOOL_CALL_START", toolCallId: "c", toolCallName: "weather" },
          { type: "TOOL_CALL_ARGS", toolCallId: "c", delta: '{"location":' },
          { type: "TOOL_CALL_ARGS", toolCallId: "c", delta: '"Paris"}' },
          { type: "TOOL_CALL_END", toolCallId: "c" },
          { type: "TOOL_CALL_RESULT", messageId: "m0", toolCallId: "c", content: "Sunny" },
          { type: "TEXT_MESSAGE_START", messageId: "m", role: "assistant" },
          { type: "TEXT_MESSAGE_CONTENT", messageId: "m", delta: "It is " },
        ),
      ),
    );
    expect(out.written.join("")).toBe('[tool call] weather({"location":"Paris"})\n[tool result] weather: Sunny\nIt is ');
    renderer.push(
      bytes(
        sse(
          { type: "TEXT_MESSAGE_CONTENT", messageId: "m", delta: "sunny." },
          { type: "TEXT_MESSAGE_END", messageId: "m" },
          { type: "RUN_FINISHED" },
        ),
      ),
    );
    const done = renderer.end();
    expect([done.response, done.finished, done.runError, done.events.length]).toEqual(["It is sunny.\n", true, undefined, 11]);

    const failing = new AguiRenderer("text/event-stream", sink());
    failing.push(bytes(sse({ type: "RUN_STARTED" }, { type: "RUN_ERROR", message: "model down", code: "AGENT_ERROR" })));
    expect(failing.end().runError).toEqual({ message: "model down", code: "AGENT_ERROR" });
  });
});

describe("error answers in a protocol's shape", () => {
  it("takes the message from a JSON-RPC error body and from an AGUI RUN_ERROR event stream", () => {
    expect(
      parseErrorAnswer(401, undefined, '{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Missing Authentication Token"}}'),
    ).toEqual({
      status: 401,
      errorType: "UnauthorizedException",
      message: "Missing Authentication Token",
    });
    expect(
      parseErrorAnswer(
        401,
        "UnauthorizedException",
        `data: ${JSON.stringify({ type: "RUN_ERROR", message: "Missing token", code: "UNAUTHORIZED" })}\n\n`,
      ),
    ).toEqual({ status: 401, errorType: "UnauthorizedException", message: "Missing token" });
  });
});
