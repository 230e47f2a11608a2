/**
 * startLocalRuntime composed from stand-in parts (StartLocalRuntimeOptions.parts): the event flow
 * (an agent exit, its restart, the record following the new pid, a crash loop) and the stop order,
 * without processes, containers or ports.
 */
import { describe, expect, it } from "vitest";
import type { RunningAgent } from "../../src/local/agent-runner.js";
import type { Gateway, GatewayOptions } from "../../src/local/gateway.js";
import { type LocalRuntimeParts, startLocalRuntime } from "../../src/local/runtime.js";
import type { LocalRuntimeRecord } from "../../src/local/runtime-state.js";
import { MemoryOutput } from "../../src/ui/output.js";
import { testEnv } from "../support/cli.js";
import { writeAgentProject } from "./gateway-helpers.js";

interface FakeAgent extends RunningAgent {
  exit(code: number): void;
}

const FIRST_PID = 2 ** 22 + 1000;

function fakeParts(events: string[]) {
  // Above pid_max defaults: no such process, should the exit guard ever signal one.
  let nextPid = FIRST_PID;
  const agents: FakeAgent[] = [];
  const records = new Map<string, LocalRuntimeRecord>();
  const written: LocalRuntimeRecord[] = [];
  let gatewayOptions: GatewayOptions | undefined;
  const parts: Partial<LocalRuntimeParts> = {
    detectEngine: async () => ({ available: false, probes: [] }),
    pickPort: async (preferred) => preferred || 4242,
    startAgent: async (_spec, options) => {
      const pid = nextPid++;
      let exit!: (code: number) => void;
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        exit = (code) => resolve({ code, signal: null });
      });
      const agent: FakeAgent = {
        mode: options.mode,
        url: `http://127.0.0.1:${options.port}`,
        port: options.port,
        pid,
        logFile: options.logFile,
        command: "fake",
        exited,
        exit,
        stop: async () => {
          events.push(`agent ${pid} stopped`);
        },
      };
      agents.push(agent);
      events.push(`agent ${pid} started${options.append ? " (append)" : ""}`);
      return agent;
    },
    waitForHealthy: async () => undefined,
    startGateway: async (options) => {
      gatewayOptions = options;
      events.push(`gateway on ${options.port}`);
      const gateway: Gateway = {
        url: `http://127.0.0.1:${options.port}`,
        port: options.port ?? 0,
        openWebSockets: () => 0,
        close: async () => {
          events.push("gateway closed");
        },
      };
      return gateway;
    },
    records: {
      read: async (_env, name) => records.get(name),
      write: async (_env, record) => {
        records.set(record.agentName, record);
        written.push(record);
      },
      remove: async (_env, name) => {
        records.delete(name);
        events.push("record removed");
      },
      removeSync: (_env, name) => {
        records.delete(name);
      },
    },
  };
  return { parts, agents, records, written, gateway: () => gatewayOptions! };
}

/** A runtime of a fresh project from `parts`, writing no record. */
async function startWithoutRecord(parts: Partial<LocalRuntimeParts>, output: MemoryOutput) {
  return startLocalRuntime({ cwd: await writeAgentProject(), env: testEnv(), output, parts, writeRecord: false });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe("startLocalRuntime with injected parts", () => {
  it("starts the parts in order, follows a restarted agent, and stops everything in reverse order", async () => {
    const events: string[] = [];
    const fake = fakeParts(events);
    const output = new MemoryOutput();
    const cwd = await writeAgentProject();
    const runtime = await startLocalRuntime({ cwd, env: testEnv(), output, parts: fake.parts, port: 9000 });
    expect(events).toEqual([`agent ${FIRST_PID} started`, "gateway on 9000"]);
    expect(runtime).toMatchObject({
      mode: "process",
      agentPid: FIRST_PID,
      gatewayUrl: "http://127.0.0.1:9000",
      agentUrl: "http://127.0.0.1:8080",
    });
    expect(fake.records.get("my_agent")).toMatchObject({ agentPid: FIRST_PID, gatewayUrl: "http://127.0.0.1:9000", pid: process.pid });
    // A second runtime of the same agent is refused while the record is there.
    await expect(startLocalRuntime({ cwd, env: testEnv(), parts: fake.parts })).rejects.toThrow(/already running/);

    fake.agents[0]!.exit(3);
    await settle();
    expect(events.slice(2)).toEqual([`agent ${FIRST_PID + 1} started (append)`]);
    expect(runtime.agentPid).toBe(FIRST_PID + 1);
    expect(fake.gateway().agent.upstream).toBeTypeOf("function");
    expect((fake.gateway().agent.upstream as () => string)()).toBe("http://127.0.0.1:8080");
    expect(output.warnings).toContainEqual(expect.stringMatching(/^The agent exited \(code 3\); restarting it\. Log: .*my_agent\.log$/));
    expect(output.lines).toContain("The agent is healthy again.");
    expect(fake.records.get("my_agent")?.agentPid).toBe(FIRST_PID + 1);

    await runtime.stop();
    await runtime.stop();
    expect(events.slice(3)).toEqual(["record removed", "gateway closed", `agent ${FIRST_PID + 1} stopped`]);
    expect(fake.records.size).toBe(0);
  });

  it("stops restarting a crash-looping agent, and stops what started when a later part fails", async () => {
    const events: string[] = [];
    const fake = fakeParts(events);
    const output = new MemoryOutput();
    const runtime = await startWithoutRecord(fake.parts, output);
    for (let i = 0; i < 4; i++) {
      fake.agents.at(-1)!.exit(1);
      await settle();
    }
    expect(fake.agents).toHaveLength(4);
    expect(output.warnings.at(-1)).toMatch(/^The agent exited \(code 1\) and is not restarted \(crash loop\); invocations get 424/);
    expect(fake.written).toEqual([]);
    await runtime.stop();

    const failing = fakeParts([]);
    const stopped: string[] = [];
    failing.parts.startGateway = async () => {
      throw Object.assign(new Error("listen EADDRINUSE"), { code: "EADDRINUSE" });
    };
    const inner = failing.parts.startAgent!;
    failing.parts.startAgent = async (spec, options) => {
      const agent = await inner(spec, options);
      return { ...agent, stop: async () => void stopped.push(`agent ${agent.pid}`) };
    };
    await expect(startLocalRuntime({ cwd: await writeAgentProject(), env: testEnv(), parts: failing.parts, port: 9001 })).rejects.toThrow(
      "Port 9001 on 127.0.0.1 is in use: the gateway cannot listen there.",
    );
    expect(stopped).toEqual([`agent ${FIRST_PID}`]);
  });

  it("holds requests while the agent restarts, and says 'could not be restarted' only for a restart that failed", async () => {
    const events: string[] = [];
    const fake = fakeParts(events);
    // The first agent is healthy at once; each restarted one when the test says so (or fails).
    let healthy = 0;
    const gates: Array<{ ok(): void; fail(e: Error): void }> = [];
    fake.parts.waitForHealthy = (_agent, _timeout, _progress, signal) =>
      healthy++ === 0
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            gates.push({ ok: resolve, fail: reject });
            signal?.addEventListener("abort", () => reject(new Error("Stopped before the agent answered GET /ping.")));
          });
    const output = new MemoryOutput();
    const runtime = await startWithoutRecord(fake.parts, output);
    const whenReady = fake.gateway().agent.whenReady!;
    expect(await whenReady()).toEqual({ ready: true });

    // A crash: requests wait until the new agent answers /ping, then go on.
    fake.agents[0]!.exit(3);
    await settle();
    let released: unknown;
    void whenReady().then((r) => (released = r));
    await settle();
    expect(released).toBeUndefined();
    gates.shift()!.ok();
    await settle();
    expect(released).toEqual({ ready: true });
    expect(output.lines).toContain("The agent is healthy again.");

    // A restart that really fails: the waiters are released with the reason, and it is said once.
    fake.agents.at(-1)!.exit(1);
    await settle();
    const failed = whenReady();
    gates.shift()!.fail(new Error("The agent did not answer GET /ping with Healthy within 60s"));
    expect(await failed).toEqual({ ready: false, reason: "The agent did not answer GET /ping with Healthy within 60s" });
    expect(output.warnings.filter((w) => w.startsWith("The agent could not be restarted"))).toHaveLength(1);

    // A restart on purpose (watch mode's reload) holds requests the same way; the old agent's exit is no crash.
    const warningsBefore = output.warnings.length;
    const reloaded = runtime.restart();
    await settle();
    expect(events.at(-1)).toMatch(/^agent \d+ started \(append\)$/);
    const held = whenReady();
    gates.shift()!.ok();
    expect(await held).toEqual({ ready: true });
    expect(await reloaded).toEqual({ ready: true });
    expect(runtime.agentPid).toBe(fake.agents.at(-1)!.pid);
    fake.agents.at(-2)!.exit(0); // the replaced agent exits: nothing restarts
    await settle();
    expect(output.warnings.slice(warningsBefore)).toEqual([]);

    // Stopped while a restart waits for /ping: no "could not be restarted".
    fake.agents.at(-1)!.exit(2);
    await settle();
    const pending = whenReady();
    await runtime.stop();
    expect(await pending).toEqual({ ready: false, reason: "the local runtime is stopping" });
    expect(output.warnings.slice(warningsBefore).some((w) => w.startsWith("The agent could not be restarted"))).toBe(false);
  });
});
