#!/usr/bin/env node
/**
 * Startup benchmark: how long `agentcore-ts --help` (and `configure --help`) take against a bare
 * `node -e 0` measured in the same run, interleaved so that machine noise hits both alike.
 * Target: median `--help` <= 2.5x median `node -e 0`.
 *
 *   node bench/startup.mjs [--runs 20] [--warmup 2] [--check]
 *
 * --check exits 1 when the target is missed. Peak RSS comes from one extra run of each command
 * with a preload that reports process.resourceUsage().maxRSS at exit (kept out of the timings).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { option, quantile } from "./lib.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin", "agentcore-ts");
const TARGET = 2.5;

const runs = option("--runs", 20);
const warmup = option("--warmup", 2);
const check = process.argv.includes("--check");

const commands = [
  { label: "node -e 0 (baseline)", args: ["-e", "0"] },
  { label: "agentcore-ts --help", args: [BIN, "--help"] },
  { label: "agentcore-ts configure --help", args: [BIN, "configure", "--help"] },
];

// A clean environment: no NODE_OPTIONS from the caller, no colour work.
const env = { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: "1" };

function timeOnce(args, extraEnv = {}) {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr.toString()}`);
  }
  return ms;
}

// Peak RSS: a preload writes maxRSS (KiB) to a file when the process exits.
function peakRssMiB(args) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agentcore-bench-"));
  const out = path.join(dir, "rss");
  const preload = path.join(dir, "rss.cjs");
  writeFileSync(
    preload,
    `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(out)}, String(process.resourceUsage().maxRSS)));`,
  );
  try {
    timeOnce(["--require", preload, ...args]);
    return Number(readFileSync(out, "utf8")) / 1024;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (let i = 0; i < warmup; i++) for (const command of commands) timeOnce(command.args);
const samples = commands.map(() => []);
for (let i = 0; i < runs; i++) {
  // Interleaved, rotating the order each round so no command always runs first.
  for (let k = 0; k < commands.length; k++) {
    const index = (i + k) % commands.length;
    samples[index].push(timeOnce(commands[index].args));
  }
}

const rows = commands.map((command, index) => {
  const sorted = [...samples[index]].sort((a, b) => a - b);
  return { label: command.label, median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), rss: peakRssMiB(command.args) };
});
const baseline = rows[0].median;

const header = ["command", "median ms", "p90 ms", "x baseline", "peak RSS MiB"];
const table = [
  header,
  ...rows.map((row) => [row.label, row.median.toFixed(1), row.p90.toFixed(1), (row.median / baseline).toFixed(2), row.rss.toFixed(1)]),
];
const widths = header.map((_, column) => Math.max(...table.map((line) => line[column].length)));
const format = (line) =>
  `| ${line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join(" | ")} |`;
console.log(
  `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? "unknown"}), ${runs} runs each after ${warmup} warm-ups, interleaved`,
);
console.log("");
console.log(format(table[0]));
console.log(`|${widths.map((width, column) => (column === 0 ? "-".repeat(width + 2) : `${"-".repeat(width + 1)}:`)).join("|")}|`);
for (const line of table.slice(1)) console.log(format(line));
console.log("");
const ratio = rows[1].median / baseline;
const verdict = ratio <= TARGET ? "within" : "OVER";
console.log(`agentcore-ts --help: ${ratio.toFixed(2)}x node -e 0 (target <= ${TARGET}x): ${verdict} target`);
if (check && ratio > TARGET) process.exitCode = 1;
