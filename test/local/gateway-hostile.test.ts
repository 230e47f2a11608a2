/**
 * The local gateway against hostile input, on loopback: an in-test upstream records what the agent
 * receives (and whether it received a whole request), so each refusal also proves nothing reached it.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateway, MAX_REQUEST_BYTES, startGateway } from "../../src/local/gateway.js";
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
  gateway = await startGateway({ agent: { name: "my_agent", upstream: upstreamUrl, authorizer: null } });
});

afterAll(async () => {
  await gateway.close();
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
