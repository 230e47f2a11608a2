#!/usr/bin/env node
/**
 * The everyday call: `agentcore-ts invoke --local --bearer` against a running `launch --local`, with the token
 * from the token cache (as after `quickstart` or `token refresh`) and from COGNITO_ACCESS_TOKEN, timed end to end as a person runs it, beside curl to the same gateway and
 * `node -e 0`, interleaved in one run so that machine noise hits all three alike.
 *
 *   npm run build && npm run bench:invoke [-- --runs 20 --warmup 2 --check]
 *
 * The agent is a minimal node http server behind the real gateway (customJWTAuthorizer, a loopback issuer),
 * so the numbers are the CLI's cost, not the agent's. Target: median invoke (cached token) <= 2x median `node -e 0`.
 * Two more rows show what that target leaves: the floor, a bare Node client doing the same reads and the same
 * POST with none of the CLI (bench/floor-invoke.mjs), the same behind a commander parse, and `--version`, the
 * CLI's startup alone.
 * --check exits 1 when the target is missed.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { option, quantile, startIssuer } from "./lib.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin", "agentcore-ts");
const TARGET = 2;

const runs = option("--runs", 20);
const warmup = option("--warmup", 2);
const check = process.argv.includes("--check");

const AGENT = `import http from "node:http";
const answer = JSON.stringify({ response: "5", status: "success" });
http.createServer((req, res) => {
  if (req.url === "/ping") return res.writeHead(200, { "content-type": "application/json" }).end('{"status":"Healthy"}');
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(answer) }).end(answer));
}).listen(Number(process.env.PORT), "127.0.0.1");
`;

function timeOnce(file, args, options) {
  const started = process.hrtime.bigint();
  const result = spawnSync(file, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${[file, ...args].join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
  return { ms, stdout: result.stdout.toString() };
}

/** Resolves with the gateway URL once `launch --local` reports it (its --json document), rejects if it exits first. */
function launch(project, env) {
  const child = spawn(process.execPath, [BIN, "launch", "--local", "--process", "--port", "0", "--agent-port", "0", "--json"], {
    cwd: project,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => {
      out += c;
      const match = /"gatewayUrl":\s*"([^"]+)"/.exec(out);
      if (match) resolve({ child, gatewayUrl: match[1] });
    });
    child.stderr.on("data", (c) => (err += c));
    child.once("exit", (code) => reject(new Error(`launch --local exited ${code}: ${err}${out}`)));
  });
}

const dir = mkdtempSync(path.join(os.tmpdir(), "agentcore-bench-invoke-"));
const issuer = await startIssuer();
let runtime;
try {
  const project = path.join(dir, "project");
  const home = path.join(dir, "home");
  mkdirSync(project);
  mkdirSync(home, { mode: 0o700 });
  writeFileSync(path.join(project, "agent.mjs"), AGENT);
  writeFileSync(
    path.join(project, ".agentcore.json"),
    JSON.stringify({
      version: 1,
      defaultAgent: "bench_agent",
      agents: {
        bench_agent: {
          name: "bench_agent",
          language: "node",
          entrypoint: "agent.mjs",
          authorizerConfiguration: { customJWTAuthorizer: { discoveryUrl: issuer.discoveryUrl, allowedClients: [issuer.clientId] } },
        },
      },
    }),
  );
  // A clean environment: no AWS settings or NODE_OPTIONS from the caller, no colour work.
  const env = { PATH: process.env.PATH, HOME: home, AGENTCORE_TS_HOME: home, NO_COLOR: "1", CI: "1" };
  // The token cache entry `token refresh` would write for this issuer and client.
  const { TokenCache } = await import(path.join(ROOT, "dist", "auth", "token-cache.js"));
  const issuerUrl = issuer.discoveryUrl.replace(/\/\.well-known\/openid-configuration$/, "");
  await new TokenCache(env).put({
    userPoolId: "local_bench",
    clientId: issuer.clientId,
    username: "bench",
    region: "us-east-1",
    issuer: issuerUrl,
    local: true,
    accessToken: issuer.token,
    accessTokenExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
    refreshToken: "unused",
    updatedAt: new Date().toISOString(),
  });
  runtime = await launch(project, env);
  const url = `${runtime.gatewayUrl}/runtimes/bench_agent/invocations?qualifier=DEFAULT`;
  const body = '{"prompt":"What is 2+3?"}';

  // The floor with commander inlined the way scripts/build.mjs inlines it into the CLI bundle (one file, no resolution).
  const floorBundle = path.join(dir, "floor-bundle.mjs");
  const { build } = await import("esbuild");
  await build({
    entryPoints: [path.join(ROOT, "bench", "floor-invoke.mjs")],
    outfile: floorBundle,
    bundle: true,
    platform: "node",
    format: "esm",
    logLevel: "warning",
    banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
  });
  const commands = [
    { label: "node -e 0 (baseline)", run: () => timeOnce(process.execPath, ["-e", "0"], { env }) },
    {
      label: "curl to the gateway",
      run: () =>
        timeOnce(
          "curl",
          ["-sf", "-X", "POST", url, "-H", `Authorization: Bearer ${issuer.token}`, "-H", "Content-Type: application/json", "-d", body],
          { env },
        ),
    },
    {
      label: "floor: a bare Node client (bench/floor-invoke.mjs)",
      run: () => timeOnce(process.execPath, [path.join(ROOT, "bench", "floor-invoke.mjs")], { cwd: project, env }),
    },
    {
      label: "floor + commander, bundled as the CLI bundles it",
      run: () => timeOnce(process.execPath, [floorBundle, "--commander"], { cwd: project, env }),
    },
    { label: "agentcore-ts --version (startup alone)", run: () => timeOnce(process.execPath, [BIN, "--version"], { cwd: project, env }) },
    {
      label: "agentcore-ts invoke --local --bearer (cached token)",
      run: () => timeOnce(process.execPath, [BIN, "invoke", "What is 2+3?", "--local", "--bearer"], { cwd: project, env }),
    },
    {
      label: "agentcore-ts invoke --local --bearer (COGNITO_ACCESS_TOKEN)",
      run: () =>
        timeOnce(process.execPath, [BIN, "invoke", "What is 2+3?", "--local", "--bearer"], {
          cwd: project,
          env: { ...env, COGNITO_ACCESS_TOKEN: issuer.token },
        }),
    },
  ];
  const INVOKE = 5;
  for (const c of [commands[2], ...commands.slice(INVOKE)]) {
    const first = c.run().stdout;
    if (!first.includes("5")) throw new Error(`${c.label} answered: ${first}`);
  }
  for (let i = 0; i < warmup; i++) for (const c of commands) c.run();
  const samples = commands.map(() => []);
  for (let i = 0; i < runs; i++) for (const [index, c] of commands.entries()) samples[index].push(c.run().ms);

  const stats = samples.map((s) => {
    const sorted = [...s].sort((a, b) => a - b);
    return { p50: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), min: sorted[0] };
  });
  const base = stats[0].p50;
  const lines = [
    `| command (${runs} runs, interleaved) | median (ms) | p90 (ms) | min (ms) | vs node -e 0 |`,
    "|---|---:|---:|---:|---:|",
    ...commands.map(
      (c, i) =>
        `| ${c.label} | ${stats[i].p50.toFixed(1)} | ${stats[i].p90.toFixed(1)} | ${stats[i].min.toFixed(1)} | ${(stats[i].p50 / base).toFixed(2)}x |`,
    ),
  ];
  process.stdout.write(`${lines.join("\n")}\n\n`);
  const ratio = stats[INVOKE].p50 / base;
  const ok = ratio <= TARGET;
  process.stdout.write(
    `${ok ? "PASS" : "MISS"}  invoke --local --bearer (cached token) <= ${TARGET}x node -e 0 (median): ${ratio.toFixed(2)}x (COGNITO_ACCESS_TOKEN: ${(stats[INVOKE + 1].p50 / base).toFixed(2)}x; floor: ${(stats[2].p50 / base).toFixed(2)}x, floor + commander: ${(stats[3].p50 / base).toFixed(2)}x, startup: ${(stats[4].p50 / base).toFixed(2)}x, curl: ${(stats[1].p50 / base).toFixed(2)}x)\n`,
  );
  if (check && !ok) process.exitCode = 1;
} finally {
  runtime?.child.kill("SIGINT");
  await new Promise((resolve) => (runtime ? runtime.child.once("exit", resolve) : resolve()));
  issuer.close();
  rmSync(dir, { recursive: true, force: true });
}
