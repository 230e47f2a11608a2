/**
 * The local AgentCore Runtime: the agent on this machine (a container when a Docker-compatible engine
 * is reachable, else a plain process) behind the local gateway that enforces its inbound auth exactly
 * as AgentCore Runtime does. `startLocalRuntime` is what `launch --local`, the quickstart and tests use.
 *
 * It composes the parts in src/local/runtime/ (parts.ts lists them and their defaults): the embedded
 * Cognito, the supervised agent (agent.ts), the gateway and the runtime record (record.ts). This file
 * is the one place that starts them in order, says what their events mean (`dispatch`), and stops
 * them (in reverse order of start, whatever failed).
 */
import type { JwtAuthorizerOptions } from "../auth/authorizer.js";
import type { ServerProtocol } from "../config/protocols.js";
import { type LoadedConfig, requireConfig, selectAgent } from "../config/store.js";
import { type AgentcoreError, UsageError } from "../errors.js";
import type { Output } from "../ui/output.js";
import { AgentOutput } from "./agent-output.js";
import type { RunningAgent } from "./agent-runner.js";
import { type DependencyPolicy, ensureDependencies } from "./dependencies.js";
import { type Gateway, type GatewayLogEvent, type GatewayOptions, localRuntimeArn } from "./gateway.js";
import { JsonLinesFile, type RequestLogEvent } from "./log-files.js";
import { type AgentEvent, agentLogFiles, agentPortFor, agentSpec, chooseMode, SupervisedAgent } from "./runtime/agent.js";
import { DEFAULT_PARTS, type LocalRuntimeParts } from "./runtime/parts.js";
import { RuntimeRecord } from "./runtime/record.js";
import type { Readiness } from "./runtime/restart-hold.js";
import type { LocalRuntimeLogs, LocalRuntimeMode } from "./runtime-state.js";

export type { DependencyPolicy } from "./dependencies.js";
export { DEFAULT_AGENT_PORT } from "./runtime/agent.js";
export type { LocalRuntimeParts, RuntimeRecordStore, StartAgentOptions } from "./runtime/parts.js";
export type { Readiness } from "./runtime/restart-hold.js";

/** The gateway's preferred port: next to the container contract's 8080 without clashing with it. */
export const DEFAULT_GATEWAY_PORT = 8081;

export interface StartLocalRuntimeOptions {
  /** Where to look for .agentcore.json (default: process.cwd()). Ignored when `config` is given. */
  cwd?: string;
  /** An already-loaded config. */
  config?: LoadedConfig;
  /** Agent name (default: the config's default agent, or its only one). */
  agentName?: string;
  /** Gateway port on 127.0.0.1. Default: 8081 when free, else a free port. 0: any free port. */
  port?: number;
  /** Agent port on 127.0.0.1. Default: the protocol's port (8080; MCP 8000; A2A 9000) when free, else a free port. 0: any free port. */
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
  /**
   * A process-mode agent's dependencies (src/local/dependencies.ts): checked before anything starts, and
   * installed as the policy allows (default: never, a missing one is an error); false: not checked.
   */
  dependencies?: DependencyPolicy | false;
  /** Replaces some of the runtime's parts (default: DEFAULT_PARTS, the real ones). */
  parts?: Partial<LocalRuntimeParts>;
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
  protocol: ServerProtocol;
  mode: LocalRuntimeMode;
  logFile: string;
  /** The JSON-lines logs of the agent's output and of the gateway's requests (`logs --local` reads them). */
  logs: LocalRuntimeLogs;
  /** "jwt" when a customJWTAuthorizer is enforced. */
  auth: "jwt" | "iam";
  /** The agent's pid (the container client's in container mode). */
  agentPid: number;
  /** True when the embedded Cognito was started for this runtime. */
  startedEmbeddedCognito: boolean;
  /**
   * Replaces the agent with a fresh one on the same port (a reload), holding the gateway's requests until
   * it answers GET /ping; resolves with whether it did. With `dependencies` (a manifest or lockfile changed),
   * a process agent's dependencies are checked first and installed when the runtime's policy says `install`;
   * when they stay missing the running agent is kept (`kept`) and not restarted.
   */
  restart(options?: { dependencies?: boolean }): Promise<Readiness | { ready: false; reason: string; kept: true }>;
  /** Stops the gateway, the agent, the embedded Cognito if started here, and removes the record. Idempotent. */
  stop(): Promise<void>;
}

/** What the gateway reports: a request ended. */
type GatewayEvent = { type: "request"; event: GatewayLogEvent };

/** The stop of every part, in one place: cleanups run in reverse order of registration, each once. */
class Lifecycle {
  /** Set first on stop, so a restart in flight neither resurrects the agent nor rewrites the record. */
  stopping = false;
  private readonly cleanups: Array<() => Promise<void>> = [];
  private stopped: Promise<void> | undefined;

  onStop(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    })();
    return this.stopped;
  }
}

function withTask<T>(output: Output | undefined, label: string, run: (update: (text: string) => void) => Promise<T>): Promise<T> {
  return output ? output.task(label, run) : run(() => undefined);
}

/** The gateway on `port` (undefined: 8081 when free, else any); a port in use is a UsageError. */
async function startGatewayOn(parts: LocalRuntimeParts, port: number | undefined, options: Omit<GatewayOptions, "port">): Promise<Gateway> {
  const gatewayPort = port === undefined ? await parts.pickPort(DEFAULT_GATEWAY_PORT) : port;
  try {
    return await parts.startGateway({ ...options, port: gatewayPort });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new UsageError(`Port ${gatewayPort} on 127.0.0.1 is in use: the gateway cannot listen there.`, {
        hint: "Pass another --port (or stop what listens there).",
        code: "PortInUse",
      });
    }
    throw error;
  }
}

/** The event flow, in one place: what each part's events mean for the others and for the user. */
function eventFlow(
  output: Output | undefined,
  record: RuntimeRecord,
  onRequest: ((event: GatewayLogEvent) => void) | undefined,
  logFile: () => string,
  requestLog: () => JsonLinesFile<RequestLogEvent> | undefined,
): (event: AgentEvent | GatewayEvent) => void {
  return (event) => {
    switch (event.type) {
      case "agentExited":
        if (event.restart === "yes") output?.warn(`The agent exited (${event.how}); restarting it. Log: ${logFile()}`);
        else
          output?.warn(
            `The agent exited (${event.how}) and is not restarted${event.restart === "disabled" ? "" : " (crash loop)"}; invocations get 424 until you restart. Log: ${logFile()}`,
          );
        return;
      case "agentHealthyAgain":
        // A reload asked for (launch --local --watch) is reported by whoever asked, with its own line.
        if (!event.reload) output?.info("The agent is healthy again.");
        record.agentRestarted(event.agent.pid);
        return;
      case "agentRestartFailed":
        if (!event.reload) output?.warn(`The agent could not be restarted: ${event.error.message}`);
        return;
      case "request":
        if (event.event.problem) output?.warn(`${event.event.method} ${event.event.path}: ${event.event.problem}`);
        // Stamped when the request ended (when the line is written), so the file stays in time order.
        requestLog()?.append({ time: new Date().toISOString(), ...event.event });
        onRequest?.(event.event);
        return;
    }
  };
}

/**
 * Last resort when this process ends without stop() (a closed stdout pipe, process.exit elsewhere): the agent
 * runs in its own process group, so nothing else would stop it; a container's client forwards the signal.
 */
function stopAgentAtExit(life: Lifecycle, supervised: SupervisedAgent, record: RuntimeRecord): void {
  const onExit = () => {
    if (life.stopping) return;
    try {
      process.kill(-supervised.current.pid, "SIGTERM");
    } catch {
      // already gone
    }
    record.removeSync();
  };
  process.once("exit", onExit);
  life.onStop(async () => {
    process.off("exit", onExit);
  });
}

/**
 * Starts the agent and the gateway in front of it, waits until the agent answers GET /ping, and
 * records where they listen. Throws (after cleaning up) when anything fails to start.
 */
export async function startLocalRuntime(options: StartLocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const parts: LocalRuntimeParts = { ...DEFAULT_PARTS, ...options.parts };
  const env = options.env ?? process.env;
  const output = options.output;
  const loaded = options.config ?? (await requireConfig(options.cwd ?? process.cwd()));
  const agent = selectAgent(loaded, options.agentName);
  const life = new Lifecycle();
  const record = new RuntimeRecord(parts.records, env, agent.name, options.writeRecord !== false, () => life.stopping);
  await record.refuseSecondRuntime();
  const region = agent.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  const jwt = agent.authorizerConfiguration?.customJWTAuthorizer ?? null;
  let logFile = "";
  let requestLog: JsonLinesFile<RequestLogEvent> | undefined;
  const dispatch = eventFlow(
    output,
    record,
    options.onRequest,
    () => logFile,
    () => requestLog,
  );

  try {
    // 1. How the agent runs and, for a process, its dependencies: checked (and installed) before anything starts.
    const { mode, engineBinary } = await chooseMode(options.mode, env, parts.detectEngine, output);
    const files = await agentLogFiles(env, agent.name);
    logFile = files.logFile;
    const spec = agentSpec(loaded, agent, region);
    const dependencyRun = {
      env: { ...env, ...spec.environmentVariables },
      output,
      logFile: logFile.replace(/\.log$/, ".install.log"),
      signal: options.signal,
    };
    if (mode === "process" && options.dependencies !== false) await ensureDependencies(spec, options.dependencies ?? {}, dependencyRun);
    else if (mode === "container" && options.dependencies && options.dependencies.install) {
      output?.warn(
        "--install has no effect on a container: its image build installs the dependencies (pass --process to run it as a process).",
      );
    }

    // 2. The embedded Cognito, when the authorizer points at it.
    const cognito = await parts.embeddedCognito(jwt, env);
    if (cognito) {
      life.onStop(() => cognito.stop());
      if (cognito.startedHere) output?.success(`Embedded Cognito started on ${cognito.endpoint}`);
    }

    // 3. The agent, supervised.
    const port = await agentPortFor(options.agentPort, parts.pickPort, agent.protocol);
    const logs: LocalRuntimeLogs = { agent: files.agentEvents, requests: files.requests };
    // Closed last (registered before the agent's stop): the agent's last lines and the last requests are written.
    const agentOutput = new AgentOutput(logFile, logs.agent, { fresh: true });
    requestLog = new JsonLinesFile(logs.requests, { fresh: true });
    life.onStop(async () => {
      agentOutput.close();
      requestLog?.close();
    });
    const agentRuntimeArn = localRuntimeArn(agent.name, region);
    // An A2A agent's card names the URL clients post to; as AWS's A2A tutorial has the deployer set
    // AGENTCORE_RUNTIME_URL to the invoke URL (runtime-a2a), the local one is the gateway's, so clients that
    // follow the card stay behind the inbound auth. Its port is therefore fixed before the agent starts.
    let gatewayPort = options.port;
    if (agent.protocol === "A2A") {
      gatewayPort =
        gatewayPort === undefined ? await parts.pickPort(DEFAULT_GATEWAY_PORT) : gatewayPort === 0 ? await parts.pickPort(0) : gatewayPort;
      spec.environmentVariables = {
        AGENTCORE_RUNTIME_URL: `http://127.0.0.1:${gatewayPort}/runtimes/${encodeURIComponent(agentRuntimeArn)}/invocations/`,
        ...spec.environmentVariables,
      };
    }
    const supervised = new SupervisedAgent({
      spec,
      mode,
      engineBinary,
      port,
      env,
      logFile,
      output: agentOutput,
      healthTimeoutMs: options.healthTimeoutMs,
      restartOnExit: options.restartOnExit,
      parts,
      dispatch,
      stopping: () => life.stopping,
    });
    life.onStop(() => supervised.stop());
    const running: RunningAgent = await withTask(output, supervised.label, (update) => supervised.start(update, options.signal));

    stopAgentAtExit(life, supervised, record);

    // 4. The gateway.
    const aliases = [agentRuntimeArn, agent.deployment?.runtimeArn, agent.deployment?.runtimeId].filter(
      (a): a is string => typeof a === "string",
    );
    const gateway = await startGatewayOn(parts, gatewayPort, {
      agent: {
        name: agent.name,
        upstream: () => supervised.current.url,
        whenReady: () => supervised.whenReady(),
        connectionLost: () => supervised.suspect(),
        authorizer: jwt,
        protocol: agent.protocol,
        requestHeaderAllowlist: agent.requestHeaderAllowlist,
        aliases,
        region,
      },
      maxResponseBytes: options.maxResponseBytes,
      authorizerOptions: options.authorizerOptions,
      agentLogHint: `the agent log: ${logFile}`,
      log: (event) => dispatch({ type: "request", event }),
    });
    life.onStop(() => gateway.close());
    if (gateway.authorizer) {
      try {
        await gateway.authorizer.warmUp();
      } catch (error) {
        output?.warn(`The issuer is not reachable yet (${(error as Error).message}); requests get 503 until it is.`);
      }
    }

    // 5. The record that `invoke --local` and `status --local` read.
    const written = await record.write({
      agentName: agent.name,
      gatewayUrl: gateway.url,
      agentUrl: running.url,
      pid: process.pid,
      agentPid: running.pid,
      mode,
      logFile,
      logs,
      startedAt: new Date().toISOString(),
      configFile: loaded.file,
      auth: jwt ? "jwt" : "iam",
      agentRuntimeArn,
      region,
      protocol: agent.protocol,
    });
    if (written) life.onStop(() => record.remove());

    return {
      agentName: agent.name,
      gatewayUrl: gateway.url,
      agentUrl: running.url,
      agentRuntimeArn,
      region,
      protocol: agent.protocol,
      mode,
      logFile,
      logs,
      auth: jwt ? "jwt" : "iam",
      get agentPid() {
        return supervised.current.pid;
      },
      startedEmbeddedCognito: cognito?.startedHere ?? false,
      async restart(restartOptions) {
        if (restartOptions?.dependencies && mode === "process" && options.dependencies !== false) {
          try {
            // No question in the middle of a watch: only `install` installs.
            await ensureDependencies(spec, { install: options.dependencies?.install }, dependencyRun);
          } catch (error) {
            const failure = error as AgentcoreError;
            return { ready: false, reason: `${failure.message}${failure.hint ? ` ${failure.hint}` : ""}`, kept: true };
          }
        }
        return supervised.restart();
      },
      stop: () => life.stop(),
    };
  } catch (error) {
    await life.stop();
    throw error;
  }
}
