/**
 * The A2A example (examples/typescript-a2a) as a real process: its agent card in both shapes, the official
 * @a2a-js/sdk v1.0 client (SendMessage, SendStreamingMessage), the v0.3 method names AWS's docs send
 * (message/send, message/stream), and the failure test hooks.
 */
import { TaskState } from "@a2a-js/sdk";
import { ClientFactory } from "@a2a-js/sdk/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultText, streamMessage, userMessage } from "../support/a2a.js";
import { type ExampleAgent, readSseJson, startExample } from "../support/agent-process.js";

let agent: ExampleAgent;

beforeAll(async () => {
  agent = await startExample({
    example: "typescript-a2a",
    healthPath: "/.well-known/agent-card.json",
    env: { AGENT_STREAM_DELAY_MS: "5" },
  });
});
afterAll(async () => {
  await agent?.stop();
});

function legacyRpc(method: string, text: string, id = 1) {
  return {
    jsonrpc: "2.0",
    id,
    method,
    params: { message: { kind: "message", messageId: crypto.randomUUID(), role: "user", parts: [{ kind: "text", text }] } },
  };
}

async function postRpc(body: unknown, accept = "application/json"): Promise<Response> {
  return fetch(`${agent.url}/`, { method: "POST", headers: { "content-type": "application/json", accept }, body: JSON.stringify(body) });
}

describe("examples/typescript-a2a", () => {
  it("serves its card: the v0.3 shape without A2A-Version, the v1.0 shape with A2A-Version: 1.0, both naming its URL", async () => {
    const legacy = (await (await fetch(`${agent.url}/.well-known/agent-card.json`)).json()) as Record<string, unknown>;
    expect([legacy.protocolVersion, legacy.url, legacy.preferredTransport]).toEqual(["0.3", `http://127.0.0.1:${agent.port}/`, "JSONRPC"]);
    const v1 = (await (await fetch(`${agent.url}/.well-known/agent-card.json`, { headers: { "A2A-Version": "1.0" } })).json()) as {
      supportedInterfaces: { protocolVersion: string; url: string }[];
      capabilities: { streaming: boolean };
    };
    expect(v1.supportedInterfaces.map((i) => i.protocolVersion)).toEqual(["1.0", "0.3"]);
    expect(v1.capabilities.streaming).toBe(true);
  });

  it("answers the official v1.0 client: SendMessage returns a completed task, SendStreamingMessage streams the artifact", async () => {
    const client = await new ClientFactory().createFromUrl(agent.url);
    const result = await client.sendMessage({
      tenant: "",
      message: userMessage("What is 6 * 7?"),
      configuration: undefined,
      metadata: undefined,
    });
    expect(resultText(result)).toBe("6 * 7 = 42");
    expect("status" in result && result.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);

    const streamed = await streamMessage(client, "hello there");
    expect(streamed.text).toBe('Hello from the A2A agent! You said: "hello there". Ask me some arithmetic, such as "What is 6 * 7?".');
    expect(streamed.states.at(-1)).toBe(String(TaskState.TASK_STATE_COMPLETED));
    expect(streamed.events.filter((e) => e.payload?.$case === "artifactUpdate").length).toBeGreaterThan(1);
  });

  it("answers the v0.3 method names message/send and message/stream", async () => {
    const sent = (await (await postRpc(legacyRpc("message/send", "12 / 4"))).json()) as {
      result: { kind: string; status: { state: string }; artifacts: { parts: { text: string }[] }[] };
    };
    expect([sent.result.kind, sent.result.status.state]).toEqual(["task", "completed"]);
    expect(sent.result.artifacts.flatMap((a) => a.parts.map((p) => p.text)).join("")).toBe("12 / 4 = 3");

    const stream = await postRpc(legacyRpc("message/stream", "2 + 2", 7), "text/event-stream");
    expect(stream.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const { data } = await readSseJson(stream);
    const results = (data as { id: number; result: { kind: string; artifact?: { parts: { text: string }[] }; final?: boolean } }[]).map(
      (d) => d.result,
    );
    expect((data as { id: number }[]).every((d) => d.id === 7)).toBe(true);
    expect(
      results
        .filter((r) => r.kind === "artifact-update")
        .flatMap((r) => r.artifact!.parts.map((p) => p.text))
        .join(""),
    ).toBe("2 + 2 = 4");
    expect(results.at(-1)).toMatchObject({ kind: "status-update", final: true });
  });

  it("test hooks: __error__ ends the task failed with a reason; __crash__ kills the process before any answer", async () => {
    const failed = (await (await postRpc(legacyRpc("message/send", "__error__"))).json()) as {
      result: { status: { state: string; message: { parts: { text: string }[] } } };
    };
    expect(failed.result.status.state).toBe("failed");
    expect(failed.result.status.message.parts[0].text).toMatch(/Deliberate failure/);

    const crashing = await startExample({ example: "typescript-a2a", healthPath: "/.well-known/agent-card.json" });
    const dropped = await fetch(`${crashing.url}/`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(legacyRpc("message/send", "__crash__")),
    }).then(
      () => "answered",
      () => "dropped",
    );
    expect([dropped, await crashing.exited]).toEqual(["dropped", 1]);
  });
});
