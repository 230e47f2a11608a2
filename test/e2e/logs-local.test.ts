/**
 * `logs --local` end to end: a real `launch --local` (the built binary, the fixture agent as a process behind
 * a JWT-enforcing gateway) while requests flow, then the built `logs --local` reading its agent output and
 * request log: interleaving, caller fields, no token anywhere, --since, --follow on a pty until Ctrl-C,
 * --follow --json ending with the runtime; and the container mode (stand-in docker) feeding the same log.
 */
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CLIENT_ID, type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";
import { AGENT_SCRIPT, FIXTURES, post, SIGV4_HEADER, waitFor, writeAgentProject } from "../local/gateway-helpers.js";
import { BIN, runCli, tempDir, testEnv } from "../support/cli.js";
import { KEY, runCliInPty } from "../support/pty.js";
import { killLocalLaunch, type LaunchedLocal, startLocalLaunch } from "./launch-helpers.js";

const FAKE_DOCKER_DIR = path.resolve(FIXTURES, "../fake-docker");
const AGENT = "logs_local_agent";
const INVOCATIONS = `/runtimes/${AGENT}/invocations`;
const BAD_TOKEN = "not-a-jwt-SECRET-TEXT-0123456789";

interface Line {
  time: string;
  source: "agent" | "gateway";
  stream?: string;
  message: string;
  status?: number;
  caller?: Record<string, string>;
}

let issuer: FakeIssuer;
let cwd: string;
let env: NodeJS.ProcessEnv;
let launched: LaunchedLocal | undefined;
const tokens: string[] = [];
/** Between the first requests and the later ones, for --since. */
let middle = "";

async function call(body: Record<string, unknown>, authorization?: string): Promise<number> {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  return (await post(`${launched!.record.gatewayUrl}${INVOCATIONS}?qualifier=DEFAULT`, body, headers)).status;
}

async function bearer(): Promise<string> {
  const token = await issuer.mint();
  tokens.push(token);
  return `Bearer ${token}`;
}

async function jsonLogs(args: string[] = []): Promise<Line[]> {
  const result = await runCli(["logs", "--local", "--json", ...args], { cwd, env });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { events: Line[] }).events;
}

/** The lines as `source: message` without the times, for order checks. */
const shape = (lines: Line[]) =>
  lines.map((l) => `${l.source}${l.stream === "stderr" ? ":stderr" : ""} ${l.source === "gateway" ? l.status : l.message}`);

beforeAll(async () => {
  issuer = await startFakeIssuer();
  cwd = await writeAgentProject(
    {
      name: AGENT,
      entrypoint: AGENT_SCRIPT,
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] } },
      // The agent receives the token (and echoes it in its answer): it must still appear in no log.
      requestHeaderAllowlist: ["Authorization"],
    },
    "agentcore-ts-logs-local-",
  );
  env = testEnv({ PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH}`, FAKE_DOCKER_MODE: "unreachable" });
  launched = await startLocalLaunch(["--port", "0", "--agent-port", "0"], { cwd, env, agentName: AGENT }, () => undefined);

  expect(await call({ prompt: "one", log: "agent handles one" }, await bearer())).toBe(200);
  expect(await call({ prompt: "no token" })).toBe(401);
  expect(await call({ prompt: "bad token" }, `Bearer ${BAD_TOKEN}`)).toBe(401);
  // The gateway writes a request's line once the answer is sent: wait for the third one before the cut.
  const requests = launched.record.logs!.requests;
  await waitFor(async () => (await fsp.readFile(requests, "utf8")).trim().split("\n").length === 3 || undefined, 5000, "3 request lines");
  middle = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  expect(await call({ prompt: "four", log: "agent handles four", logStderr: "agent warns four" }, await bearer())).toBe(200);
}, 30_000);

afterAll(async () => {
  await killLocalLaunch(launched);
  await issuer?.close();
});

describe("logs --local", () => {
  it("merges the agent's output and the gateway's requests by time, with caller fields, refused requests and no token", async () => {
    const lines = await jsonLogs();
    expect(shape(lines)).toEqual([
      expect.stringMatching(/^agent test agent listening on \d+$/),
      "agent agent handles one",
      "gateway 200",
      "gateway 401",
      "gateway 401",
      "agent agent handles four",
      "agent:stderr agent warns four",
      "gateway 200",
    ]);
    const times = lines.map((l) => l.time);
    expect([...times].sort()).toEqual(times);
    const accepted = lines.filter((l) => l.source === "gateway" && l.status === 200);
    for (const line of accepted) {
      expect(line.caller).toEqual({
        sub: expect.any(String),
        username: "testuser",
        clientId: DEFAULT_CLIENT_ID,
        scope: "aws.cognito.signin.user.admin",
      });
      expect(line.message).toMatch(
        new RegExp(
          `^POST ${INVOCATIONS} 200 [\\d.]+ms session=\\S+ caller=testuser client=${DEFAULT_CLIENT_ID} scope="aws\\.cognito\\.signin\\.user\\.admin"$`,
        ),
      );
    }
    const refused = lines.filter((l) => l.source === "gateway" && l.status === 401);
    expect(refused.map((l) => l.caller)).toEqual([undefined, undefined]);
    expect(refused[0]!.message).toMatch(new RegExp(`^POST ${INVOCATIONS} 401 UnauthorizedException [\\d.]+ms`));

    // The human form: time, source, line.
    const human = await runCli(["logs", "--local"], { cwd, env });
    expect(human.code).toBe(0);
    const humanLines = human.stdout.trimEnd().split("\n");
    expect(humanLines).toHaveLength(lines.length);
    expect(humanLines[1]).toBe(`${lines[1]!.time} [agent] agent handles one`);
    expect(humanLines[2]).toBe(`${lines[2]!.time} [gateway] ${accepted[0]!.message}`);
    expect(humanLines[6]).toBe(`${lines[6]!.time} [agent:stderr] agent warns four`);

    // No token text in the output nor in any file the runtime writes; the files are private.
    const dir = path.join(env.AGENTCORE_TS_HOME!, "local");
    const files = await fsp.readdir(dir);
    expect(files).toEqual(
      expect.arrayContaining([`${AGENT}.log`, `${AGENT}.agent.jsonl`, `${AGENT}.requests.jsonl`, `runtime-${AGENT}.json`]),
    );
    const texts = [human.stdout, JSON.stringify(lines)];
    for (const file of files) {
      texts.push(await fsp.readFile(path.join(dir, file), "utf8"));
      expect((await fsp.stat(path.join(dir, file))).mode & 0o777).toBe(0o600);
    }
    expect((await fsp.stat(dir)).mode & 0o777).toBe(0o700);
    for (const text of texts) {
      for (const secret of [...tokens, BAD_TOKEN]) expect(text).not.toContain(secret);
    }
  });

  it("--since keeps the lines from that time on", async () => {
    expect(shape(await jsonLogs(["--since", middle]))).toEqual([
      "agent agent handles four",
      "agent:stderr agent warns four",
      "gateway 200",
    ]);
    expect(await jsonLogs(["--since", "10m"])).toHaveLength(8);
    const bad = await runCli(["logs", "--local", "--since", "soon"], { cwd, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since must be a duration like 30s, 10m, 2h, 1d or an ISO 8601 time, got "soon"');
  });

  it("--follow on a terminal prints what is there, then a new request's lines as they come, until Ctrl-C", async () => {
    const pty = runCliInPty(["logs", "--local", "--follow", "--since", middle], { cwd, env });
    try {
      await pty.waitFor("[agent] agent handles four");
      await pty.waitFor(/\[gateway\] POST \S+ 200 .*caller=testuser/);
      expect(await call({ prompt: "five", log: "agent handles five" }, await bearer())).toBe(200);
      await pty.waitFor("[agent] agent handles five");
      await pty.waitFor(/\[gateway\] POST \S+ 200 .*caller=testuser/);
      pty.send(KEY.ctrlC);
      const done = await pty.done;
      expect(done.code).toBe(0);
      expect(done.text.match(/agent handles five/g)).toHaveLength(1);
      expect(done.text).not.toContain("agent handles one");
      for (const secret of tokens) expect(done.text).not.toContain(secret);
    } finally {
      pty.kill();
    }
  });

  it("--follow --json prints one document per line and ends when the local runtime stops", async () => {
    const child = spawn(process.execPath, [BIN, "logs", "--local", "--follow", "--json", "--since", "1m"], { cwd, env });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    await waitFor(() => stdout.includes("agent handles five"), 10_000, "the followed lines");
    expect(await call({ prompt: "six", log: "agent handles six" }, await bearer())).toBe(200);
    await waitFor(() => stdout.includes("agent handles six"), 10_000, "the new line");
    launched!.child.kill("SIGTERM");
    expect(await launched!.exited).toBe(0);
    expect(await closed).toBe(0);
    const docs = stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Line);
    expect(shape(docs).slice(-2)).toEqual(["agent agent handles six", "gateway 200"]);
    expect(docs.every((d) => typeof d.time === "string" && typeof d.message === "string")).toBe(true);
  });

  it("without a running local runtime: an error pointing at launch --local", async () => {
    const result = await runCli(["logs", "--local"], { cwd, env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`No local runtime is running for agent "${AGENT}".`);
    expect(result.stderr).toContain("agentcore-ts launch --local");
    const json = await runCli(["logs", "--local", "--json"], { cwd, env });
    expect(JSON.parse(json.stdout)).toMatchObject({ error: "NoLocalRuntime" });
  });

  it("container mode: the container's output (through the engine client) and the image build's are in the same log", async () => {
    const state = tempDir("agentcore-ts-docker-state-");
    const dir = await writeAgentProject({ name: "boxed_agent", entrypoint: AGENT_SCRIPT }, "agentcore-ts-logs-container-");
    await fsp.writeFile(path.join(dir, "Dockerfile"), "FROM scratch\n");
    const boxedEnv = testEnv({
      PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH}`,
      FAKE_DOCKER_STATE_DIR: state,
      FAKE_DOCKER_AGENT: AGENT_SCRIPT,
    });
    const boxed = await startLocalLaunch(
      ["--port", "0", "--agent-port", "0"],
      { cwd: dir, env: boxedEnv, agentName: "boxed_agent" },
      () => undefined,
    );
    try {
      expect(boxed.record.mode).toBe("container");
      const answer = await post(
        `${boxed.record.gatewayUrl}/invocations`,
        { prompt: "x", log: "hello from the container" },
        { authorization: SIGV4_HEADER },
      );
      expect(answer.status).toBe(200);
      const result = await runCli(["logs", "--local", "--json"], { cwd: dir, env: boxedEnv });
      expect(result.code).toBe(0);
      const doc = JSON.parse(result.stdout) as { mode: string; events: Line[] };
      expect(doc.mode).toBe("container");
      expect(shape(doc.events)).toEqual([
        "agent #1 building (fake)",
        "agent #2 DONE",
        expect.stringMatching(/^agent test agent listening on \d+$/),
        "agent hello from the container",
        "gateway 200",
      ]);
    } finally {
      await killLocalLaunch(boxed);
    }
  });
});
