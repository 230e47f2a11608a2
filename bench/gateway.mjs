#!/usr/bin/env node
/**
 * The local gateway's overhead: the same small payload sent straight to an agent and through the gateway
 * with a valid bearer token (full customJWTAuthorizer path), in one run.
 *
 *   npm run build && npm run bench:gateway [-- --duration 5 --connections 10 --rounds 2]
 *
 * - Throughput and latency under load: autocannon (integer-millisecond latency histogram).
 * - Unloaded latency: sequential keep-alive requests timed with hrtime (microseconds): the added p50.
 * - Time to the first SSE chunk: the agent writes one chunk at once, then finishes 20 ms later.
 * The agent is a minimal node http server (no SDK, no model), so the numbers measure the gateway, not the agent.
 * Agent, gateway and load generator are separate processes: on a 2-core machine the gateway path competes
 * for CPU with both (that is part of its cost). A reference row, a 15-line Node http proxy without any auth,
 * shows what any HTTP-terminating Node proxy costs here; CPU microseconds per request are read from /proc.
 * A second table does the same with the bundled example agent (examples/typescript on the bedrock-agentcore SDK,
 * AGENT_OFFLINE=1, JSON answers): the overhead a user actually sees.
 * Targets: throughput within 10% of the bare Node proxy measured in the same run (that proxy is the limit of one
 * Node HTTP hop on a machine: a MISS then means the gateway's own work, not the hop), <= 1 ms added p50, first SSE
 * chunk within 5 ms of direct.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { percentile, startIssuer } from "./lib.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SELF = fileURLToPath(import.meta.url);
const SESSION = `bench-session-${randomUUID()}`;
const BODY = JSON.stringify({ prompt: "What is 2+3?", sessionHint: "small payload" });

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

// ---------------------------------------------------------------------------------------------------
// Child roles
// ---------------------------------------------------------------------------------------------------

/** The minimal fast agent: the runtime contract and nothing else. */
function serveAgent() {
  const answer = JSON.stringify({ response: "5", status: "success" });
  const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/ping") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"status":"Healthy"}');
      return;
    }
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if ((req.headers.accept ?? "").includes("text/event-stream")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.write('data: "first"\n\n');
        setTimeout(() => res.end('data: "last"\n\n'), 20);
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`));
}

/** Reference: the least an HTTP-terminating Node proxy does (no auth, no checks, keep-alive upstream). */
function serveBareProxy(upstream) {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, noDelay: true });
  const server = http.createServer((req, res) => {
    const headers = {
      "content-type": req.headers["content-type"],
      "content-length": req.headers["content-length"],
      accept: req.headers.accept ?? "*/*",
    };
    const upstreamRequest = http.request(
      { host: target.hostname, port: target.port, path: "/invocations", method: "POST", headers, agent },
      (upstreamResponse) => {
        res.writeHead(upstreamResponse.statusCode, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    req.pipe(upstreamRequest);
  });
  server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`));
}

async function serveGateway(upstream, discoveryUrl, clientId) {
  const { startGateway } = await import(pathToFileURL(path.join(ROOT, "dist", "local", "gateway.js")).href);
  const gateway = await startGateway({
    agent: { name: "bench_agent", upstream, authorizer: { discoveryUrl, allowedClients: [clientId] }, requestHeaderAllowlist: [] },
    port: 0,
  });
  await gateway.authorizer.warmUp();
  process.stdout.write(`${JSON.stringify({ url: gateway.url })}\n`);
}

// ---------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------

/** The bundled example agent as `launch --local` runs it (Node + tsx), offline, on a free port; resolves when /ping is Healthy. */
async function startExampleAgent() {
  const port = await new Promise((resolve) => {
    const probe = http.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const entry = path.join(ROOT, "examples", "typescript", "src", "agent.ts");
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    cwd: path.join(ROOT, "examples", "typescript"),
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", AGENT_OFFLINE: "1" },
    stdio: "ignore",
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the example agent exited with ${child.exitCode}`);
    const healthy = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (healthy) return { child, url };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the example agent did not answer /ping within 30 s");
}

/** Every child this run started: stopped when it ends, however it ends (a failed start included). */
const children = [];
process.once("exit", () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
});

function startChild(args) {
  const child = spawn(process.execPath, [SELF, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once("line", (line) => resolve({ child, url: JSON.parse(line).url }));
    child.once("exit", (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

/** CPU time (µs) a process has used, from /proc (Linux); undefined elsewhere. */
function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

async function load(url, headers, seconds, connections, pids) {
  const { default: autocannon } = await import("autocannon");
  const before = pids.map(cpuMicros);
  const result = await autocannon({ url, method: "POST", headers, body: BODY, duration: seconds, connections, pipelining: 1 });
  const failures = result.non2xx + result.errors + result.timeouts;
  if (failures > 0) throw new Error(`${failures} failed requests against ${url}`);
  const cpu = pids.map((pid, i) => (before[i] === undefined ? undefined : (cpuMicros(pid) - before[i]) / result.requests.total));
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, cpu };
}

/** Sequential requests on one keep-alive connection: microsecond latency, and time to the first body chunk. */
async function sequential(url, headers, count, accept) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const target = new URL(url);
  const total = [];
  const firstChunk = [];
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    await new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: "POST",
          agent,
          headers: { ...headers, accept, "content-length": Buffer.byteLength(BODY) },
        },
        (res) => {
          let first = true;
          res.on("data", () => {
            if (first) firstChunk.push(Number(process.hrtime.bigint() - started) / 1000);
            first = false;
          });
          res.on("end", () => {
            if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode} from ${url}`));
            total.push(Number(process.hrtime.bigint() - started) / 1000);
            resolve();
          });
        },
      );
      req.on("error", reject);
      req.end(BODY);
    });
  }
  agent.destroy();
  total.sort((a, b) => a - b);
  firstChunk.sort((a, b) => a - b);
  return {
    p50: percentile(total, 50),
    p99: percentile(total, 99),
    first50: percentile(firstChunk, 50),
    first99: percentile(firstChunk, 99),
  };
}

const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const fmt = (n, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main() {
  if (!existsSync(path.join(ROOT, "dist", "local", "gateway.js"))) {
    process.stderr.write("bench/gateway.mjs measures the built gateway: run `npm run build` first.\n");
    process.exit(1);
  }
  const duration = arg("duration", 5);
  const connections = arg("connections", 10);
  const rounds = arg("rounds", 2);
  const issuer = await startIssuer();
  const agent = await startChild(["--serve-agent"]);
  const gateway = await startChild(["--serve-gateway", agent.url, issuer.discoveryUrl, issuer.clientId]);
  const bare = await startChild(["--serve-bare-proxy", agent.url]);
  const example = await startExampleAgent();
  const exampleGateway = await startChild(["--serve-gateway", example.url, issuer.discoveryUrl, issuer.clientId]);
  const sessionHeaders = {
    "content-type": "application/json",
    accept: "application/json",
    "x-amzn-bedrock-agentcore-runtime-session-id": SESSION,
  };
  const paths = {
    direct: { label: "direct to the agent", url: `${agent.url}/invocations`, headers: sessionHeaders, pids: [agent.child.pid] },
    bare: {
      label: "reference: bare Node http proxy, no auth",
      url: `${bare.url}/invocations`,
      headers: sessionHeaders,
      pids: [agent.child.pid, bare.child.pid],
    },
    gateway: {
      label: "through the gateway (valid JWT)",
      url: `${gateway.url}/runtimes/bench_agent/invocations?qualifier=DEFAULT`,
      headers: { ...sessionHeaders, authorization: `Bearer ${issuer.token}` },
      pids: [agent.child.pid, gateway.child.pid],
    },
    exampleDirect: {
      label: "direct to the example agent",
      url: `${example.url}/invocations`,
      headers: sessionHeaders,
      pids: [example.child.pid],
    },
    exampleGateway: {
      label: "example agent through the gateway (valid JWT)",
      url: `${exampleGateway.url}/runtimes/bench_agent/invocations?qualifier=DEFAULT`,
      headers: { ...sessionHeaders, authorization: `Bearer ${issuer.token}` },
      pids: [example.child.pid, exampleGateway.child.pid],
    },
  };
  try {
    process.stderr.write(`node ${process.version}, ${connections} connections, ${duration}s x ${rounds} rounds per path; warming up…\n`);
    for (const p of Object.values(paths)) await load(p.url, p.headers, 1, connections, []);
    const results = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const name of Object.keys(paths))
        results[name].push(await load(paths[name].url, paths[name].headers, duration, connections, [...paths[name].pids, process.pid]));
    }
    const seq = {};
    const sse = {};
    for (const name of ["direct", "gateway"]) {
      seq[name] = await sequential(paths[name].url, paths[name].headers, 2000, "application/json");
      sse[name] = await sequential(paths[name].url, paths[name].headers, 200, "text/event-stream");
    }
    const cpuOf = (name, index) => {
      const values = results[name].map((r) => r.cpu[index]).filter((v) => v !== undefined);
      return values.length ? mean(values) : undefined;
    };
    const row = (name) => ({
      rps: mean(results[name].map((r) => r.rps)),
      p50: mean(results[name].map((r) => r.p50)),
      p99: mean(results[name].map((r) => r.p99)),
      agentCpu: cpuOf(name, 0),
      proxyCpu: paths[name].pids.length === 1 ? undefined : cpuOf(name, 1),
      loaderCpu: cpuOf(name, paths[name].pids.length),
    });
    const d = row("direct");
    const b = row("bare");
    const g = row("gateway");
    const ed = row("exampleDirect");
    const eg = row("exampleGateway");
    const us = (v) => (v === undefined ? "-" : fmt(v));
    const loadLines = [
      "| path | req/s | vs direct | p50 (ms) | p99 (ms) | CPU µs/request: agent | proxy | load generator |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
      ...[
        ["direct", d],
        ["bare", b],
        ["gateway", g],
      ].map(
        ([name, r]) =>
          `| ${paths[name].label} | ${fmt(r.rps)} | ${fmt((r.rps / d.rps) * 100)}% | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${us(r.agentCpu)} | ${us(r.proxyCpu)} | ${us(r.loaderCpu)} |`,
      ),
    ];
    const exampleLines = [
      loadLines[0],
      loadLines[1],
      ...[
        ["exampleDirect", ed],
        ["exampleGateway", eg],
      ].map(
        ([name, r]) =>
          `| ${paths[name].label} | ${fmt(r.rps)} | ${fmt((r.rps / ed.rps) * 100)}% | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${us(r.agentCpu)} | ${us(r.proxyCpu)} | ${us(r.loaderCpu)} |`,
      ),
    ];
    const ms = (v) => fmt(v / 1000, 3);
    const plus = (v) => `${v >= 0 ? "+" : ""}${ms(v)}`;
    const seqLines = [
      "| path (one connection, sequential) | p50 (ms) | p99 (ms) | first SSE chunk p50 (ms) | first SSE chunk p99 (ms) |",
      "|---|---:|---:|---:|---:|",
      `| ${paths.direct.label} | ${ms(seq.direct.p50)} | ${ms(seq.direct.p99)} | ${ms(sse.direct.first50)} | ${ms(sse.direct.first99)} |`,
      `| ${paths.gateway.label} | ${ms(seq.gateway.p50)} | ${ms(seq.gateway.p99)} | ${ms(sse.gateway.first50)} | ${ms(sse.gateway.first99)} |`,
      `| added by the gateway | ${plus(seq.gateway.p50 - seq.direct.p50)} | ${plus(seq.gateway.p99 - seq.direct.p99)} | ${plus(sse.gateway.first50 - sse.direct.first50)} | ${plus(sse.gateway.first99 - sse.direct.first99)} |`,
    ];
    process.stdout.write(
      `Under load (autocannon, ${connections} connections, mean of ${rounds} x ${duration}s):\n\n${loadLines.join("\n")}\n\nUnloaded:\n\n${seqLines.join("\n")}\n\nThe example agent (examples/typescript, AGENT_OFFLINE=1, JSON answer), under the same load:\n\n${exampleLines.join("\n")}\n\n`,
    );
    const addedP50 = (seq.gateway.p50 - seq.direct.p50) / 1000;
    const addedFirst = (sse.gateway.first50 - sse.direct.first50) / 1000;
    const checks = [
      [
        "throughput within 10% of the bare Node proxy",
        g.rps / b.rps >= 0.9,
        `${fmt((g.rps / b.rps) * 100)}% of it (gateway ${fmt((g.rps / d.rps) * 100)}% of direct, bare proxy ${fmt((b.rps / d.rps) * 100)}%)`,
      ],
      ["added p50 <= 1 ms (unloaded)", addedP50 <= 1, `+${fmt(addedP50, 3)} ms`],
      ["first SSE chunk within 5 ms of direct (p50)", addedFirst <= 5, `+${fmt(addedFirst, 3)} ms`],
    ];
    for (const [label, ok, value] of checks) process.stdout.write(`${ok ? "PASS" : "MISS"}  ${label}: ${value}\n`);
    process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    for (const child of children) child.kill("SIGTERM");
    issuer.close();
  }
}

const role = process.argv[2];
if (role === "--serve-agent") serveAgent();
else if (role === "--serve-bare-proxy") serveBareProxy(process.argv[3]);
else if (role === "--serve-gateway") {
  await serveGateway(process.argv[3], process.argv[4], process.argv[5]);
  process.once("SIGINT", () => process.exit(0));
} else await main();
