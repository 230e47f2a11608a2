/**
 * `invoke -H 'Name: Value'` (the built binary) through the local gateway, which forwards only the agent's
 * allowlisted headers like AgentCore Runtime: the bearer transport (JWT agent) and the SigV4 transport
 * (IAM agent, signed by the SDK with the header added before signing). The fixture agent echoes the
 * headers it received.
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalRuntime, startLocalRuntime } from "../../src/local/runtime.js";
import { DEFAULT_CLIENT_ID, type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";
import { AGENT_SCRIPT } from "../local/gateway-helpers.js";
import { runCli, tempDir, testEnv } from "../support/cli.js";

const TENANT = "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tenant";
let issuer: FakeIssuer;
let runtimes: LocalRuntime[] = [];
let project: string;
let home: string;

beforeAll(async () => {
  issuer = await startFakeIssuer();
  project = tempDir("agentcore-ts-invoke-headers-");
  home = tempDir("agentcore-ts-home-");
  const agent = (name: string, extra: Record<string, unknown>) => ({
    name,
    entrypoint: path.relative(project, AGENT_SCRIPT),
    language: "node",
    requestHeaderAllowlist: [TENANT],
    ...extra,
  });
  await fsp.writeFile(
    path.join(project, ".agentcore.json"),
    JSON.stringify({
      version: 1,
      defaultAgent: "jwt_agent",
      agents: {
        jwt_agent: agent("jwt_agent", {
          authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] } },
        }),
        iam_agent: agent("iam_agent", {}),
      },
    }),
  );
  const env = { ...process.env, AGENTCORE_TS_HOME: home };
  runtimes = await Promise.all(
    ["jwt_agent", "iam_agent"].map((agentName) =>
      startLocalRuntime({ cwd: project, agentName, env, port: 0, agentPort: 0, mode: "process" }),
    ),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
  await issuer?.close();
});

const env = () => testEnv({ AGENTCORE_TS_HOME: home });

describe.concurrent("invoke -H", () => {
  it("bearer: an allowlisted header reaches the agent; one that is not gets a warning and is dropped", async () => {
    const token = await issuer.mint({ client_id: DEFAULT_CLIENT_ID });
    const result = await runCli(
      ["invoke", "--local", '{"prompt":"hi"}', "--bearer-token", token, "-H", `${TENANT}: acme`, "-H", "X-Other: 1", "--json"],
      { cwd: project, env: env() },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('X-Other is not on the request header allowlist of agent "jwt_agent": the runtime drops it');
    const headers = JSON.parse(result.stdout).response.headers as Record<string, string>;
    expect(headers[TENANT.toLowerCase()]).toBe("acme");
    expect(headers["x-other"]).toBeUndefined();
  });

  it("SigV4: the header is sent (and signed) through the SDK; no warning when every header is allowlisted", async () => {
    const result = await runCli(
      ["invoke", "--local", "--agent", "iam_agent", '{"prompt":"hi"}', "-H", `${TENANT.toLowerCase()}: globex`, "--json"],
      {
        cwd: project,
        env: env(),
      },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const headers = JSON.parse(result.stdout).response.headers as Record<string, string>;
    expect(headers[TENANT.toLowerCase()]).toBe("globex");
  });

  it("a malformed -H, or one naming a header invoke sets itself, is a usage error before anything is sent", async () => {
    for (const [flag, message] of [
      ["no-colon", "expected Name: Value"],
      ["Bad Name: x", "is not a valid header name"],
      ["Authorization: Bearer forged", "invoke sets Authorization itself"],
      ["X-Amz-Date: 20260101T000000Z", "invoke sets X-Amz-Date itself"],
    ] as const) {
      const result = await runCli(["invoke", "--local", "--agent", "iam_agent", "hi", "-H", flag, "--json"], { cwd: project, env: env() });
      expect(result.code, flag).toBe(2);
      const doc = JSON.parse(result.stdout);
      expect(doc.error).toBe("InvalidHeader");
      expect(doc.message).toContain(message);
    }
  });
});
