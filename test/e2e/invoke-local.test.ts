/**
 * `invoke` (the built binary) against the real local runtime: the local gateway of `launch --local`
 * (which enforces the customJWTAuthorizer like AgentCore) in front of the real example agent
 * (examples/typescript, AGENT_OFFLINE=1), with tokens from a loopback OIDC issuer. Both the
 * deployed-style call (AWS_ENDPOINT_URL_BEDROCK_AGENTCORE -> gateway) and `invoke --local` are used.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalRuntime, startLocalRuntime } from "../../src/local/runtime.js";
import { type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";
import { REPO_ROOT, runCli, tempDir, testEnv } from "../support/cli.js";

const CLIENT = "exampleclient0000000000001";
const DEPLOYED_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/example-AbCdEf1234";
const IAM_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/example_iam-ZyXwVu9876";
const ENTRYPOINT = path.join(REPO_ROOT, "examples/typescript/src/agent.ts");

let issuer: FakeIssuer;
let jwtRuntime: LocalRuntime;
let iamRuntime: LocalRuntime;
let project: string;
let home: string;
const gatewayRequests: { path: string; status: number }[] = [];

beforeAll(async () => {
  issuer = await startFakeIssuer();
  project = tempDir("agentcore-ts-invoke-gw-");
  home = tempDir("agentcore-ts-home-");
  const agent = (name: string, extra: Record<string, unknown>) => ({
    name,
    entrypoint: ENTRYPOINT,
    language: "node",
    environmentVariables: { AGENT_OFFLINE: "1", AGENT_STREAM_DELAY_MS: "2" },
    ...extra,
  });
  await fsp.writeFile(
    path.join(project, ".agentcore.json"),
    JSON.stringify({
      version: 1,
      defaultAgent: "example",
      agents: {
        example: agent("example", {
          authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: issuer.discoveryUrl, allowedClients: [CLIENT] } },
          deployment: { runtimeArn: DEPLOYED_ARN, runtimeId: "example-AbCdEf1234" },
        }),
        example_iam: agent("example_iam", { deployment: { runtimeArn: IAM_ARN, runtimeId: "example_iam-ZyXwVu9876" } }),
      },
    }),
  );
  const env = { ...process.env, AGENTCORE_TS_HOME: home };
  const start = (agentName: string) =>
    startLocalRuntime({ cwd: project, agentName, env, port: 0, agentPort: 0, mode: "process", onRequest: (e) => gatewayRequests.push(e) });
  [jwtRuntime, iamRuntime] = await Promise.all([start("example"), start("example_iam")]);
}, 60_000);

afterAll(async () => {
  await Promise.all([jwtRuntime?.stop(), iamRuntime?.stop()]);
  await issuer?.close();
});

/** The CLI's environment: the test's private home (where the runtime records are) and the data plane at the JWT gateway. */
const env = (extra: NodeJS.ProcessEnv = {}) =>
  testEnv({ AGENTCORE_TS_HOME: home, AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: jwtRuntime.gatewayUrl, ...extra });
const token = (claims: Record<string, unknown> = {}, expiresIn?: number) => issuer.mint({ client_id: CLIENT, ...claims }, { expiresIn });

describe.concurrent("invoke through the local gateway with the example agent", () => {
  it("streams the agent's answer event by event (deployed-style call at AWS_ENDPOINT_URL_BEDROCK_AGENTCORE)", async () => {
    const result = await runCli(["invoke", '{"prompt":"What is 6 * 7?"}', "--bearer-token", await token(), "--json"], {
      cwd: project,
      env: env(),
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      agent: "example",
      agentRuntimeArn: DEPLOYED_ARN,
      auth: "bearer",
      status: 200,
      contentType: expect.stringContaining("text/event-stream"),
    });
    expect(doc.events.length).toBeGreaterThan(2);
    expect(doc.response).toContain("42");

    const human = await runCli(["invoke", '{"prompt":"What is 6 * 7?"}', "--bearer-token", await token()], { cwd: project, env: env() });
    expect(human.code).toBe(0);
    expect(human.stdout.trim()).toBe(doc.response.trim());
  });

  it("--local finds the gateway from the runtime record, with the token from COGNITO_ACCESS_TOKEN", async () => {
    const result = await runCli(["invoke", "What is 2 + 3?", "--local"], {
      cwd: project,
      env: env({ AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: "http://127.0.0.1:9", COGNITO_ACCESS_TOKEN: await token() }),
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("5");
  });

  it("IAM agent: SigV4 (the SDK's InvokeAgentRuntime) through its gateway with --local", async () => {
    const result = await runCli(["invoke", "What is 10 - 4?", "--local", "--agent", "example_iam", "--json"], { cwd: project, env: env() });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ auth: "sigv4", local: true, status: 200, response: expect.stringContaining("6") });
  });

  it("an expired token: the gateway's 401 with the `token verify` hint", async () => {
    const result = await runCli(["invoke", "hi", "--bearer-token", await token({}, -60)], { cwd: project, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/InvokeAgentRuntime \(HTTP 401\) failed: UnauthorizedException: /);
    expect(result.stderr).toContain("agentcore-ts token verify");
  });

  it("a token from another client: the gateway's 401 naming the claim, this tool's finding and the configured allowedClients", async () => {
    const result = await runCli(["invoke", "hi", "--bearer-token", await token({ client_id: "someoneelse" })], {
      cwd: project,
      env: env(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "InvokeAgentRuntime (HTTP 401) failed: UnauthorizedException: Claim 'client_id' value mismatch with configuration.",
    );
    expect(result.stderr).toContain('The token: client_id "someoneelse" is not in allowedClients');
    expect(result.stderr).toContain(`allowedClients ["${CLIENT}"]`);
  });

  it("SigV4 to the JWT agent (--agent-arn, no config, no token): 403 Authorization method mismatch, 'expects OAuth'", async () => {
    const result = await runCli(["invoke", "hi", "--agent-arn", DEPLOYED_ARN], { cwd: tempDir(), env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("AccessDeniedException: Authorization method mismatch");
    expect(result.stderr).toMatch(/expects OAuth/);
  });

  it("--agent-arn without a config, with a bearer token: answered", async () => {
    const result = await runCli(["invoke", "What is 1 + 1?", "--agent-arn", DEPLOYED_ARN, "--bearer-token", await token()], {
      cwd: tempDir(),
      env: env(),
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("2");
  });

  it("an unknown qualifier: 404 naming the ARN and the qualifier", async () => {
    const result = await runCli(["invoke", "hi", "--bearer-token", await token(), "--qualifier", "prod"], { cwd: project, env: env() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ResourceNotFoundException");
    expect(result.stderr).toContain("qualifier (prod");
  });

  it("the agent fails: 424 with the log group (deployed-style) or the local log file (--local)", async () => {
    const deployed = await runCli(["invoke", "__error__", "--bearer-token", await token()], { cwd: project, env: env() });
    expect(deployed.code).toBe(1);
    expect(deployed.stderr).toContain("RuntimeClientError");
    expect(deployed.stderr).toContain("/aws/bedrock-agentcore/runtimes/example-AbCdEf1234-DEFAULT");
    const local = await runCli(["invoke", "__error__", "--local", "--bearer-token", await token()], { cwd: project, env: env() });
    expect(local.code).toBe(1);
    expect(local.stderr).toContain("RuntimeClientError");
    expect(local.stderr).toContain(jwtRuntime.logFile);
  });

  it("the agent throws mid-stream (event: error): what came is printed, then exit 1", async () => {
    const result = await runCli(["invoke", "__error_midstream__", "--local", "--bearer-token", await token()], {
      cwd: project,
      env: env(),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("Streaming one chunk, then failing...\n");
    expect(result.stderr).toContain("The agent failed while streaming its answer");
    expect(result.stderr).toContain(jwtRuntime.logFile);
  });

  it("keeps the session across invokes until --new-session; payload from stdin", async () => {
    const shared = env({ COGNITO_ACCESS_TOKEN: await token() });
    const sessionOf = async (...args: string[]) => {
      const result = await runCli(["invoke", "--json", ...args], { cwd: project, env: shared, input: '{"prompt":"What is 3 * 3?"}' });
      expect(result.code).toBe(0);
      const doc = JSON.parse(result.stdout);
      expect(doc.response).toContain("9");
      return doc.sessionId as string;
    };
    const first = await sessionOf();
    expect(await sessionOf()).toBe(first);
    const fresh = await sessionOf("--new-session");
    expect(fresh).not.toBe(first);
    expect(await sessionOf()).toBe(fresh);
  });
});

// Not concurrent: it counts the gateway's requests.
describe("invoke through the local gateway: no token", () => {
  it("fails before sending: nothing reaches the gateway (no SigV4 fallback)", async () => {
    const before = gatewayRequests.length;
    const result = await runCli(["invoke", "hi"], { cwd: project, env: env() });
    expect(result.code).toBe(1);
    for (const named of ["agentcore-ts cognito setup", "agentcore-ts token refresh", "--bearer-token"])
      expect(result.stderr).toContain(named);
    expect(gatewayRequests.length).toBe(before);
  });
});

// Last and alone: the agent process dies (the runtime restarts it), which would disturb concurrent tests.
describe("invoke through the local gateway: the agent crashes mid-stream", () => {
  it("prints what came, then says the stream broke and where the log is", async () => {
    const result = await runCli(["invoke", "__crash_midstream__", "--local", "--bearer-token", await token()], {
      cwd: project,
      env: env(),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("Streaming one chunk, then failing...\n");
    expect(result.stderr).toContain("The response stream broke off");
    expect(result.stderr).toContain(jwtRuntime.logFile);
  });
});
