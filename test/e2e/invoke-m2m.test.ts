/**
 * End to end with machine-to-machine tokens (the built binary): `cognito setup --local --m2m` on a
 * private embedded Cognito, an agent with allowedScopes behind the local runtime of `launch --local`
 * (the real example agent), called by `invoke --local` with the cached M2M token (200), with the
 * user's token, which lacks the scope (the gateway's 401, as the service words it), and an agent
 * trusting oidc-provider called with a token from `token get` (200).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalRuntime, startLocalRuntime } from "../../src/local/runtime.js";
import { AUDIENCE, M2M_SECRET, useOidcProvider } from "../fakes/oidc-provider.js";
import { REPO_ROOT, runCli, tempDir, testEnv } from "../support/cli.js";
import { type PrivateCognito, startPrivateCognito } from "../support/cognito-local.js";

const ENTRYPOINT = path.join(REPO_ROOT, "examples/typescript/src/agent.ts");
const provider = useOidcProvider();
let cognito: PrivateCognito;
let project: string;
const runtimes: LocalRuntime[] = [];
let env: NodeJS.ProcessEnv;
let scope: string;

beforeAll(async () => {
  cognito = await startPrivateCognito();
  env = testEnv({ ...cognito.env, COGNITO_PASSWORD: "Known-Passw0rd!" });
  project = tempDir("agentcore-ts-m2m-");
  const setup = await runCli(["cognito", "setup", "--local", "--m2m", "--json"], { cwd: project, env });
  expect(setup.stderr).not.toMatch(/error/i);
  expect(setup.code).toBe(0);
  const file = path.join(project, ".agentcore.json");
  const config = JSON.parse(await fsp.readFile(file, "utf8"));
  const { cognito: section } = config;
  scope = section.m2m.scopes[0];
  const agent = (name: string, customJWTAuthorizer: Record<string, unknown>) => ({
    name,
    entrypoint: ENTRYPOINT,
    language: "node",
    environmentVariables: { AGENT_OFFLINE: "1", AGENT_STREAM_DELAY_MS: "2" },
    authorizerConfiguration: { customJWTAuthorizer },
  });
  config.defaultAgent = "scoped";
  config.agents = {
    scoped: agent("scoped", {
      discoveryUrl: section.discoveryUrl,
      allowedClients: [section.clientId, section.m2m.clientId],
      allowedScopes: [scope],
    }),
    generic: agent("generic", { discoveryUrl: provider.op.discoveryUrl, allowedClients: ["m2m-client"], allowedAudience: [AUDIENCE] }),
  };
  await fsp.writeFile(file, JSON.stringify(config, null, 2));
  for (const name of ["scoped", "generic"]) {
    runtimes.push(
      await startLocalRuntime({ cwd: project, agentName: name, env: { ...process.env, ...env }, port: 0, agentPort: 0, mode: "process" }),
    );
  }
}, 90_000);

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
  await cognito?.stop();
});

describe("invoke with machine-to-machine tokens", () => {
  it("an allowedScopes agent answers the cached M2M token, and refuses the user's token (no such scope)", async () => {
    const ok = await runCli(["invoke", "What is 6 * 7?", "--local", "--agent", "scoped", "--json"], { cwd: project, env });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 200, response: expect.stringContaining("42") });

    const userToken = await runCli(["token", "show", "--raw"], { cwd: project, env });
    expect(userToken.code).toBe(0);
    const refused = await runCli(["invoke", "hi", "--local", "--agent", "scoped", "--bearer-token", userToken.stdout.trim()], {
      cwd: project,
      env,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 401\) failed: UnauthorizedException: Claim 'scope' value mismatch with configuration/);
    expect(refused.stderr).toContain(scope);
  });

  it("an agent trusting oidc-provider answers a token from `token get`", async () => {
    const got = await runCli(
      [
        "token",
        "get",
        "--discovery-url",
        provider.op.discoveryUrl,
        "--client-id",
        "m2m-client",
        "--scope",
        "invoke",
        "--resource",
        AUDIENCE,
        "--json",
      ],
      { cwd: project, env: { ...env, AGENTCORE_TS_CLIENT_SECRET: M2M_SECRET } },
    );
    expect(got.code).toBe(0);
    expect(got.stdout).not.toContain(M2M_SECRET);
    expect(JSON.parse(got.stdout)).toMatchObject({ flow: "client-credentials", source: "issuer", subject: "m2m-client" });
    const ok = await runCli(["invoke", "What is 2 + 3?", "--local", "--agent", "generic", "--json"], { cwd: project, env });
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 200, response: expect.stringContaining("5") });
  });
});
