/**
 * The local gateway in front of MCP servers, driven by the official MCP TypeScript SDK client
 * (StreamableHTTPClientTransport) exactly as a standard MCP client would use AgentCore Runtime's
 * invoke URL: with a bearer token (initialize, tools/list, tools/call), and without one (the 401's
 * resource_metadata leads the client to the RFC 9728 metadata and from there to the issuer's OIDC
 * discovery document). MCP headers (Mcp-Session-Id added/echoed/sticky, pass-through, Accept) are
 * checked against a fixture server that reports what it received.
 */
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CustomJwtAuthorizer } from "../../src/config/schema.js";
import { type Gateway, localRuntimeArn, startGateway } from "../../src/local/gateway.js";
import { DEFAULT_CLIENT_ID, type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";
import { freePort, REPO_ROOT, testEnv } from "../support/cli.js";
import { FIXTURES, post, SESSION_HEADER, waitFor } from "./gateway-helpers.js";

const EXAMPLE = path.join(REPO_ROOT, "examples", "typescript-mcp", "src", "server.ts");
const PROTOCOL_AGENT = path.resolve(FIXTURES, "../protocol-agent/agent.mjs");
const ARN = localRuntimeArn("mcp_agent");

interface Server {
  url: string;
  child: ChildProcess;
}

/** A server process on a free loopback port, ready once `probe` answers. */
async function startServer(args: string[], env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort();
  const child = spawn(process.execPath, args, { env: testEnv({ ...env, PORT: String(port), HOST: "127.0.0.1" }), stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      const answer = await fetch(`${url}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
      }).catch(() => undefined);
      return answer?.ok;
    },
    20_000,
    `${args.at(-1)} to serve /mcp`,
  );
  return { url, child };
}

/** A POST through node:http, which (unlike fetch) sends no Accept header of its own. */
function rawPost(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.once("error", reject);
    req.end(body);
  });
}

let issuer: FakeIssuer;
let example: Server;
let fixture: Server;
const gateways: Gateway[] = [];

async function gateway(upstream: string, authorizer: CustomJwtAuthorizer | null): Promise<Gateway> {
  const started = await startGateway({
    agent: { name: "mcp_agent", upstream, authorizer, protocol: "MCP", requestHeaderAllowlist: ["Authorization"], aliases: [ARN] },
  });
  gateways.push(started);
  return started;
}
const invokeUrl = (g: Gateway) => `${g.url}/runtimes/${encodeURIComponent(ARN)}/invocations?qualifier=DEFAULT`;

beforeAll(async () => {
  [issuer, example, fixture] = await Promise.all([
    startFakeIssuer(),
    startServer(["--import", "tsx", EXAMPLE], {}),
    startServer([PROTOCOL_AGENT], { AGENT_PROTOCOL: "MCP" }),
  ]);
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  for (const server of [example, fixture]) server?.child.kill("SIGTERM");
  await issuer?.close();
});

describe("the official MCP client through the gateway (examples/typescript-mcp behind a customJWTAuthorizer)", () => {
  it("with a bearer token: initialize, tools/list, tools/call, whoami sees the caller's claims", async () => {
    const g = await gateway(example.url, { discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] });
    const token = await issuer.mint({ username: "alice" });
    const client = new Client({ name: "agentcore-ts-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(invokeUrl(g)), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    });
    await client.connect(transport);
    expect(client.getServerVersion()?.name).toBe("agentcore-ts-example-mcp");
    // The gateway added an Mcp-Session-Id and the client threads it (the stateless server issued none).
    expect(transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(["calculator", "weather", "whoami"]);
    expect(await client.callTool({ name: "calculator", arguments: { operation: "multiply", a: 6, b: 7 } })).toEqual({
      content: [{ type: "text", text: "42" }],
    });
    const weather = await client.callTool({ name: "weather", arguments: { city: "Seattle" } });
    expect(weather.structuredContent).toEqual(
      (await client.callTool({ name: "weather", arguments: { city: "Seattle" } })).structuredContent, // deterministic
    );
    const me = await client.callTool({ name: "whoami", arguments: {} });
    expect(me.structuredContent).toMatchObject({
      authenticated: true,
      username: "alice",
      clientId: DEFAULT_CLIENT_ID,
      issuer: issuer.issuer,
    });
    await client.close();
  });

  it("without a token: 401 -> resource_metadata -> the PRM -> the issuer's OIDC discovery -> an authorization request", async () => {
    const g = await gateway(example.url, {
      discoveryUrl: issuer.discoveryUrl,
      allowedClients: [DEFAULT_CLIENT_ID],
      allowedScopes: ["mcp/tools"],
    });
    const discoveriesBefore = issuer.fetches.discovery;
    let redirect: URL | undefined;
    // Cognito has no dynamic client registration: the client is pre-registered (its id is known).
    const provider: OAuthClientProvider = {
      redirectUrl: "http://127.0.0.1:1/callback",
      clientMetadata: { client_name: "test", redirect_uris: ["http://127.0.0.1:1/callback"] },
      clientInformation: () => ({ client_id: DEFAULT_CLIENT_ID }),
      tokens: () => undefined,
      saveTokens: () => undefined,
      redirectToAuthorization: (url) => {
        redirect = url;
      },
      saveCodeVerifier: () => undefined,
      codeVerifier: () => "verifier",
    };
    const client = new Client({ name: "agentcore-ts-test", version: "1.0.0" });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(invokeUrl(g)), { authProvider: provider }))).rejects.toThrow(
      /Unauthorized/,
    );
    expect(issuer.fetches.discovery).toBeGreaterThan(discoveriesBefore);
    expect(redirect?.origin + redirect!.pathname).toBe(`${new URL(issuer.issuer).origin}/oauth2/authorize`);
    expect(redirect?.searchParams.get("client_id")).toBe(DEFAULT_CLIENT_ID);
    expect(redirect?.searchParams.get("resource")).toBe(invokeUrl(g));
    expect(redirect?.searchParams.get("scope")).toBe("mcp/tools");
    expect(redirect?.searchParams.get("code_challenge_method")).toBe("S256");
  });

  it("serves the PRM with the issuer and the advertised scopes (advertisedScopeMapping applied)", async () => {
    const g = await gateway(example.url, {
      discoveryUrl: issuer.discoveryUrl,
      allowedScopes: ["tools", "admin"],
      advertisedScopeMapping: { tools: "api://mcp/tools" },
    });
    const challenge = (await post(invokeUrl(g), { jsonrpc: "2.0", id: 1, method: "ping" })).headers.get("www-authenticate");
    const prmUrl = /resource_metadata="([^"]+)"/.exec(challenge ?? "")?.[1];
    expect(prmUrl).toBe(`${g.url}/runtimes/${encodeURIComponent(ARN)}/invocations/.well-known/oauth-protected-resource?qualifier=DEFAULT`);
    expect(await (await fetch(prmUrl!)).json()).toEqual({
      resource: invokeUrl(g),
      authorization_servers: [issuer.issuer],
      scopes_supported: ["api://mcp/tools", "admin"],
    });
  });
});

describe("MCP headers through the gateway", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await gateway(fixture.url, null);
  });
  const SIGV4 =
    "AWS4-HMAC-SHA256 Credential=AKIATESTTESTTESTTEST/20260101/us-east-1/bedrock-agentcore/aws4_request, SignedHeaders=host, Signature=00";
  const call = (headers: Record<string, string> = {}) =>
    post(
      invokeUrl(g),
      { jsonrpc: "2.0", id: 1, method: "tools/list" },
      { authorization: SIGV4, accept: "application/json, text/event-stream", ...headers },
    );
  const seenBy = (answer: Awaited<ReturnType<typeof call>>) =>
    (answer.body.result as { seen: { path: string; headers: Record<string, string> } }).seen;

  it("adds an Mcp-Session-Id when absent, forwards it and returns it; echoes the client's; routes it to one runtime session", async () => {
    const first = await call();
    const added = first.headers.get("mcp-session-id");
    expect(added).toMatch(/^[0-9a-f-]{36}$/);
    expect(seenBy(first).path).toBe("/mcp");
    expect(seenBy(first).headers["mcp-session-id"]).toBe(added);

    const again = await call({ "mcp-session-id": added! });
    expect(again.headers.get("mcp-session-id")).toBe(added);
    expect(again.headers.get(SESSION_HEADER)).toBe(first.headers.get(SESSION_HEADER));

    const mine = await call({ "mcp-session-id": "short-id" });
    expect(mine.headers.get("mcp-session-id")).toBe("short-id");
    const mineAgain = await call({ "mcp-session-id": "short-id" });
    // A short client id is not a valid runtime session id: it is routed to one made for it, the same each time.
    expect(mineAgain.headers.get(SESSION_HEADER)).toBe(mine.headers.get(SESSION_HEADER));
    expect(mine.headers.get(SESSION_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
    expect(seenBy(mineAgain).headers[SESSION_HEADER]).toBe(mine.headers.get(SESSION_HEADER));
    expect((await call()).headers.get("mcp-session-id")).not.toBe(added);
  });

  it("passes Mcp-Protocol-Version, Mcp-Method and Mcp-Name through", async () => {
    const answer = await call({ "mcp-protocol-version": "2025-06-18", "mcp-method": "tools/call", "mcp-name": "calculator" });
    expect(seenBy(answer).headers).toMatchObject({
      "mcp-protocol-version": "2025-06-18",
      "mcp-method": "tools/call",
      "mcp-name": "calculator",
    });
  });

  it("answers an Accept without application/json and text/event-stream as an MCP server does, without reaching it", async () => {
    for (const accept of ["text/html", "application/json", "text/event-stream"]) {
      const answer = await call({ accept });
      expect([answer.status, answer.body], accept).toEqual([
        406,
        {
          jsonrpc: "2.0",
          error: { code: -32000, message: "Not Acceptable: Client must accept both application/json and text/event-stream" },
          id: null,
        },
      ]);
      expect(answer.headers.get("mcp-session-id")).toBeTruthy();
    }
    // No Accept at all, or */*: the gateway asks the server for both, as MCP clients do.
    for (const accept of [undefined, "*/*"]) {
      const answer = await rawPost(invokeUrl(g), {
        authorization: SIGV4,
        "content-type": "application/json",
        ...(accept ? { accept } : {}),
      });
      expect(answer.status, accept).toBe(200);
      expect((JSON.parse(answer.text) as { result: { seen: { headers: Record<string, string> } } }).result.seen.headers.accept).toBe(
        "application/json, text/event-stream",
      );
    }
  });

  it("returns an Mcp-Session-Id on refusals too (401 without a token)", async () => {
    const jwt = await gateway(fixture.url, { discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] });
    const answer = await post(invokeUrl(jwt), { jsonrpc: "2.0", id: 1, method: "ping" }, { "mcp-session-id": "abc" });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("mcp-session-id")).toBe("abc");
  });
});
