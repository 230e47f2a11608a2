/**
 * `agents` and `configure --set-default` end to end: the built CLI on a project with three agents (JWT/IAM,
 * HTTP/MCP, container/code, one launched as recorded in .agentcore.json, one with a local runtime record).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeLocalRuntime } from "../../src/local/runtime-state.js";
import { runCli, tempDir, testEnv } from "../support/cli.js";

const DISCOVERY = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI/.well-known/openid-configuration";

async function project(): Promise<string> {
  const dir = tempDir("agentcore-ts-agents-");
  await fsp.writeFile(path.join(dir, "agent.py"), "print('hi')\n");
  await fsp.writeFile(
    path.join(dir, ".agentcore.json"),
    JSON.stringify({
      version: 1,
      defaultAgent: "first_agent",
      agents: {
        first_agent: {
          name: "first_agent",
          entrypoint: "agent.py",
          language: "python",
          authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: DISCOVERY, allowedClients: ["client1example"] } },
          deployment: { runtimeId: "first_agent-AbCdEf1234", runtimeVersion: "3", region: "eu-west-1" },
        },
        tools_agent: { name: "tools_agent", entrypoint: "agent.py", language: "python", protocol: "MCP", deploy: "code" },
        spare_agent: { name: "spare_agent", entrypoint: "agent.py", language: "python" },
      },
    }),
  );
  return dir;
}

describe("agents", () => {
  it("lists every agent with protocol, auth, deploy mode, local and cloud state, and marks the default", async () => {
    const cwd = await project();
    const env = testEnv();
    await writeLocalRuntime(env, {
      agentName: "tools_agent",
      gatewayUrl: "http://127.0.0.1:18081",
      agentUrl: "http://127.0.0.1:18000",
      pid: process.pid,
      mode: "process",
      logFile: "/tmp/tools_agent.log",
      startedAt: new Date().toISOString(),
      configFile: path.join(cwd, ".agentcore.json"),
      auth: "iam",
    } as Parameters<typeof writeLocalRuntime>[1]);
    const human = await runCli(["agents"], { cwd, env });
    expect(human.stderr).toBe("");
    expect(human.code).toBe(0);
    const lines = human.stdout.split("\n");
    expect(lines[0]).toMatch(/^\s+AGENT\s+PROTOCOL\s+AUTH\s+DEPLOY\s+LOCAL\s+CLOUD/);
    expect(lines.find((l) => l.includes("first_agent"))).toMatch(
      /^\*\s+first_agent\s+HTTP\s+JWT\s+container\s+stopped\s+first_agent-AbCdEf1234 v3 \(eu-west-1\)$/,
    );
    expect(lines.find((l) => l.includes("tools_agent"))).toMatch(
      /^\s+tools_agent\s+MCP\s+IAM\s+code\s+running http:\/\/127\.0\.0\.1:18081\s+not launched$/,
    );
    expect(human.stdout).toContain("* the default agent: commands without --agent act on first_agent");

    const json = await runCli(["agents", "--json"], { cwd, env });
    const doc = JSON.parse(json.stdout);
    expect(doc.defaultAgent).toBe("first_agent");
    expect(doc.agents).toEqual([
      {
        name: "first_agent",
        default: true,
        protocol: "HTTP",
        auth: "customJWTAuthorizer",
        deploy: "container",
        local: { state: "stopped" },
        cloud: { state: "launched", runtimeId: "first_agent-AbCdEf1234", runtimeVersion: "3", region: "eu-west-1" },
      },
      {
        name: "tools_agent",
        default: false,
        protocol: "MCP",
        auth: "IAM",
        deploy: "code",
        local: { state: "running", gatewayUrl: "http://127.0.0.1:18081", pid: process.pid },
        cloud: { state: "not-launched" },
      },
      expect.objectContaining({ name: "spare_agent", default: false }),
    ]);
  });

  it("configure --set-default moves the default and nothing else; an unknown name or extra flags are usage errors", async () => {
    const cwd = await project();
    const env = testEnv();
    const before = JSON.parse(await fsp.readFile(path.join(cwd, ".agentcore.json"), "utf8"));
    const set = await runCli(["configure", "--set-default", "spare_agent"], { cwd, env });
    expect(set.stderr).toBe("");
    expect(set.code).toBe(0);
    expect(set.stdout).toContain("The default agent is now spare_agent (was first_agent)");
    const after = JSON.parse(await fsp.readFile(path.join(cwd, ".agentcore.json"), "utf8"));
    expect(after.defaultAgent).toBe("spare_agent");
    expect(after.agents.first_agent.deployment).toEqual(before.agents.first_agent.deployment);
    expect(Object.keys(after.agents)).toEqual(Object.keys(before.agents));
    expect((await runCli(["agents"], { cwd, env })).stdout).toMatch(/^\*\s+spare_agent/m);

    const unknown = await runCli(["configure", "--set-default", "nosuch", "--json"], { cwd, env });
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: "AgentNotFound" });
    const mixed = await runCli(["configure", "--set-default", "first_agent", "--protocol", "MCP"], { cwd, env });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("--set-default changes only the default agent; it cannot be combined with --protocol");
    expect(JSON.parse(await fsp.readFile(path.join(cwd, ".agentcore.json"), "utf8")).defaultAgent).toBe("spare_agent");
  });
});
