/**
 * `agentcore-ts launch --local` as a real child process (the built binary) with the TypeScript example
 * agent (offline mode) behind the gateway: invoke through it (fetch and `invoke --local`), `status --local`,
 * then SIGTERM and check that the agent and the gateway are gone and the record is removed.
 * Run `npm run build` first (npm test does).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalRuntimeRecord, readLocalRuntime } from "../../src/local/runtime-state.js";
import { DEFAULT_CLIENT_ID, type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";
import { AGENT_SCRIPT, FIXTURES, isAlive, post, SIGV4_HEADER, waitFor, writeAgentProject } from "../local/gateway-helpers.js";
import { BIN, REPO_ROOT, runCli, testEnv } from "../support/cli.js";
import { killLocalLaunch, type LaunchedLocal, startLocalLaunch } from "./launch-helpers.js";

const EXAMPLE_AGENT = path.join(REPO_ROOT, "examples", "typescript", "src", "agent.ts");
const FAKE_DOCKER_DIR = path.resolve(FIXTURES, "../fake-docker");

let issuer: FakeIssuer;
let cwd: string;
let env: NodeJS.ProcessEnv;
let launch: ChildProcess;
let stdout = "";
let record: LocalRuntimeRecord;
let exited: Promise<number | null>;
let launched: LaunchedLocal | undefined;

beforeAll(async () => {
  issuer = await startFakeIssuer();
  cwd = await writeAgentProject(
    {
      name: "workshop_agent",
      entrypoint: EXAMPLE_AGENT,
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] } },
      requestHeaderAllowlist: ["Authorization"],
      environmentVariables: { AGENT_OFFLINE: "1", AGENT_STREAM_DELAY_MS: "1" },
    },
    "agentcore-ts-launch-local-",
  );
  // A docker whose daemon is unreachable (as on these machines), so the agent runs as a process on every machine.
  env = testEnv({ PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH}`, FAKE_DOCKER_MODE: "unreachable" });
  launched = await startLocalLaunch(["--port", "0", "--agent-port", "0"], { cwd, env, agentName: "workshop_agent" }, (stream, d) => {
    if (stream === "stdout") stdout += d;
  });
  ({ child: launch, exited, record } = launched);
}, 30_000);

afterAll(async () => {
  await killLocalLaunch(launched);
  await issuer.close();
});

describe("agentcore-ts launch --local (CLI)", () => {
  it("prints where the agent and the gateway listen, and how to invoke", () => {
    expect(stdout).toMatch(/No container engine reachable \(docker \(.*\): daemon unreachable: Cannot connect to the Docker daemon/);
    expect(stdout).toContain(`Agent workshop_agent running as a process on ${record.agentUrl}`);
    expect(stdout).toContain(`Gateway on ${record.gatewayUrl} enforcing the customJWTAuthorizer`);
    expect(stdout).toContain(`invoke --local '{"prompt": "Hello"}'`);
    expect(record).toMatchObject({ agentName: "workshop_agent", pid: launch.pid, mode: "process", auth: "jwt" });
    expect(isAlive(record.agentPid!)).toBe(true);
  });

  it("enforces the authorizer and streams the example agent's SSE answer", async () => {
    const url = `${record.gatewayUrl}/runtimes/workshop_agent/invocations?qualifier=DEFAULT`;
    const denied = await post(url, { prompt: "What is 2+3?" });
    expect([denied.status, denied.headers.get("x-amzn-errortype")]).toEqual([401, "UnauthorizedException"]);

    const token = await issuer.mint();
    const answer = await post(url, { prompt: "What is 2+3?" }, { authorization: `Bearer ${token}`, accept: "text/event-stream" });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = answer.text
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => JSON.parse(line.slice(6)) as unknown)
      .filter((v): v is string => typeof v === "string")
      .join("");
    expect(text).toContain("5");
    // The access log shows the requests.
    await waitFor(() => (stdout.includes("POST /runtimes/workshop_agent/invocations 200") ? true : undefined), 5000, "the access log line");
    expect(stdout).toContain("POST /runtimes/workshop_agent/invocations 401 UnauthorizedException");
    // Who called, from the verified token (username, client_id, scope), never the token itself.
    expect(stdout).toMatch(
      new RegExp(
        `POST /runtimes/workshop_agent/invocations 200 .*caller=testuser client=${DEFAULT_CLIENT_ID} scope="aws\\.cognito\\.signin\\.user\\.admin"`,
      ),
    );
    expect(stdout).not.toContain(token);
  });

  it("is found by `invoke --local` and `status --local`", async () => {
    const token = await issuer.mint();
    const invoked = await runCli(["invoke", "--local", '{"prompt": "What is 6*7?"}', "--json"], {
      cwd,
      env: { ...env, COGNITO_ACCESS_TOKEN: token },
    });
    expect(invoked.stderr).toBe("");
    expect(invoked.code).toBe(0);
    expect(JSON.stringify(JSON.parse(invoked.stdout))).toContain("42");

    const status = await runCli(["status", "--local"], { cwd, env });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain("Local runtime: workshop_agent (Healthy)");
    expect(status.stdout).toContain(`gateway:  ${record.gatewayUrl}  customJWTAuthorizer enforced`);
    expect(status.stdout).toContain(
      `log:      ${record.logFile}  (with requests: agentcore-ts logs --local --agent workshop_agent --follow)`,
    );
    const json = await runCli(["status", "--local", "--json"], { cwd, env });
    expect(JSON.parse(json.stdout)).toMatchObject({
      runtimes: [{ agentName: "workshop_agent", gatewayUrl: record.gatewayUrl, health: "Healthy" }],
    });
  });

  it("stops the agent and the gateway on SIGTERM and removes the record", async () => {
    launch.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stdout).toContain("Stopped.");
    expect(isAlive(record.agentPid!)).toBe(false);
    expect(await readLocalRuntime(env, "workshop_agent")).toBeUndefined();
    await expect(fsp.access(path.join(env.AGENTCORE_TS_HOME!, "local", "runtime-workshop_agent.json"))).rejects.toThrow();
    await expect(fetch(`${record.gatewayUrl}/ping`)).rejects.toThrow();
    await expect(fetch(`${record.agentUrl}/ping`)).rejects.toThrow();

    const status = await runCli(["status", "--local"], { cwd, env });
    expect(status.code).toBe(1);
    expect(status.stderr).toContain("No local runtime is running.");
  });

  // The fixture agent (plain Node, starts fast); `end` makes the CLI end, then nothing of it may be left.
  async function launchThenEnd(name: string, end: (child: ChildProcess, runtime: LocalRuntimeRecord) => Promise<void>) {
    const dir = await writeAgentProject({ name, entrypoint: AGENT_SCRIPT }, "agentcore-ts-launch-end-");
    const child = spawn(process.execPath, [BIN, "launch", "--local", "--port", "0", "--agent-port", "0"], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const gone = new Promise((resolve) => child.once("exit", resolve));
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
    try {
      const runtime = await waitFor(
        async () => (out.includes("Press Ctrl-C to stop.") ? readLocalRuntime(env, name) : undefined),
        20_000,
        `launch --local of ${name}`,
      );
      await end(child, runtime);
      await gone;
      await waitFor(() => !isAlive(runtime.agentPid!) || undefined, 5_000, "the agent to stop");
      await expect(fsp.access(path.join(env.AGENTCORE_TS_HOME!, "local", `runtime-${name}.json`))).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }

  it("stops the agent and removes the record when it ends on a closed stdout pipe (`launch --local | head`)", async () => {
    await launchThenEnd("pipe_agent", async (child, runtime) => {
      child.stdout!.destroy(); // the reader went away
      // The access-log line for this request hits the closed pipe (EPIPE): the CLI ends at once.
      await post(`${runtime.gatewayUrl}/invocations`, { prompt: "hi" }, { authorization: SIGV4_HEADER }).catch(() => undefined);
    });
  });

  it("stops the agent and removes the record on SIGHUP (the terminal was closed)", async () => {
    await launchThenEnd("hangup_agent", async (child) => {
      child.kill("SIGHUP");
    });
  });

  it("refuses a bad port with a usage error", async () => {
    const bad = await runCli(["launch", "--local", "--port", "http"], { cwd, env: testEnv() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--port "http" is not a TCP port.');
  });
});
