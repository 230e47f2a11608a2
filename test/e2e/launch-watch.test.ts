/**
 * `launch --local --watch` as a real child process: an edit reloads the agent (one line with what changed
 * and the time to /ping), invocations sent during the reload wait for the new agent, a broken edit prints
 * the log's tail and the watch goes on until a good edit, and a file .dockerignore leaves out reloads nothing.
 */
import type { ChildProcess } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalRuntimeRecord, readLocalRuntime } from "../../src/local/runtime-state.js";
import { post, SESSION_HEADER, SIGV4_HEADER, waitFor, writeAgentProject } from "../local/gateway-helpers.js";
import { runCli, tempDir, testEnv } from "../support/cli.js";
import { killLocalLaunch, type LaunchedLocal, startLocalLaunch } from "./launch-helpers.js";

/** A minimal HTTP-contract agent answering with its VERSION; on SIGTERM it finishes what it serves, then exits. */
function agentSource(version: string): string {
  return `import http from "node:http";
const VERSION = ${JSON.stringify(version)};
const server = http.createServer((req, res) => {
  if (req.url === "/ping") { res.writeHead(200, { "content-type": "application/json" }); res.end('{"status":"Healthy"}'); return; }
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json" }); res.end(JSON.stringify({ version: VERSION })); });
}).listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;
}

let cwd: string;
let env: NodeJS.ProcessEnv;
let launch: ChildProcess;
let stdout = "";
let stderr = "";
let record: LocalRuntimeRecord;
let exited: Promise<number | null>;
let launched: LaunchedLocal | undefined;
let agentFile: string;

const reloads = () => stdout.match(/reloaded \(/g)?.length ?? 0;
const failures = () => stderr.match(/reload failed \(/g)?.length ?? 0;

async function invoke(): Promise<{ status: number; version?: unknown }> {
  const answer = await post(
    `${record.gatewayUrl}/runtimes/watch_agent/invocations?qualifier=DEFAULT`,
    { prompt: "hi" },
    { authorization: SIGV4_HEADER, [SESSION_HEADER]: "watch-session-0123456789-0123456789-01" },
  );
  return { status: answer.status, version: answer.body.version };
}

beforeAll(async () => {
  cwd = await writeAgentProject({ name: "watch_agent", entrypoint: "src/agent.mjs" }, "agentcore-ts-watch-");
  await fsp.mkdir(path.join(cwd, "src"));
  agentFile = path.join(cwd, "src", "agent.mjs");
  await fsp.writeFile(agentFile, agentSource("v1"));
  await fsp.writeFile(
    path.join(cwd, ".dockerignore"),
    "# Docker semantics: *.log would match the top level only\n**/*.log\nsrc/scratch/\n",
  );
  env = testEnv();
  const args = ["--process", "--watch", "--port", "0", "--agent-port", "0"];
  launched = await startLocalLaunch(args, { cwd, env, agentName: "watch_agent" }, (stream, d) => {
    if (stream === "stdout") stdout += d;
    else stderr += d;
  });
  ({ child: launch, exited, record } = launched);
}, 30_000);

afterAll(async () => {
  const now = await readLocalRuntime(env, "watch_agent").catch(() => undefined);
  await killLocalLaunch(launched, [now?.agentPid]);
});

describe("launch --local --watch", () => {
  it("--watch without --local is a usage error, before any config is read or AWS called", async () => {
    const result = await runCli(["launch", "--watch"], { cwd: tempDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--watch reloads the agent of a local runtime: it goes with --local.");
    expect(result.stderr).toContain("agentcore-ts launch --local --watch");
  });

  it("says what it watches; an edit reloads the agent, with one line naming the file and the time to /ping", async () => {
    expect(stdout).toContain("Watching src/ for changes");
    expect(await invoke()).toEqual({ status: 200, version: "v1" });
    await fsp.writeFile(agentFile, agentSource("v2"));
    await waitFor(() => reloads() === 1, 15_000, `the first reload\n${stdout}\n${stderr}`);
    expect(stdout).toMatch(/\d\d:\d\d:\d\d reloaded \(src\/agent\.mjs changed\): the agent answered its health check in \d+ ms/);
    expect(await invoke()).toEqual({ status: 200, version: "v2" });
    // Reported by the watch's own line only: no crash-restart messages for a reload.
    expect(stdout).not.toContain("healthy again");
    expect(stderr).not.toContain("exited");
  });

  it("invocations sent while the agent reloads wait for it instead of failing", async () => {
    const before = reloads();
    await fsp.writeFile(agentFile, agentSource("v3"));
    const answers: Array<{ status: number; version?: unknown }> = [];
    const deadline = Date.now() + 15_000;
    while (reloads() === before && Date.now() < deadline) answers.push(await invoke());
    answers.push(await invoke());
    expect(answers.length).toBeGreaterThan(1);
    for (const answer of answers) expect(answer.status).toBe(200);
    expect(answers.at(-1)).toEqual({ status: 200, version: "v3" });
  });

  it("a broken edit prints the log's tail and keeps watching; the next good edit brings the agent back", async () => {
    const before = reloads();
    await fsp.writeFile(agentFile, `${agentSource("v4")}\nthis is not javascript (\n`);
    await waitFor(() => failures() === 1, 15_000, `the failed reload\n${stdout}\n${stderr}`);
    expect(stderr).toMatch(/reload failed \(src\/agent\.mjs changed\): The agent exited \(code 1\)/);
    expect(stderr).toContain("SyntaxError");
    expect(stderr).toContain("Still watching");
    expect(launch.exitCode).toBeNull();
    expect((await invoke()).status).toBe(424);
    await fsp.writeFile(agentFile, agentSource("v5"));
    await waitFor(() => reloads() === before + 1, 15_000, `the reload after the fix\n${stdout}\n${stderr}`);
    expect(await invoke()).toEqual({ status: 200, version: "v5" });
  });

  it("files .dockerignore leaves out (and node_modules) reload nothing; SIGTERM stops everything", async () => {
    const before = reloads() + failures();
    await fsp.writeFile(path.join(cwd, "src", "debug.log"), "noise\n");
    await fsp.mkdir(path.join(cwd, "src", "scratch"));
    await fsp.writeFile(path.join(cwd, "src", "scratch", "notes.mjs"), "// notes\n");
    await fsp.mkdir(path.join(cwd, "src", "node_modules", "dep"), { recursive: true });
    await fsp.writeFile(path.join(cwd, "src", "node_modules", "dep", "index.js"), "module.exports = 1;\n");
    // A watched file after them: its reload must name only itself.
    await new Promise((r) => setTimeout(r, 300));
    await fsp.writeFile(path.join(cwd, "src", "helper.mjs"), "export const x = 1;\n");
    await waitFor(() => reloads() + failures() === before + 1, 15_000, `the helper's reload\n${stdout}\n${stderr}`);
    expect(stdout).toMatch(/reloaded \(src\/helper\.mjs changed\)/);
    launch.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(await readLocalRuntime(env, "watch_agent")).toBeUndefined();
  });
});
