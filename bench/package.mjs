#!/usr/bin/env node
/**
 * Code-package benchmark: `agentcore-ts package` of the TypeScript example, cold (first run: a new
 * project directory and AGENTCORE_TS_HOME) and warm (nothing changed), with the zip size, against
 * `node -e 0` in the same run; then the launch path of a code agent (package + upload + update)
 * beside a container agent's (context + CodeBuild + update), both against the wire-level AWS fakes
 * (test/fakes/), so only agentcore-ts's own time is measured: the fake CodeBuild builds nothing, a
 * real ARM build takes minutes. Target: cold package < 2 s.
 *
 *   node bench/package.mjs [--runs 5]
 */
import { spawn, spawnSync } from "node:child_process";
import { promises as fsp, mkdtempSync, realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin", "agentcore-ts");
const TARGET_MS = 2000;
const index = process.argv.indexOf("--runs");
const runs = index === -1 ? 5 : Number(process.argv[index + 1]);

const temp = (prefix) => realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(args, options) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { encoding: "utf8", ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return { ms, stdout: result.stdout };
}

/** Like timed(), without blocking this process: the AWS fakes run in it and must keep answering. */
function timedAsync(args, options) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${args.join(" ")} failed (${code}):\n${out}`));
      else resolve({ ms, stdout: out });
    });
  });
}

/** A copy of the TypeScript example as a code agent (its dependencies are the repository's). */
async function exampleProject(deploy) {
  const dir = temp("agentcore-ts-bench-package-");
  const example = path.join(ROOT, "examples/typescript");
  await fsp.cp(path.join(example, "src"), path.join(dir, "src"), { recursive: true });
  await fsp.copyFile(path.join(example, "package.json"), path.join(dir, "package.json"));
  await fsp.symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  await fsp.writeFile(path.join(dir, ".dockerignore"), "node_modules/\n.agentcore*\n");
  await fsp.writeFile(path.join(dir, "Dockerfile"), 'FROM node:22-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "src/agent.ts"]\n');
  const agent = { name: "bench_agent", entrypoint: "src/agent.ts", language: "node", deploy, authorizerConfiguration: null };
  if (deploy === "code") agent.runtime = "NODE_22";
  await fsp.writeFile(
    path.join(dir, ".agentcore.json"),
    JSON.stringify({ version: 1, defaultAgent: "bench_agent", agents: { bench_agent: agent } }),
  );
  return dir;
}

const baseEnv = (extra = {}) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NO_COLOR: "1",
  AGENTCORE_TS_HOME: temp("agentcore-ts-bench-home-"),
  ...extra,
});

// 1. package: cold and warm, against node -e 0.
const baseline = median(Array.from({ length: runs }, () => timed(["-e", "0"]).ms));
const project = await exampleProject("code");
const env = baseEnv();
const cold = timed([BIN, "package", "--json"], { cwd: project, env });
const doc = JSON.parse(cold.stdout);
const warm = median(Array.from({ length: runs }, () => timed([BIN, "package", "--json"], { cwd: project, env }).ms));

// 2. the launch path against the fakes.
register();
const { startAwsFakes } = await import("../test/fakes/aws-fakes.ts");
const aws = await startAwsFakes();
const awsEnv = baseEnv({
  ...aws.env,
  AWS_ACCESS_KEY_ID: "AKIATESTTESTTESTTEST",
  AWS_SECRET_ACCESS_KEY: "bench",
  AWS_REGION: aws.region,
  AWS_CONFIG_FILE: "/nonexistent",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
  AGENTCORE_TS_POLL_MS: "2",
  AGENTCORE_TS_CONTAINER_ENGINE: "none",
});
async function launchPath(deploy) {
  const dir = await exampleProject(deploy);
  const args = [BIN, "launch", "--json", ...(deploy === "container" ? ["--build", "codebuild"] : [])];
  const first = (await timedAsync(args, { cwd: dir, env: awsEnv })).ms;
  await fsp.appendFile(path.join(dir, "src/agent.ts"), '\nprocess.env.BENCH_CHANGED = "1";\n');
  const update = (await timedAsync(args, { cwd: dir, env: awsEnv })).ms;
  const unchanged = (await timedAsync(args, { cwd: dir, env: awsEnv })).ms;
  return { first, update, unchanged };
}
const code = await launchPath("code");
const container = await launchPath("container");
await aws.close();

const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`node ${process.version}, ${os.cpus().length} CPUs, ${runs} warm runs\n`);
console.log("| measurement                          | result |");
console.log("|--------------------------------------|-------:|");
console.log(`| node -e 0 (baseline)                 | ${baseline.toFixed(0)} ms |`);
console.log(`| package, cold (first run)            | ${f(cold.ms)} |`);
console.log(`| package, warm (nothing changed)      | ${f(warm)} |`);
console.log(`| zip: bytes / files                   | ${(doc.bytes / 1024 / 1024).toFixed(2)} MB / ${doc.files} |`);
console.log("");
console.log(
  "| launch path (AWS fakes)              | code: package + upload + create/update | container: context + CodeBuild (fake) + create/update |",
);
console.log("|--------------------------------------|------:|------:|");
console.log(`| first launch (create)                | ${f(code.first)} | ${f(container.first)} |`);
console.log(`| source changed (update)              | ${f(code.update)} | ${f(container.update)} |`);
console.log(`| unchanged (no-op)                    | ${f(code.unchanged)} | ${f(container.unchanged)} |`);
console.log(`\npackage cold ${f(cold.ms)} (target < ${f(TARGET_MS)}): ${cold.ms < TARGET_MS ? "within target" : "MISSED"}`);
