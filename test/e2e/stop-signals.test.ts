/**
 * Stop signals on a real terminal (issue #10, section 1). On a TTY the spinner (ora) brings in
 * signal-exit, which re-raises a signal it sees no other listener for: a stop helper that removed its
 * listeners inside the handler let `launch --local` die before it stopped anything, leaving the agent
 * on its port. Pipes hide this (no spinner), so every case here runs on a pseudo-terminal
 * (test/support/pty.ts): Ctrl-C while the agent starts and once it is ready, SIGTERM, SIGHUP and a
 * closed terminal, for `launch --local`, `quickstart --local` and `cognito local start`. Each checks
 * that every process the command started is gone, its ports refuse connections, its record is removed,
 * and the exit status.
 */
import { spawnSync } from "node:child_process";
import { promises as fsp } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import type { LocalRuntimeRecord } from "../../src/local/runtime-state.js";
import { AGENT_SCRIPT, FIXTURES, writeAgentProject } from "../local/gateway-helpers.js";
import { freePort, tempDir, testEnv } from "../support/cli.js";
import { KEY, type PtySession, runCliInPty } from "../support/pty.js";

const FAKE_DOCKER_DIR = path.resolve(FIXTURES, "../fake-docker");
const TIMEOUT = 60_000;

/** An agent that listens on PORT but never answers GET /ping: `launch --local` stays in its "Starting the agent" spinner. */
const SILENT_AGENT = `import http from "node:http";
http.createServer(() => {}).listen(Number(process.env.PORT), "127.0.0.1");
`;

type Stop = "ctrl-c" | "SIGTERM" | "SIGHUP";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process below `pid` (children of children too), from ps. */
function descendants(pid: number): number[] {
  const rows = spawnSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" })
    .stdout.trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of rows) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** The pids still alive after a short grace period (a stopped process may take a moment to be reaped). */
async function survivors(pids: number[]): Promise<number[]> {
  for (let i = 0; i < 30 && pids.some(alive); i += 1) await sleep(100);
  return pids.filter(alive);
}

/** A free port no other test of this file got: the cases run concurrently, and the kernel may hand out a just-closed port again. */
const handedOut = new Set<number>();
async function uniquePort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

async function accepts(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await refuses(port)) {
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await sleep(50);
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

async function runtimeRecords(home: string): Promise<string[]> {
  return (await fsp.readdir(path.join(home, "local")).catch(() => [] as string[])).filter((name) => name.startsWith("runtime-"));
}

/** Every process a test saw, killed after the file when a failing test left it running. */
const seen = new Set<number>();
afterAll(() => {
  for (const pid of [...seen].filter(alive)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
});

/** The CLI's pid and everything it started, read while it runs. */
function processTree(pty: PtySession): { cli: number; all: number[] } {
  const cli = pty.cliPid();
  if (cli === undefined) throw new Error(`no CLI process under the terminal:\n${pty.text}`);
  const all = [cli, ...descendants(cli)];
  for (const pid of all) seen.add(pid);
  return { cli, all };
}

function sendStop(pty: PtySession, cli: number, how: Stop): void {
  if (how === "ctrl-c") pty.send(KEY.ctrlC);
  else process.kill(cli, how);
}

/** What every stop must leave: no process, no listener, no record. */
async function expectNothingLeft(pids: number[], ports: number[], home: string): Promise<void> {
  expect(await survivors(pids), "processes still running").toEqual([]);
  for (const port of ports) expect(await refuses(port), `port ${port} still accepts connections`).toBe(true);
  expect(await runtimeRecords(home)).toEqual([]);
}

describe.concurrent("launch --local on a terminal", () => {
  async function launch(entrypoint: string, agentPort: number) {
    const cwd = await writeAgentProject({ name: "pty_agent", entrypoint }, "agentcore-ts-stop-");
    const env = testEnv({ PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH}`, FAKE_DOCKER_MODE: "unreachable" });
    const pty = runCliInPty(["launch", "--local", "--port", "0", "--agent-port", String(agentPort)], { cwd, env });
    return { pty, home: env.AGENTCORE_TS_HOME! };
  }

  /** The fixture agent behind the gateway, ready: its record and the process tree. */
  async function launchReady() {
    const { pty, home } = await launch(AGENT_SCRIPT, await uniquePort());
    try {
      await pty.waitFor("Press Ctrl-C to stop.", 20_000);
      const [file] = await runtimeRecords(home);
      const record = JSON.parse(await fsp.readFile(path.join(home, "local", file!), "utf8")) as LocalRuntimeRecord;
      return { pty, home, record, tree: processTree(pty) };
    } catch (error) {
      pty.kill();
      throw error;
    }
  }

  it(
    "Ctrl-C during the 'Starting the agent' spinner stops the agent (exit 130)",
    async () => {
      const agentPort = await uniquePort();
      const dir = tempDir("agentcore-ts-silent-agent-");
      const entrypoint = path.join(dir, "agent.mjs");
      await fsp.writeFile(entrypoint, SILENT_AGENT);
      const { pty, home } = await launch(entrypoint, agentPort);
      try {
        await pty.waitFor("Starting the agent", 20_000);
        await accepts(agentPort);
        const tree = processTree(pty);
        expect(tree.all.length).toBeGreaterThan(1);
        pty.send(KEY.ctrlC);
        const result = await pty.done;
        expect(result.text).toContain("Stopped before the agent answered GET /ping.");
        expect(result.code).toBe(130);
        await expectNothingLeft(tree.all, [agentPort], home);
      } finally {
        pty.kill();
      }
    },
    TIMEOUT,
  );

  for (const how of ["ctrl-c", "SIGTERM", "SIGHUP"] as const) {
    it(
      `${how} once it is ready stops the agent and the gateway and removes the record (exit 0)`,
      async () => {
        const { pty, home, record, tree } = await launchReady();
        try {
          expect(tree.all).toContain(record.agentPid);
          sendStop(pty, tree.cli, how);
          const result = await pty.done;
          expect(result.text).toContain("Stopping the gateway and the agent…");
          expect(result.text).toContain("Stopped.");
          expect(result.code).toBe(0);
          await expectNothingLeft(tree.all, [portOf(record.gatewayUrl), portOf(record.agentUrl)], home);
        } finally {
          pty.kill();
        }
      },
      TIMEOUT,
    );
  }

  it(
    "a closed terminal (the pty's master gone: SIGHUP from the kernel) stops everything",
    async () => {
      const { pty, home, record, tree } = await launchReady();
      try {
        // Only `script` dies: the kernel hangs up the CLI's terminal, as when a terminal window closes.
        pty.closeTerminal();
        await pty.done;
        await expectNothingLeft(tree.all, [portOf(record.gatewayUrl), portOf(record.agentUrl)], home);
      } finally {
        pty.kill();
      }
    },
    TIMEOUT,
  );
});

describe.concurrent("cognito local start on a terminal", () => {
  async function start() {
    const port = await uniquePort();
    const env = testEnv({ AGENTCORE_TS_COGNITO_PORT: String(port) });
    const home = env.AGENTCORE_TS_HOME!;
    const pty = runCliInPty(["cognito", "local", "start"], { cwd: home, env });
    return { pty, port, home, pidFile: path.join(home, "cognito-local", "server.pid.json") };
  }

  it(
    "Ctrl-C while the server starts stops it (exit 130)",
    async () => {
      const { pty, port, home, pidFile } = await start();
      try {
        // The CLI is up (it makes the data directory after installing its stop listener) and its server is
        // being spawned: interrupt before the ready line. A bare process count would also see the shell's stty.
        const dataDirMade = () =>
          fsp.access(path.dirname(pidFile)).then(
            () => true,
            () => false,
          );
        for (let i = 0; i < 400 && !((await dataDirMade()) && processTree(pty).all.length >= 2); i += 1) await sleep(25);
        const tree = processTree(pty);
        expect(tree.all.length).toBeGreaterThan(1);
        pty.send(KEY.ctrlC);
        const result = await pty.done;
        // Stopped before or right after its ready line, depending on when the key arrives.
        expect(result.text).toMatch(/Stopped before the embedded Cognito was ready\.|Embedded Cognito stopped\./);
        expect(result.code).toBe(result.text.includes("Stopped before") ? 130 : 0);
        await expectNothingLeft(tree.all, [port], home);
        await expect(fsp.access(pidFile)).rejects.toThrow();
      } finally {
        pty.kill();
      }
    },
    TIMEOUT,
  );

  for (const how of ["ctrl-c", "SIGTERM", "SIGHUP"] as const) {
    it(
      `${how} once it is ready stops the server and removes its pid file (exit 0)`,
      async () => {
        const { pty, port, home, pidFile } = await start();
        try {
          await pty.waitFor(`http://127.0.0.1:${port}`, 20_000);
          const server = (JSON.parse(await fsp.readFile(pidFile, "utf8")) as { pid: number }).pid;
          const tree = processTree(pty);
          expect(tree.all).toContain(server);
          sendStop(pty, tree.cli, how);
          const result = await pty.done;
          expect(result.text).toContain("Embedded Cognito stopped.");
          expect(result.code).toBe(0);
          await expectNothingLeft(tree.all, [port], home);
          await expect(fsp.access(pidFile)).rejects.toThrow();
        } finally {
          pty.kill();
        }
      },
      TIMEOUT,
    );
  }
});

describe.concurrent("quickstart --local on a terminal", () => {
  async function quickstart(extraEnv: NodeJS.ProcessEnv = {}) {
    const cognitoPort = await uniquePort();
    const ports = { cognito: cognitoPort, gateway: await uniquePort(), agent: await uniquePort() };
    const env = testEnv({ AGENTCORE_TS_COGNITO_PORT: String(cognitoPort), ...extraEnv });
    const pty = runCliInPty(["quickstart", "--local", "--port", String(ports.gateway), "--agent-port", String(ports.agent)], {
      cwd: tempDir("agentcore-ts-quickstart-pty-"),
      env,
    });
    return { pty, ports, home: env.AGENTCORE_TS_HOME! };
  }

  type Ports = { cognito: number; gateway: number; agent: number };
  const cases: { title: string; how: Stop; env?: NodeJS.ProcessEnv; when(pty: PtySession, ports: Ports): Promise<void> }[] = [
    {
      title: "Ctrl-C while the agent starts",
      how: "ctrl-c",
      // The launch step's header, then the agent's port open: the agent runs, the gateway waits for its ping.
      async when(pty, ports) {
        await pty.waitFor(/Step \d+\/\d+: .*\(launch --local\)/, 45_000);
        await accepts(ports.agent);
      },
    },
    ...(["ctrl-c", "SIGTERM", "SIGHUP"] as const).map((how) => ({
      title: `${how} while the agent answers`,
      how,
      // A slow stream keeps the invoke step busy with everything running.
      env: { AGENT_STREAM_DELAY_MS: "2000" },
      when: (pty: PtySession) => pty.waitFor("│ ", 45_000),
    })),
  ];

  for (const { title, how, env, when } of cases) {
    it(
      `${title} stops the gateway, the agent and the embedded Cognito (exit 130)`,
      async () => {
        const { pty, ports, home } = await quickstart(env);
        try {
          await when(pty, ports);
          const tree = processTree(pty);
          sendStop(pty, tree.cli, how);
          const result = await pty.done;
          expect(result.text).toContain("everything the quickstart started was stopped");
          expect(result.code).toBe(130);
          await expectNothingLeft(tree.all, [ports.cognito, ports.gateway, ports.agent], home);
        } finally {
          pty.kill();
        }
      },
      TIMEOUT,
    );
  }
});
