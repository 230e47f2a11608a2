/**
 * The AG-UI example (examples/typescript-agui) as a real process: /ping, RunAgentInput in and AG-UI events out
 * as SSE (checked against @ag-ui/core's event schemas), a tool call, validation, and the failure test hooks.
 */
import { EventSchemas } from "@ag-ui/core/schemas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExampleAgent, readSseJson, startExample } from "../support/agent-process.js";

let agent: ExampleAgent;

beforeAll(async () => {
  agent = await startExample({ example: "typescript-agui", env: { AGENT_STREAM_DELAY_MS: "5" } });
});
afterAll(async () => {
  await agent?.stop();
});

function runInput(text: string) {
  return {
    threadId: "thread-1",
    runId: crypto.randomUUID(),
    messages: [{ id: "m1", role: "user", content: text }],
    tools: [],
    context: [],
  };
}

function run(body: unknown): Promise<Response> {
  return fetch(`${agent.url}/invocations`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify(body),
  });
}

type AguiEvent = { type: string; delta?: string; toolCallName?: string; content?: string; code?: string; message?: string };

describe("examples/typescript-agui", () => {
  it("answers /ping Healthy", async () => {
    expect(((await (await fetch(`${agent.url}/ping`)).json()) as { status: string }).status).toBe("Healthy");
  });

  it("streams valid AG-UI events for a RunAgentInput: a tool call, then the text in several deltas", async () => {
    const response = await run(runInput("How is the weather in Paris?"));
    expect([response.status, response.headers.get("content-type")]).toEqual([200, "text/event-stream"]);
    const { data } = await readSseJson(response);
    for (const event of data) expect(EventSchemas.safeParse(event).success, JSON.stringify(event)).toBe(true);
    const events = data as AguiEvent[];
    expect(events.map((e) => e.type)).toEqual([
      "RUN_STARTED",
      "TOOL_CALL_START",
      "TOOL_CALL_ARGS",
      "TOOL_CALL_END",
      "TOOL_CALL_RESULT",
      "TEXT_MESSAGE_START",
      ...events.filter((e) => e.type === "TEXT_MESSAGE_CONTENT").map(() => "TEXT_MESSAGE_CONTENT"),
      "TEXT_MESSAGE_END",
      "RUN_FINISHED",
    ]);
    expect(events[1].toolCallName).toBe("weather");
    const text = events
      .filter((e) => e.type === "TEXT_MESSAGE_CONTENT")
      .map((e) => e.delta)
      .join("");
    expect(text).toBe("The weather tool says: Sunny, 22 °C, light breeze in Paris.");
  });

  it("refuses a body that is not a RunAgentInput with 400", async () => {
    const response = await run({ prompt: "Hello" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/not an AG-UI RunAgentInput/);
  });

  it("test hooks: __error__ is a RUN_ERROR event with code AGENT_ERROR; __crash__ kills the process before any answer", async () => {
    const { data } = await readSseJson(await run(runInput("__error__")));
    expect(data.at(-1)).toEqual({ type: "RUN_ERROR", message: "Deliberate failure (test hook __error__)", code: "AGENT_ERROR" });

    const crashing = await startExample({ example: "typescript-agui" });
    const dropped = await fetch(`${crashing.url}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(runInput("__crash__")),
    }).then(
      () => "answered",
      () => "dropped",
    );
    expect([dropped, await crashing.exited]).toEqual(["dropped", 1]);
  });
});
