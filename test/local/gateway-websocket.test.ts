/**
 * The gateway's WebSocket route in-process, in front of agents on loopback: a `ws` server on /ws that records
 * each handshake it gets, an HTTP server with no /ws, and a closed port. The example agent behind a real
 * `launch --local` is driven by test/e2e/websocket.test.ts.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import type { ServerProtocol } from "../../src/config/protocols.js";
import { type Gateway, type GatewayLogEvent, startGateway } from "../../src/local/gateway.js";
import { freePort } from "../support/cli.js";
import { refusedHandshake } from "../support/websocket.js";
import { SIGV4_HEADER, waitFor } from "./gateway-helpers.js";

const SESSION = "session-0123456789-0123456789-0123456789";
let echo: WebSocketServer;
let echoUrl: string;
let noWs: http.Server;
let noWsUrl: string;
const handshakes: http.IncomingMessage[] = [];
const agentSockets = new Set<WebSocket>();
const gateways: Gateway[] = [];

beforeAll(async () => {
  echo = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/ws" });
  echo.on("connection", (socket, req) => {
    handshakes.push(req);
    agentSockets.add(socket);
    socket.on("close", () => agentSockets.delete(socket));
    socket.on("message", (data) => socket.send(`echo:${data}`));
  });
  await new Promise((resolve) => echo.once("listening", resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
  noWs = http.createServer((_req, res) => {
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"detail":"Not Found"}');
  });
  await new Promise<void>((resolve) => noWs.listen(0, "127.0.0.1", resolve));
  noWsUrl = `http://127.0.0.1:${(noWs.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await new Promise((resolve) => echo.close(resolve));
  await new Promise((resolve) => noWs.close(resolve));
});

async function gateway(upstream: string, protocol: ServerProtocol = "HTTP", allowlist: string[] = [], log?: (e: GatewayLogEvent) => void) {
  const started = await startGateway({
    agent: { name: "my_agent", upstream, authorizer: null, protocol, requestHeaderAllowlist: allowlist },
    log,
  });
  gateways.push(started);
  return started;
}

const wsUrl = (g: Gateway, query = "") => `${g.url.replace(/^http/, "ws")}/runtimes/my_agent/ws${query}`;
const signed = { Authorization: SIGV4_HEADER, "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": SESSION };

function open(url: string, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

async function refusal(url: string, headers: Record<string, string>) {
  const answer = await refusedHandshake(url, headers);
  return { status: answer.status, errorType: answer.headers["x-amzn-errortype"], body: answer.body };
}

const reply = (ws: WebSocket) => new Promise<string>((resolve) => ws.once("message", (d) => resolve(String(d))));

describe("gateway WebSocket route", () => {
  it("proxies to the agent's /ws: the session id, the allowlist and the query without the SigV4 parameters", async () => {
    const g = await gateway(echoUrl, "AGUI", ["X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tag"]);
    const ws = await open(wsUrl(g, "?qualifier=DEFAULT&X-Amz-Security-Token=secret&mode=voice"), {
      ...signed,
      "X-Amzn-Bedrock-AgentCore-Runtime-Custom-Tag": "blue",
      "X-Not-Allowlisted": "no",
    });
    ws.send("hi");
    expect(await reply(ws)).toBe("echo:hi");
    const seen = handshakes.at(-1)!;
    expect(seen.url).toBe("/ws?qualifier=DEFAULT&mode=voice");
    expect(seen.headers).toMatchObject({
      "x-amzn-bedrock-agentcore-runtime-session-id": SESSION,
      "x-amzn-bedrock-agentcore-runtime-custom-tag": "blue",
    });
    expect(seen.headers["x-amzn-bedrock-agentcore-runtime-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers["x-not-allowlisted"]).toBeUndefined();
    ws.close();
  });

  it("counts open connections; the client's close closes the agent's side, the agent's close the client's", async () => {
    const events: GatewayLogEvent[] = [];
    const g = await gateway(echoUrl, "HTTP", [], (e) => events.push(e));
    const first = await open(wsUrl(g), signed);
    const second = await open(wsUrl(g), signed);
    expect(g.openWebSockets()).toBe(2);
    const agentsBefore = agentSockets.size;
    first.close();
    await waitFor(() => (g.openWebSockets() === 1 ? true : undefined), 5_000, "one connection left");
    expect(agentSockets.size).toBe(agentsBefore - 1);
    const closedByAgent = new Promise<number>((resolve) => second.once("close", resolve));
    for (const socket of agentSockets) socket.close(4001, "agent is done");
    expect(await closedByAgent).toBe(4001);
    await waitFor(() => (g.openWebSockets() === 0 ? true : undefined), 5_000, "no connection left");
    expect(events.filter((e) => e.websocket === "closed")).toHaveLength(2);
    expect(events.filter((e) => e.websocket === "opened")).toEqual([
      expect.objectContaining({ status: 101, sessionId: SESSION }),
      expect.objectContaining({ status: 101, sessionId: SESSION }),
    ]);
  });

  it("closing the gateway closes its connections", async () => {
    const g = await startGateway({ agent: { name: "my_agent", upstream: echoUrl, authorizer: null } });
    const ws = await open(wsUrl(g), signed);
    const closed = new Promise<number>((resolve) => ws.once("close", resolve));
    await g.close();
    expect(await closed).toBe(1006);
  });

  it("an agent without /ws: its own answer passes through; an agent that is down: 424", async () => {
    const none = await refusal(wsUrl(await gateway(noWsUrl)), signed);
    expect(none).toEqual({ status: 404, errorType: undefined, body: '{"detail":"Not Found"}' });
    const down = await refusal(wsUrl(await gateway(`http://127.0.0.1:${await freePort()}`)), signed);
    expect(down).toMatchObject({ status: 424, errorType: "RuntimeClientError" });
    expect(down.body).toContain("connection refused");
  });

  it("MCP and A2A agents have no /ws: 404", async () => {
    for (const protocol of ["MCP", "A2A"] as const) {
      const answer = await refusal(wsUrl(await gateway(echoUrl, protocol)), signed);
      expect(answer).toMatchObject({ status: 404, errorType: "ResourceNotFoundException" });
      expect(JSON.parse(answer.body).message).toContain("only HTTP and AGUI agents have a WebSocket endpoint");
    }
  });

  it("refuses what is not a WebSocket handshake to /ws: other paths, other qualifiers, a short session id, a plain GET", async () => {
    const g = await gateway(echoUrl);
    expect(await refusal(`${g.url.replace(/^http/, "ws")}/runtimes/my_agent/invocations`, signed)).toMatchObject({
      status: 404,
      errorType: "UnknownOperationException",
    });
    expect(await refusal(wsUrl(g, "?qualifier=BETA"), signed)).toMatchObject({ status: 404, errorType: "ResourceNotFoundException" });
    const short = await refusal(wsUrl(g), { Authorization: SIGV4_HEADER, "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": "short" });
    expect(short).toMatchObject({ status: 400, errorType: "ValidationException" });
    const plain = await fetch(`${g.url}/runtimes/my_agent/ws`, { headers: { Authorization: SIGV4_HEADER } });
    expect(plain.status).toBe(400);
    expect(plain.headers.get("x-amzn-errortype")).toBe("ValidationException");
  });

  it("a request offering another upgrade (h2c, as curl --http2 sends on http://) is served as a plain HTTP/1.1 request", async () => {
    const g = await gateway(noWsUrl);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${g.url}/invocations`, {
        method: "POST",
        headers: {
          ...signed,
          Connection: "Upgrade, HTTP2-Settings",
          Upgrade: "h2c",
          "HTTP2-Settings": "AAMAAABkAAQCAAAAAAIAAAAA",
          "content-type": "application/json",
        },
      });
      req.once("response", (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => {
          body += d;
        });
        res.once("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.once("error", reject);
      req.end('{"prompt":"hi"}');
    });
    // The invocation reached the agent's /invocations (which answers 404 here): the gateway's 424 quotes it.
    expect(answer.status).toBe(424);
    expect(JSON.parse(answer.body).message).toContain('Received error (404) from the agent: {"detail":"Not Found"}');
  });
});
