/**
 * The server-protocol plumbing of the local runtime: each protocol's agent runs on its port, is
 * health-checked the way its protocol allows, and the gateway forwards invocations to its path.
 * The agent is a real child process (test/fixtures/protocol-agent) that reports where requests landed.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ServerProtocol } from "../../src/config/protocols.js";
import { probeAgent } from "../../src/local/health.js";
import { agentPortFor } from "../../src/local/runtime/agent.js";
import { type LocalRuntime, startLocalRuntime } from "../../src/local/runtime.js";
import { readLocalRuntime } from "../../src/local/runtime-state.js";
import { tempDir, testEnv } from "../support/cli.js";
import { FIXTURES, post, SIGV4_HEADER, writeAgentProject } from "./gateway-helpers.js";

const PROTOCOL_AGENT = path.resolve(FIXTURES, "../protocol-agent/agent.mjs");
const runtimes: LocalRuntime[] = [];
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
});

async function start(protocol: ServerProtocol, env = testEnv()): Promise<LocalRuntime> {
  const cwd = await writeAgentProject({
    entrypoint: PROTOCOL_AGENT,
    protocol,
    authorizerConfiguration: null,
    requestHeaderAllowlist: [],
    environmentVariables: { AGENT_PROTOCOL: protocol },
  });
  const runtime = await startLocalRuntime({ cwd, env, port: 0, agentPort: 0, mode: "process" });
  runtimes.push(runtime);
  return runtime;
}

describe("the local runtime per server protocol", () => {
  it("prefers the protocol's port for the agent: HTTP and AGUI 8080, MCP 8000, A2A 9000", async () => {
    const asked: number[] = [];
    const pick = async (preferred: number) => {
      asked.push(preferred);
      return preferred;
    };
    for (const protocol of ["HTTP", "AGUI", "MCP", "A2A", undefined] as const) await agentPortFor(undefined, pick, protocol);
    expect(asked).toEqual([8080, 8080, 8000, 9000, 8080]);
  });

  it.each([
    ["HTTP", "/invocations"],
    ["AGUI", "/invocations"],
    ["MCP", "/mcp"],
    ["A2A", "/"],
  ] as const)("%s: healthy by its probe, invocations forwarded to %s, /ping answered, the record names it", async (protocol, agentPath) => {
    const env = testEnv();
    const runtime = await start(protocol, env);
    expect(runtime.protocol).toBe(protocol);
    expect(await probeAgent(runtime.agentUrl, protocol)).toMatchObject({ healthy: true });

    const answer = await post(
      `${runtime.gatewayUrl}/runtimes/${encodeURIComponent(runtime.agentRuntimeArn)}/invocations?qualifier=DEFAULT`,
      { jsonrpc: "2.0", id: 7, method: "tools/list" },
      { authorization: SIGV4_HEADER, accept: "application/json, text/event-stream" },
    );
    expect(answer.status, answer.text).toBe(200);
    const seen = (protocol === "MCP" || protocol === "A2A" ? (answer.body.result as { seen: unknown }).seen : answer.body) as {
      path: string;
      method: string;
    };
    expect(seen).toMatchObject({ method: "POST", path: agentPath });

    const ping = await fetch(`${runtime.gatewayUrl}/ping`);
    expect(ping.status).toBe(200);
    expect(await ping.json()).toMatchObject({ status: "Healthy" });
    expect(await readLocalRuntime(env, runtime.agentName)).toMatchObject({ protocol });
    await runtime.stop();
  });

  it("in a container the MCP agent listens on 8000 inside (-p HOST:8000, PORT=8000), probed and forwarded to /mcp", async () => {
    const state = tempDir();
    const log = path.join(state, "docker-calls.jsonl");
    const env = testEnv({
      PATH: `${path.resolve(FIXTURES, "../fake-docker")}:${process.env.PATH}`,
      FAKE_DOCKER_LOG: log,
      FAKE_DOCKER_STATE_DIR: state,
      FAKE_DOCKER_AGENT: PROTOCOL_AGENT,
    });
    const cwd = await writeAgentProject({
      entrypoint: PROTOCOL_AGENT,
      protocol: "MCP",
      authorizerConfiguration: null,
      requestHeaderAllowlist: [],
      environmentVariables: { AGENT_PROTOCOL: "MCP" },
    });
    await fsp.writeFile(path.join(cwd, "Dockerfile"), "FROM node:22\n");
    const runtime = await startLocalRuntime({ cwd, env, port: 0, agentPort: 0, mode: "container" });
    runtimes.push(runtime);
    const answer = await post(
      `${runtime.gatewayUrl}/invocations`,
      { jsonrpc: "2.0", id: 1, method: "ping" },
      { authorization: SIGV4_HEADER },
    );
    expect((answer.body.result as { seen: { path: string } }).seen.path).toBe("/mcp");
    await runtime.stop();
    const run = (await fsp.readFile(log, "utf8"))
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { args: string[] }).args)
      .find((args) => args[0] === "run")!;
    expect(run[run.indexOf("-p") + 1]).toBe(`127.0.0.1:${new URL(runtime.agentUrl).port}:8000`);
    expect(run).toContain("PORT=8000");
  });

  it("an agent on the wrong protocol is not healthy: an HTTP server probed as MCP or A2A", async () => {
    const runtime = await start("HTTP");
    expect(await probeAgent(runtime.agentUrl, "MCP")).toMatchObject({ healthy: false, detail: expect.stringMatching(/^HTTP 404/) });
    expect(await probeAgent(runtime.agentUrl, "A2A")).toMatchObject({ healthy: false, detail: expect.stringMatching(/^HTTP 404/) });
    await runtime.stop();
  });
});
