/**
 * `invoke --mcp` (the built binary) against the real local runtime: the gateway of `launch --local` in
 * front of examples/typescript-mcp, once behind a customJWTAuthorizer (bearer tokens from a loopback
 * issuer) and once as an IAM agent (SigV4): list-tools, call-tool, --json, the session threading the
 * gateway sees, the error rows, and a cold-start retry against a server that is not ready at first.
 */
import { promises as fsp } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalRuntime, startLocalRuntime } from "../../src/local/runtime.js";
import { type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";
import { REPO_ROOT, runCli, tempDir, testEnv } from "../support/cli.js";

const CLIENT = "mcpclient00000000000000001";
const ENTRYPOINT = path.join(REPO_ROOT, "examples/typescript-mcp/src/server.ts");

let issuer: FakeIssuer;
let jwtRuntime: LocalRuntime;
let iamRuntime: LocalRuntime;
let project: string;
let home: string;
const gatewayRequests: { path: string; status: number; sessionId?: string }[] = [];

beforeAll(async () => {
  issuer = await startFakeIssuer();
  project = tempDir("agentcore-ts-invoke-mcp-");
  home = tempDir("agentcore-ts-home-");
  const agent = (name: string, extra: Record<string, unknown>) => ({
    name,
    entrypoint: ENTRYPOINT,
    language: "node",
    protocol: "MCP",
    requestHeaderAllowlist: extra.authorizerConfiguration ? ["Authorization"] : [],
    ...extra,
  });
  await fsp.writeFile(
    path.join(project, ".agentcore.json"),
    JSON.stringify({
      version: 1,
      defaultAgent: "tools",
      agents: {
        tools: agent("tools", {
          authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: issuer.discoveryUrl, allowedClients: [CLIENT] } },
        }),
        tools_iam: agent("tools_iam", {}),
      },
    }),
  );
  const env = { ...process.env, AGENTCORE_TS_HOME: home };
  const start = (agentName: string) =>
    startLocalRuntime({ cwd: project, agentName, env, port: 0, agentPort: 0, mode: "process", onRequest: (e) => gatewayRequests.push(e) });
  [jwtRuntime, iamRuntime] = await Promise.all([start("tools"), start("tools_iam")]);
}, 60_000);

afterAll(async () => {
  await Promise.all([jwtRuntime?.stop(), iamRuntime?.stop()]);
  await issuer?.close();
});

const env = (extra: NodeJS.ProcessEnv = {}) => testEnv({ AGENTCORE_TS_HOME: home, ...extra });
const token = (claims: Record<string, unknown> = {}) => issuer.mint({ client_id: CLIENT, ...claims });
const cli = (args: string[], extra: NodeJS.ProcessEnv = {}) => runCli(["invoke", "--local", ...args], { cwd: project, env: env(extra) });

describe.concurrent("invoke --mcp through the local gateway (examples/typescript-mcp)", () => {
  it("list-tools prints one tool per line with its arguments (bearer)", async () => {
    const result = await cli(["--mcp", "list-tools", "--bearer-token", await token()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^calculator +Apply one arithmetic operation .* +\(operation, a, b\)$/m);
    expect(result.stdout).toMatch(/^weather +The \(demo, deterministic\) weather for a city\. +\(city\)$/m);
    expect(result.stdout).toMatch(/^whoami +The caller's identity/m);
  });

  it("call-tool prints the tool's text; --json prints the raw result; whoami sees the token's user", async () => {
    const text = await cli([
      "--mcp",
      "call-tool",
      "calculator",
      "--input",
      '{"operation":"add","a":2,"b":3}',
      "--bearer-token",
      await token(),
    ]);
    expect([text.code, text.stdout.trim()], text.stderr).toEqual([0, "5"]);
    const json = await cli(["--mcp", "call-tool", "whoami", "--json", "--bearer-token", await token({ username: "carol" })]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ structuredContent: { authenticated: true, username: "carol", clientId: CLIENT } });
  });

  it("a tool error prints its text and exits 1; bad operations and inputs are usage errors, nothing sent", async () => {
    const failed = await cli([
      "--mcp",
      "call-tool",
      "calculator",
      "--input",
      '{"operation":"divide","a":1,"b":0}',
      "--bearer-token",
      await token(),
    ]);
    expect([failed.code, failed.stdout.trim()]).toEqual([1, "cannot divide by zero"]);
    expect(failed.stderr).toMatch(/The tool calculator reported an error/);
    const unknown = await cli(["--mcp", "list-prompts"]);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/--mcp "list-prompts" is not an MCP operation/)]);
    const noName = await cli(["--mcp", "call-tool"]);
    expect([noName.code, noName.stderr]).toEqual([2, expect.stringMatching(/needs the tool's name/)]);
    const badInput = await cli(["--mcp", "call-tool", "weather", "--input", "[1]"]);
    expect([badInput.code, badInput.stderr]).toEqual([2, expect.stringMatching(/--input must be a JSON object/)]);
  });

  it("an unknown tool is the server's error answer (the SDK answers it as a failed tool call): exit 1", async () => {
    const result = await cli(["--mcp", "call-tool", "nosuch", "--bearer-token", await token()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/nosuch/);
  });

  it("a JWT agent without a token fails before sending anything (never a SigV4 fallback)", async () => {
    const before = gatewayRequests.length;
    const result = await cli(["--mcp", "list-tools"], { COGNITO_ACCESS_TOKEN: "" });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no access token|No access token|token/i);
    expect(gatewayRequests.slice(before).filter((r) => r.path.includes("/runtimes/tools/"))).toEqual([]);
  });

  it("an IAM agent is called with SigV4: three requests (initialize, initialized, tools/list) in one runtime session", async () => {
    const before = gatewayRequests.length;
    const result = await cli(["--agent", "tools_iam", "--mcp", "list-tools", "--json"], {
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_REGION: "us-east-1",
    });
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { tools: { name: string }[] }).tools.map((t) => t.name)).toContain("calculator");
    const mine = gatewayRequests.slice(before).filter((r) => r.path.includes("tools_iam"));
    expect(mine.map((r) => r.status)).toEqual([200, 202, 200]);
    expect(new Set(mine.map((r) => r.sessionId)).size).toBe(1);
  });
});

describe("invoke --mcp against a server that is still starting", () => {
  let server: http.Server;
  let calls = 0;
  beforeAll(async () => {
    // Answers initialize with the cold-start error twice, then works: invoke must retry the whole sequence.
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const message = JSON.parse(body) as { id?: number; method: string };
        res.setHeader("content-type", "application/json");
        if (message.method === "initialize" && ++calls <= 2) {
          res.end(
            JSON.stringify({ jsonrpc: "2.0", id: message.id, error: { code: -32603, message: "Server initialization in progress" } }),
          );
        } else if (message.id === undefined) {
          res.writeHead(202).end();
        } else if (message.method === "initialize") {
          res.end(
            JSON.stringify({
              jsonrpc: "2.0",
              id: message.id,
              result: { protocolVersion: "2025-06-18", capabilities: {}, serverInfo: { name: "slow" } },
            }),
          );
        } else {
          res.end(JSON.stringify({ jsonrpc: "2.0", id: message.id, result: { tools: [{ name: "late", description: "ready now" }] } }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("retries the cold-start initialization error and then lists the tools (the deployed-style call, SigV4)", async () => {
    const { port } = server.address() as AddressInfo;
    const { startGateway } = await import("../../src/local/gateway.js");
    const gateway = await startGateway({ agent: { name: "slow", upstream: `http://127.0.0.1:${port}`, protocol: "MCP" } });
    try {
      const result = await runCli(
        [
          "invoke",
          "--agent-arn",
          "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/slow-AbCdEf1234",
          "--mcp",
          "list-tools",
          "--verbose",
        ],
        {
          cwd: tempDir("agentcore-ts-mcp-slow-"),
          env: testEnv({
            AGENTCORE_TS_HOME: home,
            AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: gateway.url,
            AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
            AWS_SECRET_ACCESS_KEY: "secret",
            AWS_REGION: "us-east-1",
          }),
        },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^late +ready now$/m);
      expect(result.stderr.match(/retrying/g)).toHaveLength(2);
    } finally {
      await gateway.close();
    }
  }, 20_000);
});
