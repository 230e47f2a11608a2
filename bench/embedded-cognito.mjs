#!/usr/bin/env node
/**
 * Embedded Cognito startup: spawn of the wrapper (dist/embedded-cognito/server.js) until its ready
 * line, against a bare `node -e 0` measured in the same run, interleaved. Also the full on-demand
 * cycle a command pays (ensureEmbeddedCognito + stop), and the require time of the vendored bundle the
 * package ships (scripts/vendor-cognito-local.mjs) beside the stock cognito-local (a devDependency).
 *
 *   npm run build && node bench/embedded-cognito.mjs [--runs 10]
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SERVER = path.join(ROOT, "dist", "embedded-cognito", "server.js");
const runsIndex = process.argv.indexOf("--runs");
const runs = runsIndex === -1 ? 10 : Number(process.argv[runsIndex + 1]);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

function nodeBaseline() {
  const started = performance.now();
  spawnSync(process.execPath, ["-e", "0"]);
  return performance.now() - started;
}

function serverReady(dataDir) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [SERVER, "--data-dir", dataDir, "--port", "0", "--mode", "persistent"], {
      cwd: dataDir,
      stdio: ["ignore", "pipe", "ignore"],
    });
    child.stdout.setEncoding("utf8").once("data", (line) => {
      const ms = performance.now() - started;
      if (!line.includes('"ready":true')) reject(new Error(line));
      child.once("exit", () => resolve(ms));
      child.kill("SIGTERM");
    });
  });
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const { ensureEmbeddedCognito } = await import(path.join(ROOT, "dist", "embedded-cognito", "control.js"));
const baseline = [];
const ready = [];
const cycle = [];
const dirs = [];
for (let i = 0; i < runs; i += 1) {
  baseline.push(nodeBaseline());
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "agentcore-ts-bench-cognito-"));
  dirs.push(dataDir);
  ready.push(await serverReady(dataDir));
  const env = { AGENTCORE_TS_HOME: dataDir, AGENTCORE_TS_COGNITO_PORT: String(await freePort()) };
  const started = performance.now();
  const held = await ensureEmbeddedCognito(env);
  await held.stop();
  cycle.push(performance.now() - started);
}
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });

const require = createRequire(path.join(ROOT, "package.json"));
/** Milliseconds to require `file` in a fresh node. */
function requireTime(file) {
  const run = spawnSync(
    process.execPath,
    ["-e", `const s=performance.now();require(${JSON.stringify(file)});process.stdout.write(String(performance.now()-s))`],
    {
      env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: "1" },
      encoding: "utf8",
    },
  );
  return Number(run.stdout);
}
const vendored = requireTime(path.join(ROOT, "dist", "embedded-cognito", "vendor", "cognito-local.cjs"));
const stock = requireTime(require.resolve("cognito-local"));

const fmt = (ms) => `${Math.round(ms)} ms`;
console.log(`runs: ${runs}, node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`);
console.log(`node -e 0                          median ${fmt(median(baseline))}  p90 ${fmt(p90(baseline))}`);
console.log(
  `embedded Cognito spawn -> ready    median ${fmt(median(ready))}  p90 ${fmt(p90(ready))}  (${(median(ready) / median(baseline)).toFixed(1)}x node -e 0)`,
);
console.log(`ensureEmbeddedCognito + stop()     median ${fmt(median(cycle))}  p90 ${fmt(p90(cycle))}`);
console.log(`require(vendored bundle)            ${fmt(vendored)} (what the package ships: no aws-sdk v2, no @aws-crypto)`);
console.log(`require("cognito-local") stock     ${fmt(stock)} (with aws-sdk v2 and @aws-crypto)`);
