/**
 * `status` end to end: the built CLI against the AWS fakes, after a real `launch`.
 */
import { promises as fsp } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenCache } from "../../src/auth/token-cache.js";
import { type AwsFakes, startAwsFakes } from "../fakes/aws-fakes.js";
import { awsEnv, DISCOVERY_URL, makeProject, readConfig } from "../fakes/aws-project.js";
import { runCli } from "../support/cli.js";

let aws: AwsFakes;
let env: NodeJS.ProcessEnv;
let project: Awaited<ReturnType<typeof makeProject>>;
let runtimeId: string;
const ACCESS_TOKEN = "eyJraWQiOiJ0ZXN0In0.eyJjbGllbnRfaWQiOiJjbGllbnQxZXhhbXBsZSJ9.c2lnbmF0dXJlLXN0YXR1cy10ZXN0";

beforeAll(async () => {
  aws = await startAwsFakes();
  env = awsEnv(aws);
  project = await makeProject({ agentName: "status_agent" });
  const launched = await runCli(["launch", "--build", "codebuild"], { cwd: project.dir, env });
  expect(launched.code).toBe(0);
  runtimeId = String((await readConfig(project.configFile)).agents.status_agent!.deployment!.runtimeId);
});
afterAll(async () => {
  await aws?.close();
});

async function status(args: string[] = []) {
  return runCli(["status", ...args], { cwd: project.dir, env });
}

describe("status", () => {
  it("shows runtime and endpoint, image, inbound auth, the cached token's expiry and the logs", async () => {
    const expiresAt = new Date(Date.now() + 45 * 60_000).toISOString();
    await new TokenCache(env).put({
      userPoolId: "us-east-1_AbCdEfGhI",
      clientId: "client1example",
      username: "alice",
      region: "us-east-1",
      issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI",
      local: false,
      accessToken: ACCESS_TOKEN,
      accessTokenExpiresAt: expiresAt,
      updatedAt: new Date().toISOString(),
    });
    const json = await status(["--json"]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({
      agent: "status_agent",
      state: "deployed",
      runtime: { id: runtimeId, status: "READY", version: "1" },
      endpoint: { name: "DEFAULT", status: "READY", liveVersion: "1" },
      imageUri: expect.stringMatching(/bedrock-agentcore-status_agent:[0-9a-f]{16}$/),
      protocol: { serverProtocol: "HTTP", source: "deployed", matchesConfig: true },
      authorization: {
        mode: "customJWTAuthorizer",
        discoveryUrl: DISCOVERY_URL,
        allowedClients: ["client1example"],
        source: "deployed",
        matchesConfig: true,
      },
      token: { username: "alice", clientId: "client1example", expiresAt, expired: false },
      logs: {
        logGroup: `/aws/bedrock-agentcore/runtimes/${runtimeId}-DEFAULT`,
        command: "agentcore-ts logs --agent status_agent --follow",
      },
    });
    expect(json.stdout).not.toContain(ACCESS_TOKEN);

    const human = await status();
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Agent status_agent \(us-east-1\): ready/);
    expect(human.stdout).toMatch(new RegExp(`Runtime: +${runtimeId} +READY +version 1`));
    expect(human.stdout).toMatch(/Endpoint: +DEFAULT +READY +live version 1/);
    expect(human.stdout).toMatch(/Protocol: +HTTP\n/);
    expect(human.stdout).toMatch(/Discovery URL: +https:\/\/cognito-idp/);
    expect(human.stdout).toMatch(/Cached token: +user alice, expires .* \(in 4\d min\)/);
    expect(human.stdout).toContain("agentcore-ts logs --agent status_agent --follow");
    expect(human.stdout).not.toContain(ACCESS_TOKEN);
    expect(aws.rejections()).toEqual([]);
  });

  it("warns when the deployed server protocol differs from .agentcore.json", async () => {
    const config = JSON.parse(await fsp.readFile(project.configFile, "utf8"));
    const original = JSON.stringify(config);
    config.agents.status_agent.protocol = "MCP";
    await fsp.writeFile(project.configFile, JSON.stringify(config));
    try {
      const result = await status(["--json"]);
      expect(JSON.parse(result.stdout).protocol).toEqual({ serverProtocol: "HTTP", source: "deployed", matchesConfig: false });
      expect(result.stderr).toMatch(/deployed server protocol HTTP differs from .agentcore.json \(MCP\)/);
    } finally {
      await fsp.writeFile(project.configFile, original);
    }
  });

  it("warns when the deployed authorizer differs from .agentcore.json", async () => {
    const config = JSON.parse(await fsp.readFile(project.configFile, "utf8"));
    const original = JSON.stringify(config);
    config.agents.status_agent.authorizerConfiguration.customJWTAuthorizer.allowedClients = ["someone-else"];
    await fsp.writeFile(project.configFile, JSON.stringify(config));
    try {
      const result = await status(["--json"]);
      expect(JSON.parse(result.stdout).authorization).toMatchObject({
        source: "deployed",
        matchesConfig: false,
        allowedClients: ["client1example"],
      });
      expect(result.stderr).toMatch(/deployed inbound auth differs from .agentcore.json: run `agentcore-ts launch`/);
    } finally {
      await fsp.writeFile(project.configFile, original);
    }
  });

  it("a configured but never launched agent says so and names the next command", async () => {
    const fresh = await makeProject({ agentName: "idle_agent" });
    const result = await runCli(["status"], { cwd: fresh.dir, env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/idle_agent is configured but has never been launched/);
    expect(result.stdout).toMatch(/Next: +agentcore-ts launch/);
    const json = await runCli(["status", "--json"], { cwd: fresh.dir, env });
    expect(JSON.parse(json.stdout)).toMatchObject({
      state: "not-launched",
      next: "agentcore-ts launch",
      authorization: { mode: "customJWTAuthorizer", source: "config" },
    });
  });

  it("warns about an agent whose discovery URL is on this machine: launch would refuse it", async () => {
    const local = await makeProject({
      agentName: "local_issuer_agent",
      agent: {
        authorizerConfiguration: {
          customJWTAuthorizer: {
            discoveryUrl: "http://127.0.0.1:19229/local_abc/.well-known/openid-configuration",
            allowedClients: ["c1"],
          },
        },
      },
    });
    const result = await runCli(["status"], { cwd: local.dir, env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /discovery URL http:\/\/127\.0\.0\.1:19229\/.* is on this machine: only `launch --local`[\s\S]*cognito setup --no-local/,
    );
  });

  it("refuses to look for the runtime in another region than the one it was deployed in", async () => {
    const result = await runCli(["status"], { cwd: project.dir, env: { ...env, AWS_REGION: "eu-west-1" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/status_agent is deployed in us-east-1 .* but the region is eu-west-1[\s\S]*--region us-east-1/);
  });

  it("a runtime deleted out of band (404) says so", async () => {
    const runtime = aws.control.runtimes.get(runtimeId)!;
    aws.control.runtimes.delete(runtimeId);
    try {
      const result = await status(["--json"]);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ state: "deleted", next: "agentcore-ts launch" });
      expect(result.stderr).toMatch(
        new RegExp(`Runtime ${runtimeId} recorded in .* no longer exists in us-east-1 \\(deleted outside agentcore-ts\\)`),
      );
    } finally {
      aws.control.runtimes.set(runtimeId, runtime);
    }
  });
});
