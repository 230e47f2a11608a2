/**
 * The TypeScript example agent as a real process on loopback (offline mode): the AgentCore Runtime container
 * contract, SSE streaming, its tools, the caller note, the SDK's session-id rule and the failure test hooks.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calculator, weather } from "../../examples/typescript/src/tools.js";
import { freePort, REPO_ROOT, tempDir, testEnv } from "../support/cli.js";

const EXAMPLE_DIR = path.join(REPO_ROOT, "examples", "typescript");
const SESSION = { "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": "test-session-0001" };
const JSON_BODY = { "Content-Type": "application/json" };
const SSE = { Accept: "text/event-stream" };

interface RunningAgent {
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  logs: () => string;
}

/** Starts `node --import tsx src/agent.ts` in `cwd` (offline) and waits for GET /ping to say Healthy. */
async function startAgent(cwd: string): Promise<RunningAgent> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", path.join("src", "agent.ts")], {
    cwd,
    env: testEnv({ AGENT_OFFLINE: "1", PORT: String(port), HOST: "127.0.0.1" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let logs = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => (logs += d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (logs += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`agent exited with ${child.exitCode}:\n${logs}`);
    if (Date.now() > deadline) throw new Error(`agent not healthy in time:\n${logs}`);
    try {
      const ping = await fetch(`${url}/ping`);
      if (ping.ok && (await ping.json()).status === "Healthy") break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, child, exited, logs: () => logs };
}

async function stopAgent(agent: RunningAgent | undefined): Promise<void> {
  if (!agent || agent.child.exitCode !== null) return;
  agent.child.kill("SIGTERM");
  await agent.exited;
}

function invoke(agent: RunningAgent, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(`${agent.url}/invocations`, {
    method: "POST",
    headers: { ...JSON_BODY, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

interface SseResult {
  /** `data:` payloads, JSON-decoded. */
  data: unknown[];
  events: string[];
  /** How many network reads carried at least one data frame. */
  readsWithData: number;
}

async function readSse(response: Response): Promise<SseResult> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const result: SseResult = { data: [], events: [], readsWithData: 0 };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const frames = buffer.split("\n\n");
    buffer = frames.pop() ?? "";
    let sawData = false;
    for (const frame of frames) {
      for (const line of frame.split("\n")) {
        if (line.startsWith("data: ")) {
          result.data.push(JSON.parse(line.slice(6)));
          sawData = true;
        } else if (line.startsWith("event: ")) result.events.push(line.slice(7));
      }
    }
    if (sawData) result.readsWithData++;
  }
  return result;
}

describe("TypeScript example agent (offline, real process)", () => {
  let agent: RunningAgent;

  beforeAll(async () => {
    agent = await startAgent(EXAMPLE_DIR);
  });
  afterAll(async () => {
    await stopAgent(agent);
  });

  it("answers GET /ping with the AgentCore health document", async () => {
    const ping = await fetch(`${agent.url}/ping`);
    expect(ping.status).toBe(200);
    expect(ping.headers.get("content-type")).toMatch(/application\/json/);
    const body = await ping.json();
    expect(body).toEqual({ status: "Healthy", time_of_last_update: expect.any(Number) });
  });

  it("streams the weather answer as SSE in several chunks, with the weather tool's result", async () => {
    const response = await invoke(agent, { prompt: "How is the weather now?" }, { ...SESSION, ...SSE });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    const sse = await readSse(response);
    expect(sse.data.length).toBeGreaterThan(1);
    expect(sse.readsWithData).toBeGreaterThan(1);
    expect(sse.data.every((chunk) => typeof chunk === "string")).toBe(true);
    expect(sse.data.join("")).toContain(weather.run({}));
    expect(sse.events).toEqual([]);
  });

  it("answers arithmetic with the calculator as one JSON document when the client does not accept SSE", async () => {
    const response = await invoke(agent, { prompt: "What is (12.5 * 4) - 2^3?" }, { ...SESSION, Accept: "application/json" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    const body = await response.json();
    expect(body).toMatchObject({ status: "success", mode: "offline" });
    expect(body.response).toContain(calculator.run({ expression: "(12.5 * 4) - 2^3" }));
    expect(body.response).toContain("= 42");
  });

  it("prefers SSE when the client accepts both (as invoke --bearer does)", async () => {
    const response = await invoke(agent, { prompt: "2+2" }, { ...SESSION, Accept: "application/json, text/event-stream" });
    expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
    expect((await readSse(response)).data.join("")).toContain("2+2 = 4");
  });

  it("names the caller from the forwarded bearer JWT (decoded, not verified)", async () => {
    const token = new UnsecuredJWT({ username: "testuser", client_id: "client123", token_use: "access" }).encode();
    const response = await invoke(agent, { prompt: "hello" }, { ...SESSION, Authorization: `Bearer ${token}` });
    const body = await response.json();
    expect(body.response).toContain('Called by user "testuser" via app client "client123"');

    const anonymous = await (await invoke(agent, { prompt: "hello" }, SESSION)).json();
    expect(anonymous.response).not.toContain("Called by");
  });

  it("needs a session id: header or body.sessionId (the SDK's rule); SSE clients get the SDK's empty 500", async () => {
    const missing = await invoke(agent, { prompt: "hi" }, { Accept: "application/json" });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error).toMatch(/Missing sessionId/);

    // bedrock-agentcore 0.4.4 (issue #212): with Accept: text/event-stream the 400 is lost.
    const missingSse = await invoke(agent, { prompt: "hi" }, SSE);
    expect(missingSse.status).toBe(500);
    expect(await missingSse.text()).toBe("");

    const inBody = await invoke(agent, { prompt: "2*21", sessionId: "body-session" }, { Accept: "application/json" });
    expect(inBody.status).toBe(200);
    expect((await inBody.json()).response).toContain("2*21 = 42");
  });

  it("rejects a body without a prompt and a body that is not JSON with 400", async () => {
    const noPrompt = await invoke(agent, { text: "hi" }, SESSION);
    expect(noPrompt.status).toBe(400);
    expect((await noPrompt.json()).error).toBe("Invalid request body format");

    const notJson = await invoke(agent, '{"prompt":', SESSION);
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).message).toMatch(/not valid JSON/);
  });

  it("fails on purpose: __error__ is a 500, __error_midstream__ an SSE error event after one chunk", async () => {
    const error = await invoke(agent, { prompt: "__error__" }, SESSION);
    expect(error.status).toBe(500);
    expect((await error.json()).error).toMatch(/test hook __error__/);

    const midstream = await invoke(agent, { prompt: "__error_midstream__" }, { ...SESSION, ...SSE });
    expect(midstream.status).toBe(200);
    const sse = await readSse(midstream);
    expect(sse.events).toEqual(["error"]);
    expect(sse.data[0]).toMatch(/one chunk/);
    expect(sse.data.at(-1)).toMatchObject({ error: expect.stringMatching(/__error_midstream__/) });
    expect(agent.child.exitCode).toBeNull();
  });
});

describe("TypeScript example agent copied elsewhere with node_modules symlinks (what quickstart does)", () => {
  let agent: RunningAgent | undefined;
  let copy: string;

  beforeAll(async () => {
    copy = path.join(tempDir(), "agentcore-quickstart");
    await fsp.mkdir(path.join(copy, "node_modules", "@aws-sdk"), { recursive: true });
    for (const entry of ["package.json", "tsconfig.json", "src"]) {
      await fsp.cp(path.join(EXAMPLE_DIR, entry), path.join(copy, entry), { recursive: true });
    }
    for (const pkg of ["bedrock-agentcore", "zod", "jose", "tsx", "@aws-sdk/client-bedrock-runtime"]) {
      await fsp.symlink(path.join(REPO_ROOT, "node_modules", pkg), path.join(copy, "node_modules", pkg), "dir");
    }
    agent = await startAgent(copy);
  });
  afterAll(async () => {
    await stopAgent(agent);
  });

  it("runs from the copy and streams the weather answer", async () => {
    const response = await invoke(agent!, { prompt: "How is the weather now?" }, { ...SESSION, ...SSE });
    expect((await readSse(response)).data.join("")).toContain(weather.run({}));
  });

  it("__crash__ makes the process exit with status 1 before any response", async () => {
    await expect(invoke(agent!, { prompt: "__crash__" }, SESSION)).rejects.toThrow();
    expect(await agent!.exited).toBe(1);
    expect(agent!.logs()).toContain("test hook: exiting with status 1 (__crash__)");
  });
});
