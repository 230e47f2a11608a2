#!/usr/bin/env node
/**
 * `launch --local --watch`: time from a file write to the first successful invoke of the changed code, for
 * the TypeScript example (examples/typescript, AGENT_OFFLINE=1, run through tsx as a process), median of
 * several edits. Baseline in the same run: the same agent started by hand (`node --import tsx src/agent.ts`)
 * until GET /ping answers, i.e. what a reload cannot beat.
 *
 *   npm run build && npm run bench:watch [-- --edits 7]
 *
 * Each edit changes the offline answer's greeting in src/offline.ts; the bench then invokes through the
 * gateway every 10 ms until the answer carries the new greeting. Target: median <= 1.5 s.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin", "agentcore-ts");
const EDITS = (() => {
  const i = process.argv.indexOf("--edits");
  return i > 0 ? Number(process.argv[i + 1]) : 7;
})();
const SIGV4 =
  "AWS4-HMAC-SHA256 Credential=AKIATESTTESTTESTTEST/20260101/us-east-1/bedrock-agentcore/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef";
const SESSION = "bench-watch-session-0123456789-0123456789";

// Inside the repository (bench/results is git-ignored) so the example's imports resolve from its node_modules.
const dir = path.join(ROOT, "bench", "results", `watch-${process.pid}`);
const home = path.join(dir, ".home");
mkdirSync(home, { recursive: true, mode: 0o700 });
cpSync(path.join(ROOT, "examples", "typescript", "src"), path.join(dir, "src"), { recursive: true });
writeFileSync(
  path.join(dir, ".agentcore.json"),
  JSON.stringify({
    version: 1,
    defaultAgent: "bench_watch",
    agents: {
      bench_watch: { name: "bench_watch", entrypoint: "src/agent.ts", language: "node", environmentVariables: { AGENT_OFFLINE: "1" } },
    },
  }),
);
const offline = path.join(dir, "src", "offline.ts");
const original = readFileSync(offline, "utf8");
const env = { ...process.env, AGENTCORE_TS_HOME: home, NO_COLOR: "1", AWS_REGION: "us-east-1" };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(probe, timeoutMs, what) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(10);
  }
}

/** Baseline: a fresh agent process until /ping answers. */
async function coldStart(port) {
  const started = performance.now();
  const require = createRequire(path.join(ROOT, "package.json"));
  const tsx = path.join(path.dirname(require.resolve("tsx/package.json")), "dist", "loader.mjs");
  const child = spawn(process.execPath, ["--import", tsx, path.join(dir, "src", "agent.ts")], {
    cwd: dir,
    env: { ...env, PORT: String(port), HOST: "127.0.0.1", AGENT_OFFLINE: "1" },
    stdio: "ignore",
  });
  await until(async () => (await fetch(`http://127.0.0.1:${port}/ping`)).ok, 30_000, "the cold agent's /ping");
  const ms = performance.now() - started;
  child.kill("SIGKILL");
  return ms;
}

async function main() {
  const cold = [];
  for (let i = 0; i < 3; i++) cold.push(await coldStart(18_700 + i));

  const launch = spawn(process.execPath, [BIN, "launch", "--local", "--process", "--watch", "--port", "0", "--agent-port", "0", "--json"], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  launch.stdout.setEncoding("utf8").on("data", (d) => (out += d));
  const ready = await until(
    async () => {
      const end = out.indexOf("\n}\n");
      return end > 0 ? JSON.parse(out.slice(0, end + 2)) : undefined;
    },
    60_000,
    "launch --local --watch",
  );
  const url = `${ready.gatewayUrl}/runtimes/bench_watch/invocations?qualifier=DEFAULT`;
  const invoke = async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: SIGV4, "x-amzn-bedrock-agentcore-runtime-session-id": SESSION },
      body: JSON.stringify({ prompt: "hi" }),
    });
    return response.ok ? response.text() : "";
  };

  const times = [];
  const reloads = [];
  try {
    for (let n = 1; n <= EDITS; n++) {
      await sleep(300);
      const mark = `Hello #${n}!`;
      const before = out.length;
      const started = performance.now();
      writeFileSync(offline, original.replace("Hello!", mark));
      await until(async () => (await invoke()).includes(mark), 30_000, `edit ${n}`);
      times.push(performance.now() - started);
      await until(async () => /"ms": (\d+)/.exec(out.slice(before)), 5_000, "the reload document").then((m) => reloads.push(Number(m[1])));
    }
  } finally {
    writeFileSync(offline, original);
    launch.kill("SIGTERM");
    await new Promise((r) => launch.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
  const row = (label, xs) =>
    `| ${label.padEnd(52)} | ${String(Math.round(median(xs))).padStart(6)} ms | ${xs.map((x) => Math.round(x)).join(", ")} |`;
  console.log(`| measure (TypeScript example, process mode, ${EDITS} edits) | median    | all |`);
  console.log("| ---------------------------------------------------- | --------- | --- |");
  console.log(row("file write -> first invoke of the changed code", times));
  console.log(row("reload (old agent stopped -> new one answers /ping)", reloads));
  console.log(row("baseline: fresh agent process -> /ping (3 starts)", cold));
  console.log(
    `target <= 1500 ms: ${median(times) <= 1500 ? "met" : "MISSED"}; ratio to a fresh start: ${(median(times) / median(cold)).toFixed(2)}x`,
  );
}

await main();
