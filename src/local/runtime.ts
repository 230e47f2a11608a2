/**
 * The local AgentCore Runtime: the agent on this machine (a container when a Docker-compatible engine
 * is reachable, else a plain process) behind the local gateway that enforces its inbound auth exactly
 * as AgentCore Runtime does. `startLocalRuntime` is what `launch --local`, the quickstart and tests use.
 */
import path from "node:path";
import type { JwtAuthorizerOptions } from "../auth/authorizer.js";
import { ensureHomeDir } from "../config/home.js";
import type { AgentConfig } from "../config/schema.js";
import { type LoadedConfig, requireConfig, selectAgent } from "../config/store.js";
import { AgentcoreError, UsageError } from "../errors.js";
import type { Output } from "../ui/output.js";
import { type AgentSpec, type RunningAgent, startAgentContainer, startAgentProcess, waitForHealthy } from "./agent-runner.js";
import { describeProbes, detectEngine, type EngineDetection, engineHint } from "./engine.js";
import { type Gateway, type GatewayLogEvent, localRuntimeArn, startGateway } from "./gateway.js";
import { pickPort } from "./ports.js";
import {
  type LocalRuntimeMode,
  type LocalRuntimeRecord,
  readLocalRuntime,
  removeLocalRuntime,
  removeLocalRuntimeSync,
  writeLocalRuntime,
} from "./runtime-state.js";

/** The gateway's preferred port: next to the container contract's 8080 without clashing with it. */
export const DEFAULT_GATEWAY_PORT = 8081;
/** The container contract's port, preferred for the agent when free. */
export const DEFAULT_AGENT_PORT = 8080;
const PROCESS_HEALTH_TIMEOUT_MS = 60_000;
const CONTAINER_HEALTH_TIMEOUT_MS = 180_000;
/** Restarts within this window after a (re)start count as a crash loop. */
const CRASH_LOOP_WINDOW_MS = 10_000;
const MAX_QUICK_RESTARTS = 3;

export interface StartLocalRuntimeOptions {
  /** Where to look for .agentcore.json (default: process.cwd()). Ignored when `config` is given. */
  cwd?: string;
  /** An already-loaded config. */
  config?: LoadedConfig;
  /** Agent name (default: the config's default agent, or its only one). */
  agentName?: string;
  /** Gateway port on 127.0.0.1. Default: 8081 when free, else a free port. 0: any free port. */
  port?: number;
  /** Agent port on 127.0.0.1. Default: 8080 when free, else a free port. 0: any free port. */
  agentPort?: number;
  /** Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Progress and warnings (default: none). */
  output?: Output;
  /** "auto" (default): a container when an engine is reachable, else a process. */
  mode?: "auto" | "process" | "container";
  healthTimeoutMs?: number;
  maxResponseBytes?: number;
  authorizerOptions?: JwtAuthorizerOptions;
  /** Write the runtime record for `invoke --local` / `status --local` (default true). */
  writeRecord?: boolean;
  /** Restart the agent when it exits unexpectedly (default true); a crash loop stops the restarts. */
  restartOnExit?: boolean;
  /** Called once per gateway request (access log). */
  onRequest?: (event: GatewayLogEvent) => void;
  /** Aborts the start-up (Ctrl-C while waiting for the agent): what was started is stopped, and it throws. */
  signal?: AbortSignal;
}

export interface LocalRuntime {
  agentName: string;
  /** e.g. http://127.0.0.1:8081 */
  gatewayUrl: string;
  /** The agent itself, without auth. */
  agentUrl: string;
  /** The ARN the gateway accepts in /runtimes/{arn}/invocations (the agent name works too). */
  agentRuntimeArn: string;
  region: string;
  mode: LocalRuntimeMode;
  logFile: string;
  /** "jwt" when a customJWTAuthorizer is enforced. */
  auth: "jwt" | "iam";
  /** The agent's pid (the container client's in container mode). */
  agentPid: number;
  /** True when the embedded Cognito was started for this runtime. */
  startedEmbeddedCognito: boolean;
  /** Stops the gateway, the agent, the embedded Cognito if started here, and removes the record. Idempotent. */
  stop(): Promise<void>;
}

function withTask<T>(output: Output | undefined, label: string, run: (update: (text: string) => void) => Promise<T>): Promise<T> {
  return output ? output.task(label, run) : run(() => undefined);
}

function agentSpec(loaded: LoadedConfig, agent: AgentConfig, region: string): AgentSpec {
  return {
    name: agent.name,
    projectDir: loaded.dir,
    entrypoint: agent.entrypoint,
    language: agent.language,
    environmentVariables: agent.environmentVariables,
    dockerfile: (agent as { dockerfile?: string }).dockerfile,
    region,
  };
}

async function chooseMode(
  options: StartLocalRuntimeOptions,
  env: NodeJS.ProcessEnv,
  output?: Output,
): Promise<{ mode: LocalRuntimeMode; engineBinary?: string }> {
  if (options.mode === "process") return { mode: "process" };
  const detection: EngineDetection = await detectEngine(env);
  if (detection.available) return { mode: "container", engineBinary: detection.binary };
  if (options.mode === "container") {
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
 * Starts the agent and the gateway in front of it, waits until the agent answers GET /ping, and
 * records where they listen. Throws (after cleaning up) when anything fails to start.
 */
export async function startLocalRuntime(options: StartLocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const env = options.env ?? process.env;
  const output = options.output;
  const loaded = options.config ?? (await requireConfig(options.cwd ?? process.cwd()));
  const agent = selectAgent(loaded, options.agentName);
  if (options.writeRecord !== false) {
    // One local runtime per agent name: a second one would take over the first one's record and log.
    const running = await readLocalRuntime(env, agent.name);
    if (running) {
      throw new AgentcoreError(
        `A local runtime for "${agent.name}" is already running (process ${running.pid}, gateway ${running.gatewayUrl}).`,
        {
          code: "LocalRuntimeRunning",
          hint: `Use it (\`agentcore-ts invoke --local\`), or stop it first: Ctrl-C in its terminal, or \`kill ${running.pid}\`.`,
        },
      );
    }
  }
  const region = agent.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  const jwt = agent.authorizerConfiguration?.customJWTAuthorizer ?? null;
  const spec = agentSpec(loaded, agent, region);
  const cleanups: Array<() => Promise<void>> = [];
  // Set first on stop, so a restart in flight neither resurrects the agent nor rewrites the record.
  let stopping = false;
  let recordWrites: Promise<unknown> = Promise.resolve();
  const runCleanups = async () => {
    stopping = true;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };

  try {
    // 1. The embedded Cognito, when the authorizer points at it.
    let startedEmbeddedCognito = false;
    if (jwt) {
      const { isEmbeddedCognitoUrl, ensureEmbeddedCognito } = await import("../embedded-cognito/control.js");
      if (isEmbeddedCognitoUrl(jwt.discoveryUrl, env)) {
        const cognito = await ensureEmbeddedCognito(env);
        startedEmbeddedCognito = cognito.startedHere;
        cleanups.push(() => cognito.stop());
        if (cognito.startedHere) output?.success(`Embedded Cognito started on ${cognito.endpoint}`);
      }
    }

    // 2. The agent.
    const { mode, engineBinary } = await chooseMode(options, env, output);
    const agentPort = options.agentPort === undefined ? await pickPort(DEFAULT_AGENT_PORT) : await pickPort(options.agentPort);
    if (options.agentPort && agentPort !== options.agentPort) {
      throw new UsageError(`--agent-port ${options.agentPort} is in use.`, {
        hint: "Pick another port, or leave --agent-port out to use a free one.",
        code: "PortInUse",
      });
    }
    const logDir = await ensureHomeDir(env, "local");
    const logFile = path.join(logDir, `${agent.name}.log`);
    const start = async (append: boolean): Promise<RunningAgent> =>
      mode === "container"
        ? startAgentContainer(spec, { port: agentPort, env, logFile, engineBinary: engineBinary!, append })
        : startAgentProcess(spec, { port: agentPort, env, logFile, append });
    const healthTimeout = options.healthTimeoutMs ?? (mode === "container" ? CONTAINER_HEALTH_TIMEOUT_MS : PROCESS_HEALTH_TIMEOUT_MS);

    let running: RunningAgent | undefined;
    cleanups.push(async () => {
      await running?.stop();
    });
    const label = mode === "container" ? "Building and starting the agent container" : "Starting the agent";
    running = await withTask(output, label, async (update) => {
      running = await start(false);
      update(`waiting for GET /ping (log: ${logFile})`);
      await waitForHealthy(running, healthTimeout, update, options.signal);
      return running;
    });

    let record: LocalRuntimeRecord | undefined;
    // Last resort when this process ends without stop() (a closed stdout pipe, process.exit elsewhere): the agent
    // runs in its own process group, so nothing else would stop it; a container's client forwards the signal.
    const onExit = () => {
      if (stopping) return;
      try {
        process.kill(-running!.pid, "SIGTERM");
      } catch {
        // already gone
      }
      if (record && options.writeRecord !== false) removeLocalRuntimeSync(env, agent.name);
    };
    process.once("exit", onExit);
    cleanups.push(async () => {
      process.off("exit", onExit);
    });
    // Restart an agent that exits on its own (a crash): like a fresh microVM for the next session.
    const restarts: number[] = [];
    const supervise = (current: RunningAgent) => {
      void current.exited.then(async (exit) => {
        if (stopping || running !== current) return;
        const now = Date.now();
        restarts.push(now);
        while (restarts.length && now - restarts[0]! > CRASH_LOOP_WINDOW_MS) restarts.shift();
        const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
        if (options.restartOnExit === false || restarts.length > MAX_QUICK_RESTARTS) {
          output?.warn(
            `The agent exited (${how}) and is not restarted${options.restartOnExit === false ? "" : " (crash loop)"}; invocations get 424 until you restart. Log: ${logFile}`,
          );
          return;
        }
        output?.warn(`The agent exited (${how}); restarting it. Log: ${logFile}`);
        try {
          const next = await start(true);
          if (stopping) {
            await next.stop();
            return;
          }
          running = next;
          supervise(next);
          await waitForHealthy(next, healthTimeout);
          if (stopping) return;
          output?.info("The agent is healthy again.");
          if (record && options.writeRecord !== false) {
            const updated = { ...record, agentPid: next.pid };
            recordWrites = recordWrites.then(() => (stopping ? undefined : writeLocalRuntime(env, updated))).catch(() => undefined);
          }
        } catch (error) {
          output?.warn(`The agent could not be restarted: ${(error as Error).message}`);
        }
      });
    };
    supervise(running);

    // 3. The gateway.
    const agentRuntimeArn = localRuntimeArn(agent.name, region);
    const aliases = [agentRuntimeArn, agent.deployment?.runtimeArn, agent.deployment?.runtimeId].filter(
      (a): a is string => typeof a === "string",
    );
    const gatewayPort = options.port === undefined ? await pickPort(DEFAULT_GATEWAY_PORT) : options.port;
    let gateway: Gateway;
    try {
      gateway = await startGateway({
        agent: {
          name: agent.name,
          upstream: () => running!.url,
          authorizer: jwt,
          requestHeaderAllowlist: agent.requestHeaderAllowlist,
          aliases,
          region,
        },
        port: gatewayPort,
        maxResponseBytes: options.maxResponseBytes,
        authorizerOptions: options.authorizerOptions,
        agentLogHint: `the agent log: ${logFile}`,
        log: (event) => {
          if (event.problem) output?.warn(`${event.method} ${event.path}: ${event.problem}`);
          options.onRequest?.(event);
        },
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
        throw new UsageError(`Port ${gatewayPort} on 127.0.0.1 is in use: the gateway cannot listen there.`, {
          hint: "Pass another --port (or stop what listens there).",
          code: "PortInUse",
        });
      }
      throw error;
    }
    cleanups.push(() => gateway.close());
    if (gateway.authorizer) {
      try {
        await gateway.authorizer.warmUp();
      } catch (error) {
        output?.warn(`The issuer is not reachable yet (${(error as Error).message}); requests get 503 until it is.`);
      }
    }

    // 4. The record that `invoke --local` and `status --local` read.
    record = {
      agentName: agent.name,
      gatewayUrl: gateway.url,
      agentUrl: running.url,
      pid: process.pid,
      agentPid: running.pid,
      mode,
      logFile,
      startedAt: new Date().toISOString(),
      configFile: loaded.file,
      auth: jwt ? "jwt" : "iam",
      agentRuntimeArn,
      region,
    };
    if (options.writeRecord !== false) {
      await writeLocalRuntime(env, record);
      cleanups.push(async () => {
        await recordWrites;
        await removeLocalRuntime(env, agent.name);
      });
    }

    let stopped: Promise<void> | undefined;
    return {
      agentName: agent.name,
      gatewayUrl: gateway.url,
      agentUrl: running.url,
      agentRuntimeArn,
      region,
      mode,
      logFile,
      auth: jwt ? "jwt" : "iam",
      get agentPid() {
        return running!.pid;
      },
      startedEmbeddedCognito,
      stop() {
        stopped ??= runCleanups();
        return stopped;
      },
    };
  } catch (error) {
    await runCleanups();
    throw error;
  }
}
