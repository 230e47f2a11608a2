/**
 * The runtime's agent part: how the agent runs (container or process), on which port, and its
 * supervision: an agent that exits on its own is restarted (like a fresh microVM for the next
 * session) until it crash-loops. What happens then is reported as events to the runtime, which
 * decides what they mean (src/local/runtime.ts).
 */

import path from "node:path";
import { ensureHomeDir } from "../../config/home.js";
import { protocolContract, type ServerProtocol } from "../../config/protocols.js";
import type { AgentConfig } from "../../config/schema.js";
import type { LoadedConfig } from "../../config/store.js";
import { AgentcoreError, UsageError } from "../../errors.js";
import type { Output } from "../../ui/output.js";
import type { AgentOutput } from "../agent-output.js";
import type { AgentSpec, RunningAgent } from "../agent-runner.js";
import { describeProbes, engineHint } from "../engine.js";
import { probeDescription } from "../health.js";
import type { LocalRuntimeMode } from "../runtime-state.js";
import type { LocalRuntimeParts } from "./parts.js";
import { type Readiness, type RestartHandle, RestartHold } from "./restart-hold.js";

/** The container contract's port, preferred for the agent when free. */
export const DEFAULT_AGENT_PORT = 8080;
const PROCESS_HEALTH_TIMEOUT_MS = 60_000;
const CONTAINER_HEALTH_TIMEOUT_MS = 180_000;
/** Restarts within this window after a (re)start count as a crash loop. */
const CRASH_LOOP_WINDOW_MS = 10_000;
const MAX_QUICK_RESTARTS = 3;
const STOPPING = "the local runtime is stopping";

export function agentSpec(loaded: LoadedConfig, agent: AgentConfig, region: string): AgentSpec {
  return {
    name: agent.name,
    projectDir: loaded.dir,
    entrypoint: agent.entrypoint,
    language: agent.language,
    environmentVariables: agent.environmentVariables,
    dockerfile: (agent as { dockerfile?: string }).dockerfile,
    region,
    protocol: agent.protocol,
    requirementsFile: agent.requirementsFile,
  };
}

/** "auto": a container when an engine is reachable, else a process (said on `output`). */
export async function chooseMode(
  requested: "auto" | "process" | "container" | undefined,
  env: NodeJS.ProcessEnv,
  detectEngine: LocalRuntimeParts["detectEngine"],
  output?: Output,
): Promise<{ mode: LocalRuntimeMode; engineBinary?: string }> {
  if (requested === "process") return { mode: "process" };
  const detection = await detectEngine(env);
  if (detection.available) return { mode: "container", engineBinary: detection.binary };
  if (requested === "container") {
    throw new AgentcoreError(`No container engine is reachable: ${describeProbes(detection.probes)}.`, {
      code: "NoContainerEngine",
      hint: engineHint(detection.probes) ?? "Install docker, finch or podman, or run the agent as a process (--process).",
      details: { probes: detection.probes },
    });
  }
  output?.info(`No container engine reachable (${describeProbes(detection.probes)}): running the agent as a local process.`);
  const hint = engineHint(detection.probes);
  if (hint) output?.debug(hint);
  return { mode: "process" };
}

/**
 * The agent's port: `requested` (undefined: the protocol's port (8080, MCP 8000, A2A 9000) when free, else
 * any; 0: any); a requested port in use is an error.
 */
export async function agentPortFor(
  requested: number | undefined,
  pickPort: LocalRuntimeParts["pickPort"],
  protocol?: ServerProtocol,
): Promise<number> {
  const port = await pickPort(requested ?? protocolContract(protocol).port);
  if (requested && port !== requested) {
    throw new UsageError(`--agent-port ${requested} is in use.`, {
      hint: "Pick another port, or leave --agent-port out to use a free one.",
      code: "PortInUse",
    });
  }
  return port;
}

/**
 * The runtime's logs (src/local/log-files.ts): the agent's stdout/stderr as text (AGENTCORE_TS_HOME/local/<name>.log)
 * and as JSON lines (<name>.agent.jsonl), and the gateway's request log (<name>.requests.jsonl).
 */
export async function agentLogFiles(
  env: NodeJS.ProcessEnv,
  agentName: string,
): Promise<{ logFile: string; agentEvents: string; requests: string }> {
  const dir = await ensureHomeDir(env, "local");
  return {
    logFile: path.join(dir, `${agentName}.log`),
    agentEvents: path.join(dir, `${agentName}.agent.jsonl`),
    requests: path.join(dir, `${agentName}.requests.jsonl`),
  };
}

export type AgentEvent =
  /** It exited on its own; `restart` says whether it is restarted, or why not. */
  | { type: "agentExited"; how: string; restart: "yes" | "disabled" | "crash loop" }
  /** `reload`: the restart was asked for (restart(), e.g. a watch-mode reload), not a crash's. */
  | { type: "agentHealthyAgain"; agent: RunningAgent; reload: boolean }
  | { type: "agentRestartFailed"; error: Error; reload: boolean };

export interface SupervisedAgentOptions {
  spec: AgentSpec;
  mode: LocalRuntimeMode;
  engineBinary?: string;
  port: number;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Where every agent's output goes (the same across restarts). */
  output?: AgentOutput;
  /** Default: 180 s for a container (it is built first), 60 s for a process. */
  healthTimeoutMs?: number;
  /** Default true. */
  restartOnExit?: boolean;
  parts: Pick<LocalRuntimeParts, "startAgent" | "waitForHealthy">;
  /** Where the agent's events go. */
  dispatch(event: AgentEvent): void;
  /** True once the runtime stops: a restart in flight must then neither resurrect the agent nor report. */
  stopping(): boolean;
}

/**
 * The agent, started, watched and restarted; `current` is the one running now. While a restart is under
 * way (after a crash, or `restart()` on purpose), `whenReady()` holds requests until the new agent
 * answers GET /ping (restart-hold.ts).
 */
/**
 * How long a refused request waits to learn whether the agent died. Its exit is noticed within milliseconds
 * normally, but on a loaded machine (a CI run of the suite) well after the port closed; the wait only runs
 * its full length for an agent that is alive and refuses connections, which then gets its 424 late.
 */
const REFUSED_EXIT_GRACE_MS = 10_000;

export class SupervisedAgent {
  private running: RunningAgent | undefined;
  private readonly restarts: number[] = [];
  private readonly healthTimeoutMs: number;
  private readonly hold = new RestartHold();
  /** Agents stopped on purpose (restart()): their exit is no crash. */
  private readonly retired = new WeakSet<RunningAgent>();
  /** Aborted by stop(): a restart waiting for /ping gives up at once. */
  private readonly stopped = new AbortController();
  /** While the agent is suspected of having died: settles once its exit is seen, or after the grace. */
  private suspicion: Promise<void> | undefined;

  constructor(private readonly options: SupervisedAgentOptions) {
    this.healthTimeoutMs =
      options.healthTimeoutMs ?? (options.mode === "container" ? CONTAINER_HEALTH_TIMEOUT_MS : PROCESS_HEALTH_TIMEOUT_MS);
  }

  /** The agent running now (after start()). */
  get current(): RunningAgent {
    return this.running!;
  }

  /** What the start-up spinner says. */
  get label(): string {
    return this.options.mode === "container" ? "Building and starting the agent container" : "Starting the agent";
  }

  /** Starts the agent and waits until it is healthy (GET /ping, or its protocol's probe); a failure leaves it for stop(). */
  async start(update: (text: string) => void, signal?: AbortSignal): Promise<RunningAgent> {
    const running = await this.launch(false);
    this.running = running;
    update(`waiting for ${probeDescription(this.options.spec.protocol)} (log: ${this.options.logFile})`);
    await this.options.parts.waitForHealthy(running, this.healthTimeoutMs, update, signal);
    this.supervise(running);
    return running;
  }

  /**
   * Resolves at once when the agent is up, else when the restart under way ends (bounded by its ping timeout),
   * or, while the agent is suspected of having died (suspect()), once that is known.
   */
  whenReady(): Promise<Readiness> {
    return this.suspicion ? this.suspicion.then(() => this.hold.whenReady()) : this.hold.whenReady();
  }

  /**
   * The agent refused or dropped a connection: its exit may not have been noticed yet (on a loaded machine it
   * comes well after its sockets close, and a connection made meanwhile can be accepted and then reset).
   * Until the exit is seen (its handler begins the restart hold first) or the agent answers its health probe,
   * for at most REFUSED_EXIT_GRACE_MS, whenReady() waits.
   */
  suspect(): void {
    const current = this.running;
    if (!current || this.hold.restarting || this.suspicion) return;
    const settled = new AbortController();
    // An agent that answers its health probe is alive (it only dropped one connection): no need to wait longer.
    const alive = this.options.parts.waitForHealthy(current, REFUSED_EXIT_GRACE_MS, undefined, settled.signal).catch(() => undefined);
    this.suspicion = Promise.race([current.exited, alive]).then(() => {
      settled.abort();
      this.suspicion = undefined;
    });
  }

  /**
   * Replaces the running agent with a fresh one on the same port (a reload), holding requests meanwhile.
   * Reports like a crash restart (agentHealthyAgain / agentRestartFailed, marked `reload`), but its exit is no crash.
   */
  async restart(): Promise<Readiness> {
    const done = this.hold.begin(this.healthTimeoutMs);
    const old = this.running;
    if (old) {
      this.retired.add(old);
      await old.stop();
    }
    return this.replace(done, true);
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await this.running?.stop();
  }

  private launch(append: boolean): Promise<RunningAgent> {
    const { spec, mode, engineBinary, port, env, logFile, output } = this.options;
    return this.options.parts.startAgent(spec, { mode, engineBinary, port, env, logFile, append, output });
  }

  private supervise(current: RunningAgent): void {
    const { dispatch, stopping } = this.options;
    void current.exited.then(async (exit) => {
      if (stopping() || this.running !== current || this.retired.has(current)) return;
      const now = Date.now();
      this.restarts.push(now);
      while (this.restarts.length && now - this.restarts[0]! > CRASH_LOOP_WINDOW_MS) this.restarts.shift();
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      if (this.options.restartOnExit === false || this.restarts.length > MAX_QUICK_RESTARTS) {
        dispatch({ type: "agentExited", how, restart: this.options.restartOnExit === false ? "disabled" : "crash loop" });
        return;
      }
      // Requests arriving from now on wait for the new agent instead of meeting a closed port.
      const done = this.hold.begin(this.healthTimeoutMs);
      dispatch({ type: "agentExited", how, restart: "yes" });
      await this.replace(done, false);
    });
  }

  /**
   * Starts the agent that replaces the current one and waits for its /ping; ends the hold either way.
   * "Could not be restarted" is reported only for a restart that failed, never for one the stop cut short.
   */
  private async replace(done: RestartHandle, reload: boolean): Promise<Readiness> {
    const { dispatch, stopping } = this.options;
    const fail = (reason: string): Readiness => {
      done.failed(reason);
      return { ready: false, reason };
    };
    let next: RunningAgent | undefined;
    try {
      next = await this.launch(true);
      if (stopping()) {
        await next.stop();
        return fail(STOPPING);
      }
      this.running = next;
      await this.options.parts.waitForHealthy(next, this.healthTimeoutMs, undefined, this.stopped.signal);
      if (stopping()) return fail(STOPPING);
      this.supervise(next);
      done.ready();
      dispatch({ type: "agentHealthyAgain", agent: next, reload });
      return { ready: true };
    } catch (error) {
      if (stopping()) return fail(STOPPING);
      dispatch({ type: "agentRestartFailed", error: error as Error, reload });
      // Still running but not healthy (a ping timeout): its exit is still watched.
      if (next && (error as AgentcoreError).code !== "AgentExited") this.supervise(next);
      return fail((error as Error).message);
    }
  }
}
