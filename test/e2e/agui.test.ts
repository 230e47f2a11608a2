/**
 * AGUI behind the local gateway, with real processes: the AG-UI example (examples/typescript-agui) run by the local
 * runtime (`launch --local`'s), a loopback OIDC issuer for tokens; raw AG-UI requests (events checked against
 * @ag-ui/core's schemas), the official AG-UI client (`HttpAgent` from @ag-ui/client) and the built
 * `agentcore-ts invoke`, with bearer and SigV4.
 */
import { HttpAgent } from "@ag-ui/client";
import { EventSchemas } from "@ag-ui/core/schemas";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalRuntime } from "../../src/local/runtime.js";
import { readSseJson } from "../support/agent-process.js";
import { runCli } from "../support/cli.js";
import { type ProtocolRuntimes, sendPrintedCurl, startProtocolRuntimes } from "../support/protocol-runtimes.js";

let rt: ProtocolRuntimes;
let project: string;
let jwtRuntime: LocalRuntime;

beforeAll(async () => {
  rt = await startProtocolRuntimes("AGUI", "typescript-agui");
  ({ project, jwt: jwtRuntime } = rt);
}, 60_000);

afterAll(async () => {
  await rt?.stop();
});

const env = (extra: NodeJS.ProcessEnv = {}) => rt.env(extra);
const token = () => rt.token();
const invokeUrl = (runtime: LocalRuntime) =>
  `${runtime.gatewayUrl}/runtimes/${encodeURIComponent(runtime.agentRuntimeArn)}/invocations?qualifier=DEFAULT`;
const runInput = (text: string) => ({
  threadId: "t1",
  runId: crypto.randomUUID(),
  messages: [{ id: "m1", role: "user", content: text }],
  tools: [],
  context: [],
});

function post(headers: Record<string, string>, body: unknown): Promise<Response> {
  return fetch(invokeUrl(jwtRuntime), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
}

describe.concurrent("AGUI through the local gateway", () => {
  it("a RunAgentInput with a bearer token gets valid AG-UI events; without one, 401 and the challenge", async () => {
    const response = await post({ authorization: `Bearer ${await token()}` }, runInput("Weather in Paris?"));
    expect([response.status, response.headers.get("content-type")]).toEqual([200, "text/event-stream"]);
    const { data } = await readSseJson(response);
    for (const event of data) expect(EventSchemas.safeParse(event).success, JSON.stringify(event)).toBe(true);
    expect((data as { type: string }[]).map((e) => e.type)).toContain("TOOL_CALL_RESULT");

    const refused = await post({}, runInput("hi"));
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer resource_metadata=/);
    // The AGUI contract's variant: an event stream with RUN_ERROR / UNAUTHORIZED.
    expect(refused.headers.get("content-type")).toBe("text/event-stream");
    expect((await readSseJson(refused)).data).toEqual([
      { type: "RUN_ERROR", message: "Missing Authentication Token", code: "UNAUTHORIZED" },
    ]);
  });

  it("the official AG-UI client (HttpAgent) runs the agent through the gateway; without a token it surfaces the 401", async () => {
    const agent = new HttpAgent({
      url: invokeUrl(jwtRuntime),
      headers: { Authorization: `Bearer ${await token()}` },
      initialMessages: [{ id: "u1", role: "user", content: "How is the weather in Paris?" }],
    });
    const types: string[] = [];
    const { newMessages } = await agent.runAgent({}, { onEvent: ({ event }) => void types.push(event.type) });
    expect(types.at(0)).toBe("RUN_STARTED");
    expect(types.at(-1)).toBe("RUN_FINISHED");
    const assistant = newMessages.filter((m) => m.role === "assistant" && typeof m.content === "string" && m.content);
    expect(assistant.map((m) => m.content)).toEqual(["The weather tool says: Sunny, 22 °C, light breeze in Paris."]);
    expect(newMessages.find((m) => m.role === "tool")).toMatchObject({ content: "Sunny, 22 °C, light breeze in Paris." });

    // HttpAgent turns a non-2xx answer into an error carrying the status and the body (here the RUN_ERROR event).
    const anonymous = new HttpAgent({ url: invokeUrl(jwtRuntime), initialMessages: [{ id: "u1", role: "user", content: "hi" }] });
    const refused = await anonymous.runAgent().then(
      () => undefined,
      (error: unknown) => error as Error & { status?: number; payload?: unknown },
    );
    expect(refused?.status).toBe(401);
    expect(String(refused?.payload)).toContain('"code":"UNAUTHORIZED"');
  });

  it("the curl example launch --local prints for an AGUI agent (a RunAgentInput) gets the run's events", async () => {
    const response = await sendPrintedCurl(jwtRuntime, await token());
    expect([response.status, response.headers.get("content-type")]).toEqual([200, "text/event-stream"]);
    const { data } = await readSseJson(response);
    expect((data as { type: string }[]).map((e) => e.type)).toEqual(
      expect.arrayContaining(["RUN_STARTED", "TEXT_MESSAGE_CONTENT", "RUN_FINISHED"]),
    );
  });

  it("streams through the gateway: the first delta arrives while the agent still holds the rest", async () => {
    const response = await post({ authorization: `Bearer ${await token()}` }, runInput("__hold__"));
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("Streaming one chunk")) seen += (await reader.read()).value ?? "";
    expect(seen).not.toContain("RUN_FINISHED");
    expect(await (await fetch(`${jwtRuntime.agentUrl}/__release`, { method: "POST" })).text()).toBe("released");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    expect(seen).toContain("RUN_FINISHED");
  });

  it("agentcore-ts invoke --local: text deltas as text, the tool call as lines; --json has every event", async () => {
    const human = await runCli(["invoke", "How is the weather in Paris?", "--local"], {
      cwd: project,
      env: env({ COGNITO_ACCESS_TOKEN: await token() }),
    });
    expect([human.code, human.stderr]).toEqual([0, ""]);
    expect(human.stdout).toBe(
      '[tool call] weather({"location":"Paris"})\n[tool result] weather: Sunny, 22 °C, light breeze in Paris.\nThe weather tool says: Sunny, 22 °C, light breeze in Paris.\n',
    );
    const json = await runCli(["invoke", "hello", "--local", "--json"], {
      cwd: project,
      env: env({ COGNITO_ACCESS_TOKEN: await token() }),
    });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ protocol: "AGUI", auth: "bearer", response: 'Hello from the AG-UI agent! You said: "hello".\n' });
    expect(doc.events.map((e: { type: string }) => e.type).at(-1)).toBe("RUN_FINISHED");
    // The AG-UI thread is the runtime session.
    expect(doc.events[0]).toMatchObject({ type: "RUN_STARTED", threadId: doc.sessionId });
  });

  it("agentcore-ts invoke: no token sends nothing; an unparseable token gets the 403 row; RUN_ERROR is an error with its code", async () => {
    const none = await runCli(["invoke", "hi", "--local"], { cwd: project, env: env() });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("requires an OAuth bearer token and none is available");
    const bad = await runCli(["invoke", "hi", "--local", "--bearer-token", "not.a.token"], { cwd: project, env: env() });
    expect(bad.stderr).toMatch(/HTTP 403\) failed: AccessDeniedException: OAuth authorization failed: Failed to parse token/);
    const failed = await runCli(["invoke", "__error__", "--local"], { cwd: project, env: env({ COGNITO_ACCESS_TOKEN: await token() }) });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/The AG-UI run failed \(AGENT_ERROR\): Deliberate failure \(test hook __error__\)/);
  });

  it("an IAM AGUI agent: InvokeAgentRuntime signed with SigV4 through the SDK", async () => {
    const result = await runCli(["invoke", "Weather in Rome?", "--local", "--agent", "agui_iam", "--json"], { cwd: project, env: env() });
    expect([result.code, result.stderr]).toEqual([0, ""]);
    expect(JSON.parse(result.stdout)).toMatchObject({
      protocol: "AGUI",
      auth: "sigv4",
      response: "The weather tool says: Sunny, 22 °C, light breeze in Rome.\n",
    });
  });
});

describe("AGUI agent crash", () => {
  it("the agent dies before answering: 424 RuntimeClientError; dying mid-stream cuts the stream", async () => {
    const result = await runCli(["invoke", "__crash__", "--local", "--agent", "agui_iam"], { cwd: project, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HTTP 424\) failed: RuntimeClientError/);
    const cut = await runCli(["invoke", "__crash_midstream__", "--local"], {
      cwd: project,
      env: env({ COGNITO_ACCESS_TOKEN: await token() }),
    });
    expect(cut.code).toBe(1);
    expect(cut.stdout).toBe("Streaming one chunk, \n");
    expect(cut.stderr).toMatch(/The response stream broke off/);
  });
});
