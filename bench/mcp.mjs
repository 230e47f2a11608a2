#!/usr/bin/env node
/**
 * What the local gateway adds to an MCP tools/call: the same JSON-RPC tools/call (the calculator of
 * examples/typescript-mcp, the official SDK server, stateless) sent straight to the server's /mcp and
 * through the gateway (a valid bearer token, the full customJWTAuthorizer path, the MCP header step),
 * in one run. Sequential keep-alive requests timed with hrtime; direct and gateway batches alternate
 * so drift on a shared machine hits both. Target: at most 1 ms added p50.
 *
 *   npm run build && npm run bench:mcp [-- --requests 3000 --rounds 6]
 */
import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { percentile, startIssuer } from "./lib.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SELF = fileURLToPath(import.meta.url);
const BODY = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "tools/call",
  params: { name: "calculator", arguments: { operation: "multiply", a: 6, b: 7 } },
});
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const children = [];
process.once("exit", () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
});

async function serveGateway(upstream, discoveryUrl, clientId) {
  const { startGateway } = await import(pathToFileURL(path.join(ROOT, "dist", "local", "gateway.js")).href);
  const gateway = await startGateway({
    agent: {
      name: "bench_mcp",
      upstream,
      protocol: "MCP",
      authorizer: { discoveryUrl, allowedClients: [clientId] },
      requestHeaderAllowlist: [],
    },
    port: 0,
  });
  await gateway.authorizer.warmUp();
  process.stdout.write(`${JSON.stringify({ url: gateway.url })}\n`);
}

function startChild(args, options = {}) {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"], ...options });
  children.push(child);
  return child;
}

async function freePort() {
  return new Promise((resolve) => {
    const probe = http.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** One tools/call on a keep-alive connection; resolves with its latency in microseconds. */
function call(agent, target, headers) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: "POST", agent, headers },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (c) => (text += c));
        res.on("end", () => {
          if (res.statusCode !== 200 || !text.includes('"42"')) reject(new Error(`HTTP ${res.statusCode} ${text.slice(0, 200)}`));
          else resolve(Number(process.hrtime.bigint() - started) / 1000);
        });
      },
    );
    req.on("error", reject);
    req.end(BODY);
  });
}

async function main() {
  const requests = arg("requests", 3000);
  const rounds = arg("rounds", 6);
  const issuer = await startIssuer();
  const port = await freePort();
  const server = startChild(["--import", "tsx", path.join(ROOT, "examples", "typescript-mcp", "src", "server.ts")], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" },
  });
  const direct = `http://127.0.0.1:${port}/mcp`;
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error("the MCP example exited");
    const up = await fetch(direct, { method: "POST" }).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (i > 300) throw new Error("the MCP example did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  const gatewayChild = startChild([SELF, "--serve-gateway", `http://127.0.0.1:${port}`, issuer.discoveryUrl, issuer.clientId]);
  const gatewayUrl = await new Promise((resolve, reject) => {
    readline.createInterface({ input: gatewayChild.stdout }).once("line", (line) => resolve(JSON.parse(line).url));
    gatewayChild.once("exit", (code) => reject(new Error(`the gateway exited with ${code}`)));
  });
  const viaGateway = `${gatewayUrl}/runtimes/bench_mcp/invocations?qualifier=DEFAULT`;
  const base = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "content-length": Buffer.byteLength(BODY),
  };
  const targets = [
    { name: "direct", url: new URL(direct), headers: base, samples: [] },
    { name: "gateway", url: new URL(viaGateway), headers: { ...base, authorization: `Bearer ${issuer.token}` }, samples: [] },
  ];
  const agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
  // Warm-up: JIT, connection, the authorizer's verified-token cache.
  for (const [i, t] of targets.entries()) for (let n = 0; n < 300; n++) await call(agents[i], t.url, t.headers);
  const perBatch = Math.ceil(requests / rounds);
  for (let round = 0; round < rounds; round++) {
    for (const [i, t] of targets.entries()) for (let n = 0; n < perBatch; n++) t.samples.push(await call(agents[i], t.url, t.headers));
  }
  for (const agent of agents) agent.destroy();
  const stats = targets.map((t) => {
    const sorted = t.samples.sort((a, b) => a - b);
    return { name: t.name, p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
  });
  const [d, g] = stats;
  const ms = (us) => (us / 1000).toFixed(3);
  const signed = (us) => `${us >= 0 ? "+" : "-"}${ms(Math.abs(us))}`;
  process.stdout.write(`MCP tools/call (examples/typescript-mcp, official SDK server), ${d.n} sequential requests each, keep-alive\n`);
  process.stdout.write(`  direct to /mcp:       p50 ${ms(d.p50)} ms   p99 ${ms(d.p99)} ms\n`);
  process.stdout.write(`  through the gateway:  p50 ${ms(g.p50)} ms   p99 ${ms(g.p99)} ms   (JWT verified, MCP headers)\n`);
  process.stdout.write(
    `  added:                p50 ${signed(g.p50 - d.p50)} ms   p99 ${signed(g.p99 - d.p99)} ms   target p50 <= 1 ms: ${g.p50 - d.p50 <= 1000 ? "met" : "MISSED"}\n`,
  );
  issuer.close();
  process.exit(0);
}

if (process.argv[2] === "--serve-gateway") await serveGateway(process.argv[3], process.argv[4], process.argv[5]);
else await main();
