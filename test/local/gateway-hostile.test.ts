/**
 * The local gateway against hostile input, on loopback: an in-test upstream records what the agent
 * receives (and whether it received a whole request), so each refusal also proves nothing reached it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, type GatewayLogEvent, MAX_REQUEST_BYTES, startGateway } from "../../src/local/gateway.js";
import { DEFAULT_CLIENT_ID, type FakeIssuer, startFakeIssuer } from "../fakes/oidc-issuer.js";
import { SIGV4_HEADER } from "./gateway-helpers.js";

interface Received {
  headers: http.IncomingHttpHeaders;
  bytes: number;
  complete: boolean;
}

let upstream: http.Server;
let upstreamUrl = "";
const received: Received[] = [];
let gateway: Gateway;
let jwtGateway: Gateway;
let issuer: FakeIssuer;
const logged: GatewayLogEvent[] = [];

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    const entry: Received = { headers: req.headers, bytes: 0, complete: false };
    received.push(entry);
    req.on("data", (chunk: Buffer) => {
      entry.bytes += chunk.length;
    });
    req.on("end", () => {
      // Only a whole request is acted on (the agent answers it).
      entry.complete = true;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ bytes: entry.bytes, session: req.headers["x-amzn-bedrock-agentcore-runtime-session-id"] }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startGateway({ agent: { name: "my_agent", upstream: upstreamUrl, authorizer: null }, log: (e) => logged.push(e) });
  issuer = await startFakeIssuer();
  jwtGateway = await startGateway({
    agent: {
      name: "my_agent",
      upstream: upstreamUrl,
      authorizer: { discoveryUrl: issuer.discoveryUrl, allowedClients: [DEFAULT_CLIENT_ID] },
    },
    log: (e) => logged.push(e),
  });
});

afterAll(async () => {
  await Promise.all([gateway.close(), jwtGateway.close(), issuer.close()]);
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

/** Sends `total` bytes as a chunked body in 1 MB chunks; resolves with the gateway's answer. */
function postChunked(total: number): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${gateway.url}/invocations`, {
      method: "POST",
      headers: { authorization: SIGV4_HEADER, "content-type": "application/octet-stream", "transfer-encoding": "chunked" },
    });
    req.once("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, type: res.headers["x-amzn-errortype"] as string | undefined, body }));
    });
    req.once("error", reject);
    const chunk = Buffer.alloc(1_000_000, 120);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const size = Math.min(chunk.length, total - sent);
        sent += size;
        if (!req.write(size === chunk.length ? chunk : chunk.subarray(0, size))) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

describe("gateway request size, counted as the body streams", () => {
  it("refuses a chunked body over 100,000,000 bytes with the Content-Length answer, and the agent never gets a whole request", async () => {
    const before = received.length;
    const answer = await postChunked(MAX_REQUEST_BYTES + 1);
    expect([answer.status, answer.type]).toEqual([400, "ValidationException"]);
    expect(JSON.parse(answer.body)).toEqual({
      message: `1 validation error detected: Value at 'payload' failed to satisfy constraint: Member must have length less than or equal to ${MAX_REQUEST_BYTES}`,
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(received.slice(before).some((r) => r.complete)).toBe(false);

    // The same answer as a declared Content-Length over the limit.
    const declared = await new Promise<{ status: number; body: string }>((resolve) => {
      const socket = net.connect(gateway.port, "127.0.0.1", () => {
        socket.write(
          `POST /invocations HTTP/1.1\r\nhost: x\r\nauthorization: ${SIGV4_HEADER}\r\ncontent-length: ${MAX_REQUEST_BYTES + 1}\r\n\r\n`,
        );
      });
      let raw = "";
      socket.on("data", (c) => {
        raw += c.toString("utf8");
        if (raw.includes("\r\n\r\n") && raw.endsWith("}")) socket.destroy();
      });
      socket.on("close", () => resolve({ status: Number(raw.split(" ")[1]), body: raw.slice(raw.indexOf("\r\n\r\n") + 4) }));
    });
    expect(declared).toEqual({ status: 400, body: answer.body });
  });

  it("forwards a chunked body of exactly 100,000,000 bytes whole", async () => {
    const answer = await postChunked(MAX_REQUEST_BYTES);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).bytes).toBe(MAX_REQUEST_BYTES);
  });
});

/** Writes `head` (request line and headers, CRLF-separated, without the blank line) and `body` on a raw socket; resolves with the raw answer. */
function rawRequest(port: number, head: Buffer, body = Buffer.alloc(0)): Promise<{ status: number; headers: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () =>
      socket.write(Buffer.concat([head, Buffer.from("\r\nconnection: close\r\n\r\n"), body])),
    );
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.once("error", reject);
    socket.once("close", () => {
      const raw = Buffer.concat(chunks);
      const end = raw.indexOf("\r\n\r\n");
      const headers = raw.subarray(0, end).toString("latin1");
      resolve({ status: Number(headers.split(" ")[1]), headers, body: raw.subarray(end + 4) });
    });
  });
}

describe("gateway: the bearer token is a strict JWS compact serialization", () => {
  it("refuses a token whose segments hold a space, a tab, '=' padding or nothing (401), before any key lookup", async () => {
    const token = await issuer.mint();
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const before = { received: received.length, jwks: issuer.fetches.jwks, discovery: issuer.fetches.discovery };
    const hostile = [
      `${header}.${payload}.${signature.slice(0, 10)} ${signature.slice(10)}`,
      `${header}.${payload}.${signature.slice(0, 10)}\t${signature.slice(10)}`,
      `${header}.${payload}.${signature}==`,
      `${header}=.${payload}.${signature}`,
      `${header}.${payload}.`,
      `.${payload}.${signature}`,
      `${header}.${payload}.${signature.replace(/[A-Za-z0-9]/, "+")}`,
    ];
    for (const bad of hostile) {
      const answer = await fetch(`${jwtGateway.url}/invocations`, {
        method: "POST",
        headers: { authorization: `Bearer ${bad}` },
        body: "{}",
      });
      expect({ bad, status: answer.status, type: answer.headers.get("x-amzn-errortype") }).toEqual({
        bad,
        status: 401,
        type: "UnauthorizedException",
      });
      expect(await answer.json()).toEqual({ message: "OAuth authorization failed: Failed to parse token" });
    }
    expect({ received: received.length, jwks: issuer.fetches.jwks, discovery: issuer.fetches.discovery }).toEqual(before);
    // The log line says why, in this tool's words.
    expect(logged.at(-1)?.reason).toMatch(/^format: not a JWT: its signature segment holds characters outside base64url/);

    const good = await fetch(`${jwtGateway.url}/invocations`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: "{}",
    });
    expect(good.status).toBe(200);
  });
});

describe("gateway: errors from Node's HTTP parser", () => {
  it("answers headers over Node's limit with 431 and the JSON error shape, and a broken request with 400", async () => {
    const big = await rawRequest(
      gateway.port,
      Buffer.from(`POST /invocations HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${"a".repeat(17 * 1024)}\r\ncontent-length: 0`),
    );
    expect(big.status).toBe(431);
    expect(big.headers).toMatch(/\r\nx-amzn-ErrorType: ValidationException\r\n/);
    expect(big.headers).toMatch(/\r\ncontent-type: application\/json\r\n/);
    expect(JSON.parse(big.body.toString("utf8")).message).toMatch(/^Request header fields too large/);

    const broken = await rawRequest(gateway.port, Buffer.from("POST /invocations HTTP/1.1\r\nhost: x\r\ncontent-length: abc"));
    expect(broken.status).toBe(400);
    expect(broken.headers).toMatch(/\r\nx-amzn-ErrorType: ValidationException\r\n/);
    expect(JSON.parse(broken.body.toString("utf8")).message).toMatch(/^Malformed HTTP request/);
  });
});

describe("gateway: runtimeSessionId counted in characters, passed byte for byte", () => {
  const send = (id: string) =>
    rawRequest(
      gateway.port,
      Buffer.concat([
        Buffer.from(
          `POST /invocations HTTP/1.1\r\nhost: x\r\nauthorization: ${SIGV4_HEADER}\r\ncontent-length: 2\r\nx-amzn-bedrock-agentcore-runtime-session-id: `,
        ),
        Buffer.from(id, "utf8"),
      ]),
      Buffer.from("{}"),
    );

  it("accepts 33 to 256 characters of UTF-8, however many bytes, and the agent and the caller see the same bytes", async () => {
    for (const id of ["é".repeat(33), `${"セッション".repeat(51)}x`, `sessão-${"x".repeat(26)}`]) {
      const answer = await send(id);
      expect(answer.status, id).toBe(200);
      const agentSaw = JSON.parse(
        answer.body
          .toString("utf8")
          .replace(/^[0-9a-f]+\r\n/, "")
          .replace(/\r\n0\r\n\r\n$/, ""),
      ).session as string;
      expect(Buffer.from(agentSaw, "latin1").toString("utf8"), id).toBe(id);
      const echoed = /\r\nX-Amzn-Bedrock-AgentCore-Runtime-Session-Id: ([^\r]*)/i.exec(answer.headers)![1]!;
      expect(Buffer.from(echoed, "latin1").toString("utf8"), id).toBe(id);
    }
  });

  it("refuses fewer than 33 or more than 256 characters even when the bytes are within the limits", async () => {
    for (const [id, constraint] of [
      ["é".repeat(32), "greater than or equal to 33"],
      ["é".repeat(257), "less than or equal to 256"],
    ] as const) {
      const answer = await send(id);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body.toString("utf8")).message).toBe(
        `1 validation error detected: Value at 'runtimeSessionId' failed to satisfy constraint: Member must have length ${constraint}`,
      );
    }
  });
});
