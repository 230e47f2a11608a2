/**
 * WebSockets through the local gateway (GET /runtimes/{id}/ws) to the example agent's /ws (examples/typescript),
 * with the standard client: the `bedrock-agentcore` SDK's RuntimeClient, pointed at the gateway with
 * BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT, and the `ws` client. The JWT agent runs under a real `launch --local` (the
 * built binary, whose access log is read from its output), with tokens from a loopback OIDC issuer; the IAM agent
 * runs in the local runtime in-process (its gateway's connection count is read).
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { RuntimeClient } from "bedrock-agentcore/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { GatewayLogEvent } from "../../src/local/gateway.js";
import { type LocalRuntime, startLocalRuntime } from "../../src/local/runtime.js";
import { type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";
import { waitFor } from "../local/gateway-helpers.js";
import { REPO_ROOT, tempDir, testEnv } from "../support/cli.js";
import { refusedHandshake } from "../support/websocket.js";
import { killLocalLaunch, type LaunchedLocal, startLocalLaunch } from "./launch-helpers.js";

const CLIENT = "wsclient000000000000000001";
const JWT_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/wsagent-AbCdEf1234";
const IAM_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/wsagent_iam-ZyXwVu9876";
const SESSION = "websocket-session-0123456789abcdef0123";
const CUSTOM_TAG = "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tag";

let issuer: FakeIssuer;
let launched: LaunchedLocal | undefined;
let launchOutput = "";
let iam: LocalRuntime;
const iamRequests: GatewayLogEvent[] = [];
/** Fake credentials: the local gateway checks the SigV4 shape, not the signature. */
const sdk = new RuntimeClient({
  region: "us-east-1",
  credentialsProvider: async () => ({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }),
});

beforeAll(async () => {
  issuer = await startFakeIssuer();
  const project = tempDir("agentcore-ts-ws-");
  const home = tempDir("agentcore-ts-home-");
  const agent = (name: string, extra: Record<string, unknown>) => ({
    name,
    entrypoint: path.join(REPO_ROOT, "examples/typescript/src/agent.ts"),
    language: "node",
    environmentVariables: { AGENT_OFFLINE: "1" },
    ...extra,
  });
  await fsp.writeFile(
    path.join(project, ".agentcore.json"),
    JSON.stringify({
      version: 1,
      defaultAgent: "wsagent",
      agents: {
        wsagent: agent("wsagent", {
          authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: issuer.discoveryUrl, allowedClients: [CLIENT] } },
          requestHeaderAllowlist: ["Authorization"],
          deployment: { runtimeArn: JWT_ARN, runtimeId: "wsagent-AbCdEf1234" },
        }),
        wsagent_iam: agent("wsagent_iam", {
          requestHeaderAllowlist: [CUSTOM_TAG],
          deployment: { runtimeArn: IAM_ARN, runtimeId: "wsagent_iam-ZyXwVu9876" },
        }),
      },
    }),
  );
  const [jwt, iamRuntime] = await Promise.all([
    startLocalLaunch(
      ["--process", "--port", "0", "--agent-port", "0"],
      { cwd: project, env: testEnv({ AGENTCORE_TS_HOME: home }), agentName: "wsagent" },
      (_s, d) => {
        launchOutput += d;
      },
    ),
    startLocalRuntime({
      cwd: project,
      agentName: "wsagent_iam",
      env: { ...process.env, AGENTCORE_TS_HOME: tempDir("agentcore-ts-home-") },
      port: 0,
      agentPort: 0,
      mode: "process",
      onRequest: (e) => iamRequests.push(e),
    }),
  ]);
  launched = jwt;
  iam = iamRuntime;
}, 60_000);

afterAll(async () => {
  await iam?.stop();
  await killLocalLaunch(launched);
  await issuer?.close();
});

/** Runs one of the SDK's URL builders with its data-plane endpoint at `gatewayUrl` (the builder reads it before its first await). */
function atGateway<T>(gatewayUrl: string, build: () => Promise<T>): Promise<T> {
  const before = process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT;
  process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT = gatewayUrl;
  try {
    return build();
  } finally {
    if (before === undefined) delete process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT;
    else process.env.BEDROCK_AGENTCORE_DATA_PLANE_ENDPOINT = before;
  }
}

interface Echo {
  type: string;
  message: string;
  sessionId: string;
  headers: string[];
  caller?: string;
}

/** Opens `url`, sends `message`, resolves with the agent's echo and the socket (still open). */
function exchange(url: string, headers: Record<string, string>, message = "hello"): Promise<{ echo: Echo; ws: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => ws.send(message));
    ws.once("message", (data) => resolve({ echo: JSON.parse(String(data)) as Echo, ws }));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

/** A handshake the gateway refuses, with its JSON body parsed. */
async function refusal(url: string, headers: Record<string, string>) {
  const answer = await refusedHandshake(url, headers);
  return { ...answer, body: JSON.parse(answer.body) as unknown };
}

const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
const jwtGateway = () => launched!.record.gatewayUrl;
const wsUrl = (gateway: string, arn: string, query = "") =>
  `${gateway.replace(/^http/, "ws")}/runtimes/${encodeURIComponent(arn)}/ws${query}`;

describe.concurrent("WebSocket to a JWT agent (launch --local)", () => {
  it("the SDK's OAuth connection exchanges messages with the agent, in the session it names, with the caller's JWT forwarded", async () => {
    const token = await issuer.mint({ client_id: CLIENT, username: "alice" });
    const { url, headers } = await atGateway(jwtGateway(), () =>
      sdk.generateWsConnectionOAuth({ runtimeArn: JWT_ARN, bearerToken: token, sessionId: SESSION }),
    );
    expect(url).toBe(`${jwtGateway()}/runtimes/${encodeURIComponent(JWT_ARN)}/ws`);
    const { echo, ws } = await exchange(url, headers, "first");
    expect(echo).toMatchObject({ type: "echo", message: "first", sessionId: SESSION, headers: ["authorization"] });
    expect(echo.caller).toContain('"alice"');
    const second = new Promise<Echo>((resolve) => ws.once("message", (d) => resolve(JSON.parse(String(d)))));
    ws.send("second");
    expect(await second).toMatchObject({ message: "second", sessionId: SESSION });
    // The client closes: the agent's side goes too, and the gateway logs how long the connection was open.
    ws.close(1000);
    expect(await closed(ws)).toBe(1000);
    const line = (what: string) =>
      new RegExp(`GET /runtimes/\\S+/ws 101 [\\d.]+ms session=${SESSION} caller=alice client=${CLIENT} .*websocket ${what}`);
    await waitFor(() => line("closed").test(launchOutput) || undefined, 10_000, "the close line");
    expect(launchOutput).toMatch(line("opened"));
    expect(launchOutput).not.toContain(token);
  });

  it("without a session id the gateway makes one; the query parameter of a presigned-style URL names one too", async () => {
    const authorization = `Bearer ${await issuer.mint({ client_id: CLIENT })}`;
    const made = await exchange(wsUrl(jwtGateway(), JWT_ARN, "?qualifier=DEFAULT"), { Authorization: authorization });
    expect(made.echo.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    made.ws.close();
    const named = `query-session-${"q".repeat(30)}`;
    const fromQuery = await exchange(wsUrl(jwtGateway(), "wsagent", `?X-Amzn-Bedrock-AgentCore-Runtime-Session-Id=${named}`), {
      Authorization: authorization,
    });
    expect(fromQuery.echo.sessionId).toBe(named);
    fromQuery.ws.close();
  });

  it("no token: 401 with the service's body and the WWW-Authenticate challenge, instead of the 101", async () => {
    const answer = await refusal(wsUrl(jwtGateway(), JWT_ARN, "?qualifier=DEFAULT"), {});
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ message: "Missing Authentication Token" });
    expect(answer.headers["x-amzn-errortype"]).toBe("UnauthorizedException");
    expect(answer.headers["www-authenticate"]).toBe(
      `Bearer resource_metadata="${jwtGateway()}/runtimes/${encodeURIComponent(JWT_ARN)}/invocations/.well-known/oauth-protected-resource?qualifier=DEFAULT"`,
    );
  });

  it("a token failing a claim: 401 with the service's message; a SigV4 handshake: 403 method mismatch", async () => {
    const other = await issuer.mint({ client_id: "someoneelse000000000000001" });
    const claim = await refusal(wsUrl(jwtGateway(), JWT_ARN), { Authorization: `Bearer ${other}` });
    expect(claim).toMatchObject({ status: 401, body: { message: "Claim 'client_id' value mismatch with configuration." } });
    expect(claim.headers["x-amzn-errortype"]).toBe("UnauthorizedException");
    const { url, headers } = await atGateway(jwtGateway(), () => sdk.generateWsConnection({ runtimeArn: JWT_ARN }));
    const sigv4 = await refusal(url, headers);
    expect(sigv4.status).toBe(403);
    expect(sigv4.headers["x-amzn-errortype"]).toBe("AccessDeniedException");
    expect((sigv4.body as { message: string }).message).toMatch(/^Authorization method mismatch/);
  });

  it("the agent closes: the client sees its close code", async () => {
    const token = await issuer.mint({ client_id: CLIENT });
    const ws = new WebSocket(wsUrl(jwtGateway(), JWT_ARN), { headers: { Authorization: `Bearer ${token}` } });
    await new Promise((resolve) => ws.once("open", resolve));
    ws.send("__close__");
    expect(await closed(ws)).toBe(1000);
  });
});

describe.concurrent("WebSocket to an IAM agent", () => {
  it("a SigV4-signed handshake (the SDK's generateWsConnection) works; allowlisted headers reach the agent, others do not", async () => {
    const { url, headers } = await atGateway(iam.gatewayUrl, () =>
      sdk.generateWsConnection({ runtimeArn: IAM_ARN, sessionId: SESSION, endpointName: "DEFAULT" }),
    );
    const { echo, ws } = await exchange(url, { ...headers, [CUSTOM_TAG]: "blue", "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Other": "no" });
    expect(echo).toMatchObject({ sessionId: SESSION, headers: [CUSTOM_TAG.toLowerCase()] }); // no Authorization: not allowlisted
    expect(iamRequests).toContainEqual(expect.objectContaining({ status: 101, websocket: "opened", sessionId: SESSION }));
    ws.terminate(); // a reset, not a close handshake: the agent's side is closed all the same
    await waitFor(() => iamRequests.find((e) => e.websocket === "closed" && e.sessionId === SESSION), 10_000, "the close line");
  });

  it("a presigned URL (the SDK's generatePresignedUrl) works, with its session id from the query", async () => {
    const session = `presigned-session-${"p".repeat(30)}`;
    const presigned = new URL(await atGateway(iam.gatewayUrl, () => sdk.generatePresignedUrl({ runtimeArn: IAM_ARN, sessionId: session })));
    expect(presigned.searchParams.get("X-Amz-Signature")).toBeTruthy();
    // The SDK builds the presigned URL as wss://<host><path>: the endpoint's scheme and port are dropped, so it is moved back to the gateway.
    const { echo, ws } = await exchange(`${wsUrl(iam.gatewayUrl, IAM_ARN)}${presigned.search}`, {});
    expect(echo.sessionId).toBe(session);
    ws.close();
  });

  it("a bearer token is refused as for invocations (403 method mismatch); an unsigned handshake gets 403 Missing Authentication Token", async () => {
    const bearer = await refusal(wsUrl(iam.gatewayUrl, IAM_ARN), { Authorization: `Bearer ${await issuer.mint({ client_id: CLIENT })}` });
    expect(bearer.status).toBe(403);
    expect(bearer.headers["x-amzn-errortype"]).toBe("AccessDeniedException");
    expect((bearer.body as { message: string }).message).toMatch(/^Authorization method mismatch/);
    const unsigned = await refusal(wsUrl(iam.gatewayUrl, IAM_ARN), {});
    expect(unsigned).toMatchObject({ status: 403, body: { message: "Missing Authentication Token" } });
    expect(unsigned.headers["x-amzn-errortype"]).toBe("MissingAuthenticationTokenException");
  });
});
