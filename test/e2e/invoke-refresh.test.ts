/**
 * `invoke` with tokens from the token cache, end to end: `cognito setup --local` (the embedded
 * cognito-local) creates the pool, client, user and cached tokens; the local gateway enforces the
 * agent's authorizer in front of the real example agent. A cached token that is (about to be)
 * expired is refreshed before sending; a cached token the gateway answers 401 is refreshed once
 * and the call retried.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenCache } from "../../src/auth/token-cache.js";
import { requireConfig, updateConfig } from "../../src/config/store.js";
import { type LocalRuntime, startLocalRuntime } from "../../src/local/runtime.js";
import { freePort, REPO_ROOT, runCli, tempDir, testEnv } from "../support/cli.js";

let env: NodeJS.ProcessEnv;
let project: string;
let runtime: LocalRuntime;
const gatewayLog: { status: number }[] = [];

beforeAll(async () => {
  project = tempDir("agentcore-ts-invoke-refresh-");
  env = testEnv({ AGENTCORE_TS_COGNITO_PORT: String(await freePort()) });
  const setup = await runCli(["cognito", "setup", "--local", "--non-interactive"], { cwd: project, env });
  if (setup.code !== 0) throw new Error(`cognito setup --local failed: ${setup.stderr}`);
  const { config } = await requireConfig(project);
  const cognito = config.cognito!;
  await updateConfig(path.join(project, ".agentcore.json"), (c) => {
    c.agents.example = {
      name: "example",
      entrypoint: path.join(REPO_ROOT, "examples/typescript/src/agent.ts"),
      language: "node",
      platform: "linux/arm64",
      executionRole: "auto",
      ecrRepository: "auto",
      requirementsFile: null,
      authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: cognito.discoveryUrl, allowedClients: [cognito.clientId] } },
      requestHeaderAllowlist: [],
      environmentVariables: { AGENT_OFFLINE: "1", AGENT_STREAM_DELAY_MS: "2" },
      protocol: "HTTP",
      deployment: null,
    };
    c.defaultAgent = "example";
  });
  runtime = await startLocalRuntime({ cwd: project, env, mode: "process", port: 0, agentPort: 0, onRequest: (e) => gatewayLog.push(e) });
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
});

async function cachedEntry() {
  const [entry] = await new TokenCache(env).entries();
  return entry;
}

/** Rewrites the one cached entry (the test plays the clock, or a revoked token). */
async function editCache(change: (entry: Awaited<ReturnType<typeof cachedEntry>>) => void): Promise<void> {
  const entry = await cachedEntry();
  change(entry);
  await new TokenCache(env).put(entry);
}

describe("invoke with the cached Cognito token", () => {
  it("sends the cached token that matches the agent's authorizer", async () => {
    const result = await runCli(["invoke", "What is 2 + 2?", "--local", "--json"], { cwd: project, env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      auth: "bearer",
      tokenSource: "cache",
      status: 200,
      response: expect.stringContaining("4"),
    });
  });

  it("refreshes a token that expires within two minutes before sending it", async () => {
    await editCache((entry) => {
      entry.accessTokenExpiresAt = new Date(Date.now() + 60_000).toISOString();
    });
    const before = await cachedEntry();
    const result = await runCli(["invoke", "What is 3 + 3?", "--local", "--verbose"], { cwd: project, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("6");
    expect(result.stderr).toContain("refreshed it first");
    const after = await cachedEntry();
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(Date.parse(after.accessTokenExpiresAt)).toBeGreaterThan(Date.now() + 30 * 60_000);
  });

  it("a cached token the runtime answers 401: refreshed once, then the call is retried and succeeds", async () => {
    await editCache((entry) => {
      // Same expiry, broken signature: what a revoked or rotated-key token looks like to the authorizer.
      entry.accessToken = `${entry.accessToken.slice(0, -6)}AAAAAA`;
    });
    const logged = gatewayLog.length;
    const result = await runCli(["invoke", "What is 4 + 4?", "--local", "--verbose"], { cwd: project, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("8");
    expect(result.stderr).toContain("401 with the cached token: refreshing it and retrying once");
    expect(gatewayLog.slice(logged).map((e) => e.status)).toEqual([401, 200]);
    expect((await cachedEntry()).accessToken.endsWith("AAAAAA")).toBe(false);
  });

  it("the same flow for a deployed-style call (AWS_ENDPOINT_URL_BEDROCK_AGENTCORE at the gateway)", async () => {
    await updateConfig(path.join(project, ".agentcore.json"), (c) => {
      c.agents.example.deployment = { runtimeArn: "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/example-AbCdEf1234" };
    });
    const result = await runCli(["invoke", "What is 5 + 5?"], {
      cwd: project,
      env: { ...env, AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: runtime.gatewayUrl },
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("10");
  });
});
