/**
 * `quickstart --local` end to end, through the built binary: a private AGENTCORE_TS_HOME and a private
 * embedded-Cognito port, the real cognito-local, the real example agent as a process, the real gateway.
 * Checks each step's output, that nothing is left running afterwards (ports closed, no runtime record,
 * the embedded Cognito stopped), that reruns work, that no token leaks, and the failure paths
 * (an agent that cannot start, a taken Cognito port, Ctrl-C), each leaving nothing running.
 */
import { spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portRefuses as refuses } from "../../src/commands/quickstart/stop.js";
import { probeEmbeddedCognito } from "../../src/embedded-cognito/control.js";
import { BIN, type CliResult, freePort, runCli, tempDir, testEnv } from "../support/cli.js";

const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./;
const RUN_TIMEOUT = 60_000;
/** The nine steps' stable names in the --json document, the same for HTTP and MCP. */
const STEP_NAMES = [
  "embedded-cognito",
  "cognito-setup",
  "configure",
  "launch-local",
  "invoke-without-token",
  "invoke-bearer",
  "token-refresh",
  "invoke-bearer-again",
  "stop",
];

interface Sandbox {
  env: NodeJS.ProcessEnv;
  home: string;
  cognitoEndpoint: string;
  cwd: string;
}

async function sandbox(): Promise<Sandbox> {
  const cognitoPort = await freePort();
  const env = testEnv({ AGENTCORE_TS_COGNITO_PORT: String(cognitoPort) });
  return {
    env,
    home: env.AGENTCORE_TS_HOME!,
    cognitoEndpoint: `http://127.0.0.1:${cognitoPort}`,
    cwd: tempDir("agentcore-ts-quickstart-"),
  };
}

function quickstart(box: Sandbox, extra: string[] = [], env: NodeJS.ProcessEnv = box.env): Promise<CliResult> {
  return runCli(["quickstart", "--local", "--port", "0", "--agent-port", "0", ...extra], { cwd: box.cwd, env, timeoutMs: RUN_TIMEOUT });
}

/** Nothing the quickstart started may outlive it: the given URLs refuse connections, no runtime record, Cognito stopped. */
async function expectNothingRunning(box: Sandbox, urls: string[] = []): Promise<void> {
  for (const url of urls) expect(await refuses(url), `${url} still accepts connections`).toBe(true);
  const records = (await fsp.readdir(path.join(box.home, "local")).catch(() => [] as string[])).filter((name) =>
    name.startsWith("runtime-"),
  );
  expect(records).toEqual([]);
  expect((await probeEmbeddedCognito(box.cognitoEndpoint)).state).toBe("stopped");
}

/** Every token the token cache holds (access, id and refresh tokens). */
async function cachedTokens(box: Sandbox): Promise<string[]> {
  const cache = JSON.parse(await fsp.readFile(path.join(box.home, "tokens.json"), "utf8")) as {
    entries: Record<string, Record<string, unknown>>;
  };
  return Object.values(cache.entries).flatMap((entry) =>
    ["accessToken", "idToken", "refreshToken"].map((key) => entry[key]).filter((value): value is string => typeof value === "string"),
  );
}

async function expectNoTokens(box: Sandbox, texts: string[]): Promise<void> {
  const project = path.join(box.cwd, "agentcore-quickstart");
  const files = [await fsp.readFile(path.join(project, ".agentcore.json"), "utf8"), await fsp.readFile(path.join(project, ".env"), "utf8")];
  const tokens = await cachedTokens(box);
  expect(tokens.length).toBeGreaterThanOrEqual(2);
  for (const text of [...texts, ...files]) {
    expect(text).not.toMatch(JWT);
    for (const token of tokens) expect(text.includes(token)).toBe(false);
  }
}

describe("quickstart --local", () => {
  let box: Sandbox;
  let first: CliResult;

  beforeAll(async () => {
    box = await sandbox();
    first = await quickstart(box);
  }, RUN_TIMEOUT);

  afterAll(async () => {
    await expectNothingRunning(box);
  });

  it("runs every step in ./agentcore-quickstart and shows what each did, with the equivalent command", async () => {
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const out = first.stdout;
    for (let step = 1; step <= 9; step += 1) expect(out).toContain(`Step ${step}/9: `);
    expect(out).toContain(`Project: ${path.join(box.cwd, "agentcore-quickstart")} (new)`);
    expect(out).toMatch(/Embedded Cognito on http:\/\/127\.0\.0\.1:\d+ \(started\)/);
    expect(out).toMatch(/User pool "agentcore-ts-agentcore-quickstart": local_\w+ \(created\)/);
    expect(out).toContain('Test user "testuser" (created)');
    expect(out).toContain("$ agentcore-ts cognito setup --local");
    expect(out).toMatch(
      /\$ agentcore-ts configure --entrypoint src\/agent\.ts --name quickstart_agent --discovery-url http:\/\/127\.0\.0\.1:\d+\/local_\w+\/\.well-known\/openid-configuration --allowed-clients \w+/,
    );
    expect(out).toContain("$ agentcore-ts launch --local");
    // The call without a token: the gateway's 401, with the service's WWW-Authenticate.
    expect(out).toContain("HTTP 401 UnauthorizedException");
    expect(out).toMatch(
      /WWW-Authenticate: Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/runtimes\/quickstart_agent\/invocations\/\.well-known\/oauth-protected-resource/,
    );
    // The streamed answers, before and after the refresh, with the caller the agent saw in the forwarded JWT.
    const answers = out.match(/│ I asked my weather tool\. The weather is sunny, 22 °C, with a light breeze\./g) ?? [];
    expect(answers).toHaveLength(2);
    expect(out).toContain('│ (Called by user "testuser" via app client');
    expect(out).toMatch(/HTTP 200, streamed in \d+ server-sent events; bearer token from the token cache/);
    expect(out).toContain('New access token for "testuser" via the refresh token (REFRESH_TOKEN_AUTH');
    expect(out.indexOf("via the refresh token")).toBeLessThan(out.lastIndexOf("I asked my weather tool"));
    expect(out).toContain("$ agentcore-ts token refresh");
    expect(out).toContain("Gateway and agent stopped; runtime record removed");
    expect(out).toContain("Embedded Cognito stopped");
    expect(out).toMatch(/Quickstart done: all 9 steps gave the expected result in \d+\.\ds\./);
    // How to go on, locally and in AWS.
    for (const command of [
      "$ cd agentcore-quickstart",
      "$ agentcore-ts launch --local",
      `$ agentcore-ts invoke --local --bearer '{"prompt":"What is 6*7?"}'`,
      "$ agentcore-ts token verify",
      "$ agentcore-ts cognito setup --no-local",
      "$ agentcore-ts launch ",
      `$ agentcore-ts invoke --bearer '{"prompt":"How is the weather now?"}'`,
    ]) {
      expect(out).toContain(command);
    }
    const gateway = /Gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const agent = /running as a process on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(gateway && agent).toBeTruthy();
    await expectNothingRunning(box, [gateway!, agent!]);
  });

  it("leaves a project the user can go on with, and no token in the output, .agentcore.json or .env", async () => {
    const project = path.join(box.cwd, "agentcore-quickstart");
    const config = JSON.parse(await fsp.readFile(path.join(project, ".agentcore.json"), "utf8"));
    expect(config.quickstart).toMatchObject({ agent: "quickstart_agent" });
    expect(config.defaultAgent).toBe("quickstart_agent");
    expect(config.agents.quickstart_agent.authorizerConfiguration.customJWTAuthorizer.allowedClients).toEqual([config.cognito.clientId]);
    expect(config.cognito).toMatchObject({ local: true, username: "testuser" });
    for (const file of ["package.json", "tsconfig.json", "src/agent.ts", "Dockerfile", ".dockerignore", ".gitignore"]) {
      expect((await fsp.stat(path.join(project, file))).isFile()).toBe(true);
    }
    // The example's dependencies link to agentcore-ts's own install, not to anything in the cwd.
    const link = await fsp.readlink(path.join(project, "node_modules", "bedrock-agentcore"));
    expect(link).toBe(path.join(path.dirname(path.dirname(BIN)), "node_modules", "bedrock-agentcore"));
    await expectNoTokens(box, [first.stdout, first.stderr]);
  });

  it(
    "reruns in the same place, reusing the pool, client and user (--json: one document, each step's facts)",
    async () => {
      const rerun = await quickstart(box, ["--json"]);
      expect(rerun.stderr).toBe("");
      expect(rerun.code).toBe(0);
      const doc = JSON.parse(rerun.stdout);
      expect(doc).toMatchObject({
        ok: true,
        agent: "quickstart_agent",
        project: { status: "reused", dir: path.join(box.cwd, "agentcore-quickstart") },
      });
      expect(doc.steps.map((s: { name: string; ok: boolean }) => [s.name, s.ok])).toEqual(STEP_NAMES.map((name) => [name, true]));
      const facts = Object.fromEntries(doc.steps.map((s: { name: string; facts: unknown }) => [s.name, s.facts]));
      const poolId = /User pool "[^"]+": (local_\w+)/.exec(first.stdout)?.[1];
      expect(facts["cognito-setup"]).toMatchObject({ userPoolId: poolId, userPool: "reused", appClient: "reused", user: "reused" });
      expect(facts["invoke-without-token"]).toMatchObject({ status: 401, errorType: "UnauthorizedException" });
      expect(facts["invoke-bearer"]).toMatchObject({ status: 200, tokenSource: "cache", caller: "testuser" });
      expect(facts["invoke-bearer"].answer).toContain("sunny");
      expect(facts["token-refresh"]).toMatchObject({ method: "refresh_token", username: "testuser" });
      expect(facts["invoke-bearer-again"]).toMatchObject({ status: 200, sessionId: facts["invoke-bearer"].sessionId });
      expect(facts.stop).toEqual({ gatewayStopped: true, agentStopped: true, runtimeRecordRemoved: true, embeddedCognito: "stopped" });
      expect(typeof doc.totalMs).toBe("number");
      expect(doc.next.local).toContain("agentcore-ts launch --local");
      await expectNothingRunning(box, [facts["launch-local"].gatewayUrl, facts["launch-local"].agentUrl]);
      await expectNoTokens(box, [rerun.stdout]);
    },
    RUN_TIMEOUT,
  );

  it(
    "stops at an agent that cannot start, names the step, stops everything (exit 1); --force restores the example",
    async () => {
      const entry = path.join(box.cwd, "agentcore-quickstart", "src", "agent.ts");
      await fsp.appendFile(entry, "\nthis is not TypeScript (\n");
      const failed = await quickstart(box, ["--json"]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(
        /Step 4\/9 \(launch --local\) failed: expected the agent to answer GET \/ping behind the local gateway, but: The agent exited/,
      );
      expect(failed.stderr).toContain("Everything the quickstart started was stopped");
      expect(failed.stderr).toContain("quickstart_agent.log");
      const doc = JSON.parse(failed.stdout);
      const steps = doc.details.steps.map((s: { name: string; ok: boolean }) => [s.name, s.ok]);
      expect(steps).toEqual([
        ["embedded-cognito", true],
        ["cognito-setup", true],
        ["configure", true],
        ["launch-local", false],
      ]);
      expect(doc.details.steps[2].facts.files.kept).toEqual(["src/agent.ts"]);
      await expectNothingRunning(box);

      const restored = await quickstart(box, ["--force"]);
      expect(restored.code).toBe(0);
      expect(restored.stdout).toContain("Restored the example's src/agent.ts (--force)");
      await expectNothingRunning(box);
    },
    2 * RUN_TIMEOUT,
  );

  it(
    "stops the running gateway, agent and Cognito on Ctrl-C (exit 130)",
    async () => {
      // A slow stream keeps step 6 busy long enough to interrupt it with everything running.
      // --force: start from the example's own files whatever an earlier test left.
      const child = spawn(process.execPath, [BIN, "quickstart", "--local", "--force", "--port", "0", "--agent-port", "0"], {
        cwd: box.cwd,
        env: { ...box.env, AGENT_STREAM_DELAY_MS: "2000" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no streamed answer in time:\n${stdout}\n${stderr}`)), RUN_TIMEOUT - 10_000);
          void exited.then((code) => reject(new Error(`exited (${code}) before the streamed answer:\n${stdout}\n${stderr}`)));
          child.stdout.setEncoding("utf8").on("data", (d: string) => {
            stdout += d;
            if (stdout.includes("│ ")) {
              clearTimeout(timer);
              resolve();
            }
          });
        });
        child.kill("SIGINT");
        expect(await exited).toBe(130);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
      expect(stderr).toContain("Interrupted during Step 6/9 (invoke --bearer); everything the quickstart started was stopped.");
      expect(stdout).toContain("gateway stopped, agent stopped, embedded Cognito stopped.");
      const gateway = /Gateway on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
      const agent = /running as a process on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
      await expectNothingRunning(box, [gateway, agent]);
    },
    RUN_TIMEOUT,
  );
});

describe("quickstart --local refusals and start-up failures", () => {
  it("fails at step 1 when another program holds the embedded Cognito's port, naming the step and the variable (exit 1)", async () => {
    const box = await sandbox();
    const squatter = http.createServer((_req, res) => res.end("not cognito"));
    await new Promise<void>((resolve) => squatter.listen(Number(new URL(box.cognitoEndpoint).port), "127.0.0.1", resolve));
    try {
      const result = await quickstart(box);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        "Step 1/9 (embedded Cognito) failed: expected the embedded Cognito to run on its port, but: Cannot use the embedded Cognito",
      );
      expect(result.stderr).toContain("AGENTCORE_TS_COGNITO_PORT");
      expect(result.stdout).not.toContain("Step 2/9");
      const records = await fsp.readdir(path.join(box.home, "local")).catch(() => [] as string[]);
      expect(records).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it("refuses a non-empty directory that is not a quickstart project, and runs nothing without --local (exit 2)", async () => {
    const box = await sandbox();
    const dir = path.join(box.cwd, "mine");
    await fsp.mkdir(dir);
    await fsp.writeFile(path.join(dir, "notes.txt"), "mine");
    const refused = await quickstart(box, ["--dir", "mine"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${dir} is not empty and is not a quickstart project`);
    expect(refused.stderr).toContain("--force");
    expect(await fsp.readdir(dir)).toEqual(["notes.txt"]);

    const notLocal = await runCli(["quickstart"], { cwd: box.cwd, env: box.env });
    expect(notLocal.code).toBe(2);
    expect(notLocal.stderr).toContain("pass --local");
    await expect(fsp.access(path.join(box.cwd, "agentcore-quickstart"))).rejects.toThrow();
    await expectNothingRunning(box);
  });
});

describe("quickstart --local --protocol MCP", () => {
  it(
    "runs the workshop for the MCP server: 401 with resource_metadata, tools/list and tools/call with tokens, stop",
    async () => {
      const box = await sandbox();
      const result = await quickstart(box, ["--protocol", "mcp", "--json"]);
      expect(result.code, result.stderr.slice(-2000)).toBe(0);
      const doc = JSON.parse(result.stdout) as { steps: { name: string; ok: boolean; command: string; facts: Record<string, unknown> }[] };
      expect(doc.steps.map((s) => [s.name, s.ok])).toEqual(STEP_NAMES.map((name) => [name, true]));
      const step = (name: string) => doc.steps.find((s) => s.name === name)!;
      expect(step("configure").command).toContain("--entrypoint src/server.ts --protocol MCP");
      expect(step("invoke-without-token").facts.wwwAuthenticate).toMatch(
        /^Bearer resource_metadata="http:\/\/127\.0\.0\.1:\d+\/runtimes\/quickstart_agent\/invocations\/\.well-known\/oauth-protected-resource\?qualifier=DEFAULT"$/,
      );
      expect(step("invoke-bearer").facts).toMatchObject({ answer: "calculator, weather, whoami", tokenSource: "cache" });
      expect(step("invoke-bearer-again").facts).toMatchObject({ answer: "42" });
      const config = JSON.parse(await fsp.readFile(path.join(box.cwd, "agentcore-quickstart", ".agentcore.json"), "utf8"));
      expect(config.agents.quickstart_agent).toMatchObject({ protocol: "MCP", entrypoint: "src/server.ts" });
      expect(await fsp.readFile(path.join(box.cwd, "agentcore-quickstart", "Dockerfile"), "utf8")).toMatch(/^EXPOSE 8000$/m);
      await expectNothingRunning(box);
    },
    RUN_TIMEOUT,
  );
});
