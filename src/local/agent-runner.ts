/**
 * Runs the agent locally, as a container (docker/finch/podman, linux/arm64 like the service) or as a
 * plain process from its entrypoint, with its stdout/stderr piped into its logs (agent-output.ts), and
 * waits for the runtime contract's GET /ping to answer Healthy.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { protocolContract, type ServerProtocol } from "../config/protocols.js";
import { AgentcoreError } from "../errors.js";
import { exists } from "../util/fs.js";
import { AgentOutput, exitedAndLogged } from "./agent-output.js";
import { pythonInterpreter } from "./dependencies/python.js";
import { probeAgent, probeDescription } from "./health.js";
import { logHint } from "./log-hints.js";
import type { LocalRuntimeMode } from "./runtime-state.js";

/** The HTTP container contract's port (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-service-contract.html); other protocols have their own (src/config/protocols.ts). */
export const CONTAINER_PORT = 8080;

/** Credentials and region passed into the agent when present. Secrets go to `docker run` by name only (`-e NAME`), never on its command line. */
const AWS_PASSTHROUGH = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"] as const;

export interface AgentSpec {
  name: string;
  /** The directory holding .agentcore.json: the build context and the process's cwd. */
  projectDir: string;
  /** Relative to projectDir. */
  entrypoint: string;
  language: "python" | "node";
  environmentVariables?: Record<string, string>;
  /** Relative to projectDir (default "Dockerfile"). */
  dockerfile?: string;
  region?: string;
  /** The server protocol (default HTTP): the container's port and how health is probed. */
  protocol?: ServerProtocol;
  /** requirements.txt / pyproject.toml / package.json, relative to projectDir: named in a missing-dependency hint. */
  requirementsFile?: string | null;
}

export interface RunningAgent {
  mode: LocalRuntimeMode;
  /** The server protocol it serves (default HTTP). */
  protocol?: ServerProtocol;
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  pid: number;
  logFile: string;
  /** The command that runs the agent (for messages; no secrets in it). */
  command: string;
  /** What a hint from its log needs to know (src/local/log-hints.ts). */
  language?: AgentSpec["language"];
  requirementsFile?: string | null;
  /** Resolves when the agent process (or the container's client) exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops the agent (SIGTERM to its process group / `<engine> stop`), then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

export interface RunOptions {
  port: number;
  /** The environment the CLI runs in (PATH, AWS credentials...). */
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Append to the log instead of starting it afresh (restarts). Ignored when `output` is given. */
  append?: boolean;
  /** Where the agent's output goes (the runtime's, kept across restarts); default: a text log at `logFile`, closed when the agent exits. */
  output?: AgentOutput;
}

const STOP_GRACE_MS = 5_000;

/** Without the runtime's output: a text log of the agent's own at `logFile`, closed once it has exited. */
function ownOutput(options: RunOptions): AgentOutput {
  return new AgentOutput(options.logFile, undefined, { fresh: !options.append });
}

function environmentFor(spec: AgentSpec, env: NodeJS.ProcessEnv, port: number): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...env, ...(spec.environmentVariables ?? {}), PORT: String(port) };
  if (spec.region && !merged.AWS_REGION) merged.AWS_REGION = spec.region;
  if (spec.region && !merged.AWS_DEFAULT_REGION) merged.AWS_DEFAULT_REGION = spec.region;
  return merged;
}

/** How a process-mode agent is started: node (with tsx's loader for TypeScript) or the project's Python. */
export async function processCommand(spec: AgentSpec): Promise<{ file: string; args: string[] }> {
  const entry = path.resolve(spec.projectDir, spec.entrypoint);
  if (!(await exists(entry))) {
    throw new AgentcoreError(`The agent's entrypoint ${entry} does not exist.`, {
      code: "EntrypointNotFound",
      hint: "Fix `entrypoint` in .agentcore.json (relative to its directory) or re-run `agentcore-ts configure`.",
    });
  }
  const ext = path.extname(entry).toLowerCase();
  if ([".ts", ".mts", ".cts", ".tsx"].includes(ext)) {
    // tsx from agentcore-ts's own node_modules: the user's project needs no tsx install.
    return { file: process.execPath, args: ["--import", import.meta.resolve("tsx"), entry] };
  }
  if ([".js", ".mjs", ".cjs"].includes(ext)) return { file: process.execPath, args: [entry] };
  if (ext === ".py" || spec.language === "python") {
    return { file: (await pythonInterpreter(spec.projectDir)).file, args: [entry] };
  }
  throw new AgentcoreError(`Cannot run ${entry} as a local process: unknown file type "${ext}".`, {
    code: "EntrypointUnsupported",
    hint: "Entrypoints are .py (Python) or .ts/.js (Node).",
  });
}

async function waitOrTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = await Promise.race([promise.then(() => true as const), timeout]);
  clearTimeout(timer);
  return done;
}

/** Resolves once the child has spawned; rejects (readably) when it could not be (e.g. python3 missing). Call right after spawn(). */
function spawned(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once("spawn", () => resolve());
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new AgentcoreError(`Could not start ${what}: ${error.message}.`, {
          code: "AgentStartFailed",
          hint: error.code === "ENOENT" ? `Is ${what} installed and on PATH?` : undefined,
        }),
      ),
    );
  });
}

/** Starts the agent as a plain local process in its own process group. */
export async function startAgentProcess(spec: AgentSpec, options: RunOptions): Promise<RunningAgent> {
  const { file, args } = await processCommand(spec);
  const output = options.output ?? ownOutput(options);
  const child = spawn(file, args, {
    cwd: spec.projectDir,
    // HOST: agents that honour it (the TypeScript SDK examples) listen on loopback only, so nothing reaches them around the gateway.
    env: { ...environmentFor(spec, options.env, options.port), HOST: spec.environmentVariables?.HOST ?? "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group: Ctrl-C reaches the CLI, which stops the agent in order (and all its children).
    detached: true,
  });
  const exited = exitedAndLogged(child, output, output !== options.output);
  await spawned(child, path.basename(file));
  const pid = child.pid!;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    mode: "process",
    protocol: spec.protocol,
    url: `http://127.0.0.1:${options.port}`,
    port: options.port,
    pid,
    logFile: options.logFile,
    command: [file === process.execPath ? "node" : file, ...args].join(" "),
    language: spec.language,
    requirementsFile: spec.requirementsFile ?? null,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) {
        signalGroup("SIGKILL"); // leftovers of the group, if any
        return;
      }
      signalGroup("SIGTERM");
      if (!(await waitOrTimeout(exited, STOP_GRACE_MS))) {
        signalGroup("SIGKILL");
        await exited;
      }
    },
  };
}

/** Image tag for the local build: lower-case (image names must be). */
export function localImageTag(agentName: string): string {
  return `agentcore-ts-local/${agentName.toLowerCase()}:latest`;
}

/** Runs `<engine> <args>` with its output going to the agent's logs; resolves with the exit code and the output's tail. */
function runLogged(
  binary: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  output: AgentOutput,
  cwd: string,
): Promise<{ code: number | null; tail: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const onData = (chunk: Buffer) => {
      tail = (tail + chunk.toString("utf8")).slice(-4000);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    const drained = output.attach(child.stdout, child.stderr);
    child.once("error", (error) => reject(new AgentcoreError(`Could not run ${binary}: ${error.message}.`, { code: "EngineFailed" })));
    child.once("close", (code) => {
      void drained.then(() => resolve({ code, tail: tail.trim() }));
    });
  });
}

export interface ContainerOptions extends RunOptions {
  /** docker / finch / podman binary. */
  engineBinary: string;
  /** Called with progress text (build steps). */
  onProgress?: (text: string) => void;
}

/**
 * Builds the agent's image for linux/arm64 and runs it with `-p 127.0.0.1:PORT:8080`, its environment
 * variables, and AWS credentials passed by name. The container is removed when it stops (--rm).
 */
export async function startAgentContainer(spec: AgentSpec, options: ContainerOptions): Promise<RunningAgent> {
  const dockerfile = path.resolve(spec.projectDir, spec.dockerfile ?? "Dockerfile");
  if (!(await exists(dockerfile))) {
    throw new AgentcoreError(`No Dockerfile at ${dockerfile}: cannot run the agent as a container.`, {
      code: "DockerfileNotFound",
      hint: "Run `agentcore-ts configure` to generate one, or pass --process to run the agent as a local process.",
    });
  }
  const engine = path.basename(options.engineBinary);
  const tag = localImageTag(spec.name);
  const output = options.output ?? ownOutput(options);
  const owned = output !== options.output;
  options.onProgress?.(`${engine} build --platform linux/arm64`);
  const build = await runLogged(
    options.engineBinary,
    ["build", "--platform", "linux/arm64", "-t", tag, "-f", dockerfile, spec.projectDir],
    options.env,
    output,
    spec.projectDir,
  );
  if (build.code !== 0) {
    if (owned) output.close();
    const lastLines = build.tail.split("\n").slice(-8).join("\n");
    throw new AgentcoreError(`${engine} build failed (exit ${build.code}).`, {
      code: "ImageBuildFailed",
      hint: `Full output in ${options.logFile}. Last lines:\n${lastLines}\nOn an x86_64 machine a linux/arm64 build needs QEMU emulation (binfmt); or run the agent as a process: --process.`,
    });
  }

  const containerName = `agentcore-ts-${spec.name.toLowerCase()}-${process.pid}`;
  // Inside the container the agent listens on its protocol's port, as in AgentCore Runtime.
  const containerPort = protocolContract(spec.protocol).port;
  const env = environmentFor(spec, options.env, containerPort);
  const args = ["run", "--rm", "--name", containerName, "--platform", "linux/arm64", "-p", `127.0.0.1:${options.port}:${containerPort}`];
  args.push("-e", `PORT=${containerPort}`);
  for (const [key, value] of Object.entries(spec.environmentVariables ?? {})) args.push("-e", `${key}=${value}`);
  for (const key of AWS_PASSTHROUGH) if (env[key]) args.push("-e", key);
  args.push(tag);

  // Attached (no -d): the client's stdout and stderr are the container's.
  const child = spawn(options.engineBinary, args, { cwd: spec.projectDir, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const exited = exitedAndLogged(child, output, owned);
  await spawned(child, engine);
  return {
    mode: "container",
    protocol: spec.protocol,
    url: `http://127.0.0.1:${options.port}`,
    port: options.port,
    pid: child.pid!,
    logFile: options.logFile,
    command: [engine, ...args].join(" "),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await runLogged(
          options.engineBinary,
          ["stop", "-t", String(STOP_GRACE_MS / 1000), containerName],
          options.env,
          output,
          spec.projectDir,
        ).catch(() => undefined);
        if (!(await waitOrTimeout(exited, STOP_GRACE_MS))) {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            // gone
          }
          await exited;
        }
      }
    },
  };
}

/** A hint from the whole log (a missing module, a port in use), or undefined. */
async function diagnose(agent: RunningAgent): Promise<string | undefined> {
  const log = await fsp.readFile(agent.logFile, "utf8").catch(() => "");
  return logHint(log, { ...agent, env: process.env });
}

/** The last `lines` lines of a log file ("" when unreadable). */
export async function logTail(logFile: string, lines = 15): Promise<string> {
  try {
    const text = await fsp.readFile(logFile, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/**
 * Polls the agent the way its protocol allows (src/local/health.ts: GET /ping, an MCP JSON-RPC ping,
 * the A2A agent card) until it answers healthy. Fails early when the agent exits, and after
 * `timeoutMs` with an error naming the log to read.
 */
export async function waitForHealthy(
  agent: RunningAgent,
  timeoutMs: number,
  onProgress?: (text: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const probe = probeDescription(agent.protocol);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void agent.exited.then((e) => (exit = e));
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (signal?.aborted) {
      throw new AgentcoreError(`Stopped before the agent answered ${probe}.`, { code: "Cancelled", exitCode: 130 });
    }
    if (exit) {
      const tail = await logTail(agent.logFile);
      const diagnosis = await diagnose(agent);
      throw new AgentcoreError(
        `The agent exited (${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}) before it answered ${probe}.`,
        {
          code: "AgentExited",
          hint: `${diagnosis ? `${diagnosis}\n` : ""}Read its log: ${agent.logFile}${tail ? `\n${indent(tail)}` : ""}`,
          details: { logFile: agent.logFile, command: agent.command },
        },
      );
    }
    try {
      const answer = await probeAgent(agent.url, agent.protocol);
      if (answer.healthy) return;
      last = answer.detail;
      onProgress?.(`${probe} answered ${last}`);
    } catch (error) {
      last = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    }
    await sleep(100);
  }
  const tail = await logTail(agent.logFile);
  const diagnosis = await diagnose(agent);
  throw new AgentcoreError(
    `The agent did not answer ${probeDescription(agent.protocol, agent.url)} with ${agent.protocol === "MCP" ? "a JSON-RPC answer" : agent.protocol === "A2A" ? "an agent card" : "Healthy"} within ${Math.round(timeoutMs / 1000)}s (last: ${last}).`,
    {
      code: "AgentNotHealthy",
      hint: `${diagnosis ? `${diagnosis}\n` : ""}Read the agent's log: ${agent.logFile}. The agent must listen on the port in $PORT (${agent.port}) and ${healthHint(agent.protocol)}.${tail ? `\n${indent(tail)}` : ""}`,
      details: { logFile: agent.logFile, command: agent.command },
    },
  );
}

function healthHint(protocol: ServerProtocol | undefined): string {
  switch (protocolContract(protocol).health) {
    case "ping":
      return 'answer GET /ping with {"status":"Healthy"}';
    case "mcp":
      return "serve MCP Streamable HTTP on POST /mcp";
    case "agent-card":
      return "serve its agent card at GET /.well-known/agent-card.json";
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
