/**
 * startLocalRuntime end to end (in-process gateway, the agent as a real child process), runtime
 * records, container engine detection, and the container path with a recording stand-in `docker`.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentcoreError } from "../../src/errors.js";
import { describeProbes, detectEngine, engineHint } from "../../src/local/engine.js";
import { type LocalRuntime, startLocalRuntime } from "../../src/local/runtime.js";
import { type LocalRuntimeRecord, listLocalRuntimes, readLocalRuntime, writeLocalRuntime } from "../../src/local/runtime-state.js";
import { MemoryOutput } from "../../src/ui/output.js";
import { DEFAULT_CLIENT_ID, type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";
import { tempDir, testEnv } from "../support/cli.js";
import { AGENT_SCRIPT, FIXTURES, isAlive, post, SIGV4_HEADER, writeAgentProject } from "./gateway-helpers.js";

const FAKE_DOCKER_DIR = path.resolve(FIXTURES, "../fake-docker");

interface ProjectOptions {
  entrypoint?: string;
  authorizer?: Record<string, unknown> | null;
  environmentVariables?: Record<string, string>;
  dockerfile?: boolean;
}

/** A project for the fixture agent (header allowlist X-Api-Key, one environment variable). */
async function project(options: ProjectOptions = {}): Promise<string> {
  const dir = await writeAgentProject({
    entrypoint: options.entrypoint,
    authorizerConfiguration: options.authorizer ?? null,
    requestHeaderAllowlist: ["X-Api-Key"],
    environmentVariables: options.environmentVariables ?? { AGENT_GREETING: "hello" },
  });
  if (options.dockerfile) await fsp.writeFile(path.join(dir, "Dockerfile"), "FROM node:20\n");
  return dir;
}

let issuer: FakeIssuer;
const runtimes: LocalRuntime[] = [];
beforeAll(async () => {
  issuer = await startFakeIssuer();
});
afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
  await issuer.close();
});

async function start(options: Parameters<typeof startLocalRuntime>[0]): Promise<LocalRuntime> {
  const runtime = await startLocalRuntime({ port: 0, agentPort: 0, ...options });
  runtimes.push(runtime);
  return runtime;
}

describe("startLocalRuntime (process mode)", () => {
  it("runs the agent behind the gateway, records it, restarts it after a crash, and cleans up on stop", async () => {
    const env = testEnv();
    const cwd = await project({
      authorizer: { customJWTAuthorizer: { discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] } },
    });
    const output = new MemoryOutput();
    const runtime = await start({ cwd, env, output, mode: "process" });
    expect(runtime).toMatchObject({ agentName: "my_agent", mode: "process", auth: "jwt", region: "us-east-1" });
    expect(runtime.agentRuntimeArn).toBe("arn:aws:bedrock-agentcore:us-east-1:000000000000:runtime/my_agent");
    expect(runtime.logFile).toBe(path.join(env.AGENTCORE_TS_HOME!, "local", "my_agent.log"));

    const record = await readLocalRuntime(env, "my_agent");
    expect(record).toMatchObject({
      agentName: "my_agent",
      gatewayUrl: runtime.gatewayUrl,
      agentUrl: runtime.agentUrl,
      pid: process.pid,
      mode: "process",
      auth: "jwt",
    });
    expect(await readLocalRuntime(env)).toEqual(record);
    expect((await fsp.stat(path.join(env.AGENTCORE_TS_HOME!, "local", "runtime-my_agent.json"))).mode & 0o777).toBe(0o600);
    // A second local runtime of the same agent is refused: it would take over this one's record and log.
    await expect(start({ cwd, env, mode: "process" })).rejects.toThrow(
      /already running \(process \d+, gateway http:\/\/127\.0\.0\.1:\d+\)/,
    );
    expect(await readLocalRuntime(env, "my_agent")).toEqual(record);

    const url = `${runtime.gatewayUrl}/runtimes/${encodeURIComponent(runtime.agentRuntimeArn)}/invocations?qualifier=DEFAULT`;
    const token = await issuer.mint();
    const ok = await post(url, { prompt: "hi" }, { authorization: `Bearer ${token}`, "x-api-key": "k" });
    expect(ok.status).toBe(200);
    expect(ok.body.env).toEqual({ AGENT_GREETING: "hello", HAS_AWS_KEY: true });
    expect((ok.body.headers as Record<string, string>)["x-api-key"]).toBe("k");
    expect((await post(url, { prompt: "hi" })).status).toBe(401);
    const firstPid = ok.body.pid as number;
    expect(firstPid).toBe(runtime.agentPid);

    // A crash answers 424 and the agent comes back (like a fresh session on the service); the request
    // sent right after the crash waits for the restarted agent instead of meeting its closed port.
    const crashed = await post(url, { prompt: "__crash__" }, { authorization: `Bearer ${token}` });
    expect([crashed.status, crashed.headers.get("x-amzn-errortype")]).toEqual([424, "RuntimeClientError"]);
    expect(crashed.body.message).toContain(runtime.logFile);
    const again = await post(url, { prompt: "back?" }, { authorization: `Bearer ${token}` });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.pid).not.toBe(firstPid);
    expect(output.warnings.some((w) => /The agent exited \(code 3\); restarting it/.test(w))).toBe(true);
    expect(await fsp.readFile(runtime.logFile, "utf8")).toMatch(/test agent listening on \d+\n[\s\S]*test agent listening on/);

    // A connection the agent drops without dying: that request gets its 424, and the next is answered by the
    // same agent (the gateway waited only until the agent answered its health probe).
    const dropped = await post(url, { prompt: "__drop__" }, { authorization: `Bearer ${token}` });
    expect([dropped.status, dropped.body.message]).toEqual([424, expect.stringMatching(/closed the connection without answering/)]);
    const afterDrop = await post(url, { prompt: "still there?" }, { authorization: `Bearer ${token}` });
    expect([afterDrop.status, afterDrop.body.pid]).toEqual([200, again.body.pid]);

    const agentPid = runtime.agentPid;
    await runtime.stop();
    expect(isAlive(agentPid)).toBe(false);
    expect(await readLocalRuntime(env, "my_agent")).toBeUndefined();
    await expect(fetch(`${runtime.gatewayUrl}/ping`)).rejects.toThrow();
  });

  it("runs a TypeScript entrypoint through tsx's loader from agentcore-ts's own node_modules", async () => {
    const env = testEnv();
    const cwd = await project({ entrypoint: path.join(FIXTURES, "agent.ts") });
    const runtime = await start({ cwd, env, mode: "process", writeRecord: false });
    const answer = await post(`${runtime.gatewayUrl}/invocations`, { prompt: "ts" }, { authorization: SIGV4_HEADER });
    expect(answer.status).toBe(200);
    expect(runtime.auth).toBe("iam");
    expect(await readLocalRuntime(env)).toBeUndefined();
    await runtime.stop();
  });

  it("fails with the log to read when the agent exits or never answers /ping", async () => {
    const env = testEnv();
    const dir = await project({ entrypoint: "exits.mjs" });
    await fsp.writeFile(path.join(dir, "exits.mjs"), 'console.error("missing API key for the model"); process.exit(7);\n');
    const exited = await startLocalRuntime({ cwd: dir, env, mode: "process", port: 0, agentPort: 0 }).catch((e: unknown) => e);
    expect(exited).toBeInstanceOf(AgentcoreError);
    expect((exited as AgentcoreError).message).toBe("The agent exited (code 7) before it answered GET /ping.");
    expect((exited as AgentcoreError).hint).toContain(path.join(env.AGENTCORE_TS_HOME!, "local", "my_agent.log"));
    expect((exited as AgentcoreError).hint).toContain("missing API key for the model");

    const silent = await project({ entrypoint: "silent.mjs" });
    await fsp.writeFile(path.join(silent, "silent.mjs"), "setInterval(() => {}, 1000);\n");
    const timedOut = await startLocalRuntime({ cwd: silent, env, mode: "process", port: 0, agentPort: 0, healthTimeoutMs: 600 }).catch(
      (e: unknown) => e,
    );
    expect((timedOut as AgentcoreError).message).toMatch(/did not answer GET http:\/\/127\.0\.0\.1:\d+\/ping with Healthy within 1s/);
    expect((timedOut as AgentcoreError).hint).toMatch(/Read the agent's log: .*my_agent\.log/);
    expect(await listLocalRuntimes(env)).toEqual([]);
  });
});

describe("local runtime records", () => {
  it("ignores a record whose pid is dead", async () => {
    const env = testEnv();
    const record: LocalRuntimeRecord = {
      agentName: "ghost",
      gatewayUrl: "http://127.0.0.1:1",
      agentUrl: "http://127.0.0.1:2",
      pid: 2 ** 22 + 17, // above pid_max defaults: no such process
      mode: "process",
      logFile: "/tmp/x.log",
      startedAt: new Date().toISOString(),
      auth: "iam",
      agentRuntimeArn: "arn:aws:bedrock-agentcore:us-east-1:000000000000:runtime/ghost",
      region: "us-east-1",
    };
    await writeLocalRuntime(env, record);
    expect(await readLocalRuntime(env, "ghost")).toBeUndefined();
    expect(await readLocalRuntime(env)).toBeUndefined();
    await writeLocalRuntime(env, { ...record, pid: process.pid });
    expect(await readLocalRuntime(env, "ghost")).toMatchObject({ agentName: "ghost" });
  });
});

describe("container engine detection", () => {
  async function pathWithDocker(mode: string | undefined): Promise<NodeJS.ProcessEnv> {
    if (mode === undefined) return { PATH: tempDir() };
    return { PATH: `${FAKE_DOCKER_DIR}:${path.dirname(process.execPath)}`, FAKE_DOCKER_MODE: mode };
  }

  it("tells a missing binary, an unreachable daemon and a permission problem apart, with the engine's stderr", async () => {
    const missing = await detectEngine(await pathWithDocker(undefined));
    expect(missing.available).toBe(false);
    expect(missing.probes.map((p) => [p.engine, p.problem])).toEqual([
      ["docker", "missing"],
      ["finch", "missing"],
      ["podman", "missing"],
    ]);
    expect(describeProbes(missing.probes)).toBe("no container engine found on PATH (looked for docker, finch, podman)");

    const unreachable = await detectEngine(await pathWithDocker("unreachable"));
    expect(unreachable.probes[0]).toMatchObject({
      engine: "docker",
      problem: "unreachable",
      stderr: expect.stringContaining("Is the docker daemon running?"),
    });
    expect(describeProbes(unreachable.probes)).toMatch(
      /^docker \(.*fake-docker\/docker\): daemon unreachable: Cannot connect to the Docker daemon/,
    );
    expect(engineHint(unreachable.probes)).toMatch(/Start the engine/);

    const denied = await detectEngine(await pathWithDocker("permission"));
    expect(denied.probes[0]).toMatchObject({ engine: "docker", problem: "permission-denied" });
    expect(describeProbes(denied.probes)).toMatch(/docker \(.*\): permission denied: permission denied while trying to connect/);
    expect(engineHint(denied.probes)).toMatch(/usermod -aG docker/);

    const ok = await detectEngine(await pathWithDocker("ok"));
    expect(ok).toMatchObject({ available: true, engine: "docker", binary: path.join(FAKE_DOCKER_DIR, "docker") });
  });
});

describe("startLocalRuntime (container mode, stand-in docker)", () => {
  it("builds for linux/arm64 and runs with -p and -e (credentials by name only), then stops the container", async () => {
    const state = tempDir();
    const log = path.join(state, "docker-calls.jsonl");
    const env = testEnv({
      PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH}`,
      FAKE_DOCKER_LOG: log,
      FAKE_DOCKER_STATE_DIR: state,
      FAKE_DOCKER_AGENT: AGENT_SCRIPT,
      AWS_SESSION_TOKEN: "session-token-value",
    });
    const cwd = await project({ dockerfile: true });
    const output = new MemoryOutput();
    const runtime = await start({ cwd, env, output });
    expect(runtime.mode).toBe("container");
    expect(output.lines).toContain("✔ Building and starting the agent container");
    const answer = await post(`${runtime.gatewayUrl}/invocations`, { prompt: "in a container" }, { authorization: SIGV4_HEADER });
    expect(answer.status).toBe(200);
    expect(answer.body.env).toEqual({ AGENT_GREETING: "hello", HAS_AWS_KEY: true });
    await runtime.stop();

    const calls = (await fsp.readFile(log, "utf8"))
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { args: string[] }).args);
    expect(calls[0]).toEqual(["info"]);
    expect(calls[1]).toEqual([
      "build",
      "--platform",
      "linux/arm64",
      "-t",
      "agentcore-ts-local/my_agent:latest",
      "-f",
      path.join(cwd, "Dockerfile"),
      cwd,
    ]);
    const run = calls[2]!;
    expect(run.slice(0, 2)).toEqual(["run", "--rm"]);
    expect(run[run.indexOf("--platform") + 1]).toBe("linux/arm64");
    expect(run[run.indexOf("-p") + 1]).toBe(`127.0.0.1:${new URL(runtime.agentUrl).port}:8080`);
    const envFlags = run.flatMap((arg, i) => (arg === "-e" ? [run[i + 1]] : []));
    expect(envFlags).toEqual([
      "PORT=8080",
      "AGENT_GREETING=hello",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
    ]);
    expect(JSON.stringify(run)).not.toContain("session-token-value");
    expect(run.at(-1)).toBe("agentcore-ts-local/my_agent:latest");
    const containerName = run[run.indexOf("--name") + 1];
    expect(calls[3]).toEqual(["stop", "-t", "5", containerName]);
  });

  it("falls back to a process when the engine is unreachable, saying why", async () => {
    const env = testEnv({ PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH}`, FAKE_DOCKER_MODE: "unreachable" });
    const output = new MemoryOutput();
    const runtime = await start({ cwd: await project(), env, output, writeRecord: false });
    expect(runtime.mode).toBe("process");
    expect(output.lines.join("\n")).toMatch(
      /No container engine reachable \(docker \(.*\): daemon unreachable: Cannot connect to the Docker daemon.*\): running the agent as a local process\./,
    );
    await runtime.stop();
  });
});
