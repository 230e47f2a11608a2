#!/usr/bin/env node
/**
 * Install footprint: what a user's production install of this package takes on disk. Packs the
 * package (`npm pack`, the files a registry install would get), installs the tarball into an empty
 * temporary project with `npm install --omit=dev`, and prints the size of node_modules, the packages
 * in it and the largest top-level entries. Offline from the npm cache when it holds everything
 * (`--offline`), else it lets npm fetch what is missing (`--prefer-offline`).
 *
 *   npm run build && node bench/install-size.mjs [--top 12] [--keep]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const topIndex = process.argv.indexOf("--top");
const top = topIndex === -1 ? 12 : Number(process.argv[topIndex + 1]);
const keep = process.argv.includes("--keep");

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  return { ok: result.status === 0, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

/** Bytes on disk (du's allocated blocks, hard links counted once), in MB. */
function megabytes(...paths) {
  const out = run("du", ["-sk", "--total", ...paths], ROOT)
    .stdout.trim()
    .split("\n");
  return Number(out.at(-1).split(/\s+/)[0]) / 1024;
}

const work = mkdtempSync(path.join(os.tmpdir(), "agentcore-ts-install-"));
try {
  // --ignore-scripts: the tarball ships the current dist/ (build first), without rebuilding it here.
  const pack = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT);
  if (!pack.ok) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const [packed] = JSON.parse(pack.stdout);
  const project = path.join(work, "project");
  spawnSync("mkdir", [project]);
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "install-size-probe", version: "1.0.0", private: true }));
  const tarball = path.join(work, packed.filename);
  const common = ["install", "--omit=dev", "--no-audit", "--no-fund", "--ignore-scripts", tarball];
  const started = Date.now();
  let mode = "offline";
  let install = run("npm", [...common, "--offline"], project);
  if (!install.ok) {
    mode = "prefer-offline";
    install = run("npm", [...common, "--prefer-offline"], project);
  }
  if (!install.ok) throw new Error(`npm install failed:\n${install.stderr}`);
  const seconds = (Date.now() - started) / 1000;
  const modules = path.join(project, "node_modules");
  const entries = readdirSync(modules)
    .filter((name) => !name.startsWith("."))
    .map((name) => ({ name, mb: megabytes(path.join(modules, name)) }))
    .sort((a, b) => b.mb - a.mb);
  const listed = run("npm", ["ls", "--all", "--parseable", "--omit=dev"], project).stdout.trim().split("\n").length - 1;
  console.log(`agentcore-ts ${packed.version}: tarball ${(packed.size / 1024).toFixed(0)} kB, ${packed.entryCount} files`);
  console.log(`production install (npm install --omit=dev of the tarball, ${mode}, ${seconds.toFixed(1)} s, Node ${process.version}):`);
  console.log(`  node_modules: ${megabytes(modules).toFixed(0)} MB, ${listed} packages`);
  for (const { name, mb } of entries.slice(0, top)) console.log(`  ${name.padEnd(36)} ${mb.toFixed(1).padStart(6)} MB`);
  if (keep) console.log(`kept: ${project}`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
