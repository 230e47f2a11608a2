/**
 * examples/typescript-mcp on its own (a real process on loopback): the MCP protocol contract of
 * AgentCore Runtime (stateless Streamable HTTP on /mcp, any Mcp-Session-Id accepted, nothing else
 * served) and its deterministic tools. Through the gateway with the official client: test/local/gateway-mcp.test.ts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calculate, weather, whoami } from "../../examples/typescript-mcp/src/tools.js";
import { freePort, REPO_ROOT, testEnv } from "../support/cli.js";

const SERVER = path.join(REPO_ROOT, "examples", "typescript-mcp", "src", "server.ts");
const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" };

let url: string;
let child: ChildProcess;
beforeAll(async () => {
  const port = await freePort();
  child = spawn(process.execPath, ["--import", "tsx", SERVER], {
    env: testEnv({ PORT: String(port), HOST: "127.0.0.1" }),
    stdio: "ignore",
  });
  url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 400; i++) {
    if (await fetch(`${url}/mcp`, { method: "POST" }).catch(() => undefined)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the MCP example did not start");
});
afterAll(() => {
  child?.kill("SIGTERM");
});

const rpc = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/mcp`, { method: "POST", headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(body) });

describe("examples/typescript-mcp", () => {
  it("is stateless: initialize issues no Mcp-Session-Id, and a request with the platform's id is served", async () => {
    const init = await rpc({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    });
    expect(init.status).toBe(200);
    expect(init.headers.get("mcp-session-id")).toBeNull();
    expect(((await init.json()) as { result: { serverInfo: { name: string } } }).result.serverInfo.name).toBe("agentcore-ts-example-mcp");
    const call = await rpc(
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "calculator", arguments: { operation: "divide", a: 1, b: 0 } } },
      { "mcp-session-id": "0123456789abcdef0123456789abcdef-platform" },
    );
    expect(await call.json()).toEqual({
      jsonrpc: "2.0",
      id: 2,
      result: { content: [{ type: "text", text: "cannot divide by zero" }], isError: true },
    });
  });

  it("serves only POST /mcp: GET /mcp is 405, other paths 404", async () => {
    expect((await fetch(`${url}/mcp`)).status).toBe(405);
    expect((await fetch(`${url}/invocations`, { method: "POST" })).status).toBe(404);
  });

  it("has deterministic offline tools; whoami decodes the forwarded bearer token", () => {
    expect(calculate({ operation: "power", a: 2, b: 10 })).toBe(1024);
    const paris = weather({ city: "Paris" });
    expect(weather({ city: " paris " })).toMatchObject({ condition: paris.condition, temperatureC: paris.temperatureC });
    expect(paris.temperatureC).toBeGreaterThanOrEqual(5);
    const token = new UnsecuredJWT({ username: "bob", client_id: "app1", scope: "mcp/tools" }).setIssuer("https://issuer.example").encode();
    expect(whoami(`Bearer ${token}`)).toEqual({
      authenticated: true,
      username: "bob",
      clientId: "app1",
      issuer: "https://issuer.example",
      scope: "mcp/tools",
    });
    expect(whoami(undefined)).toMatchObject({ authenticated: false });
    expect(whoami("Bearer not-a-jwt")).toMatchObject({ authenticated: false, note: expect.stringMatching(/not hold a JWT/) });
  });
});
