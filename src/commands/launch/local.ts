/**
 * `launch --local`: the local runtime in the foreground until Ctrl-C, SIGTERM or SIGHUP, then everything
 * stopped; with --watch the agent reloads when its sources change (watch.ts).
 */
import { requireConfig, selectAgent } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { listenForStop } from "../../core/signals.js";
import { parsePort } from "../../local/ports.js";
import { type LocalRuntime, startLocalRuntime } from "../../local/runtime.js";
import type { LaunchLocalInputs, LocalLaunchDocument, LocalLaunchReporter } from "./types.js";
import { type ReloadWatch, watchAndReload } from "./watch.js";

export interface LaunchLocalDeps {
  /** What the command reports while it runs (ready, requests, stopping, stopped): commands/launch/print.ts's localLaunchReporter. */
  report: LocalLaunchReporter;
  /** Resolves when the runtime should stop (default: SIGINT, SIGTERM or SIGHUP). */
  shutdownSignal?: Promise<unknown>;
}

/** `launch --local`: runs in the foreground until Ctrl-C or SIGTERM, then stops everything. */
export async function launchLocal(
  inputs: LaunchLocalInputs,
  ctx: Pick<CommandContext, "cwd" | "env" | "output" | "prompter">,
  deps: LaunchLocalDeps,
): Promise<void> {
  const port = parsePort(inputs.port, "--port");
  const agentPort = parsePort(inputs.agentPort, "--agent-port");
  // Listen for signals from the start: a Ctrl-C during start-up stops what was started.
  const stop = listenForStop();
  const shutdown = deps.shutdownSignal ?? stop.received;
  const startup = new AbortController();
  void shutdown.then(() => startup.abort());
  try {
    await runInForeground(inputs, ctx, deps.report, { port, agentPort, shutdown, startup: startup.signal });
  } finally {
    stop.dispose();
  }
}

async function runInForeground(
  inputs: LaunchLocalInputs,
  ctx: Pick<CommandContext, "cwd" | "env" | "output" | "prompter">,
  report: LocalLaunchReporter,
  { port, agentPort, shutdown, startup }: { port?: number; agentPort?: number; shutdown: Promise<unknown>; startup: AbortSignal },
): Promise<void> {
  const config = await requireConfig(ctx.cwd, ctx.env);
  const runtime = await startLocalRuntime({
    signal: startup,
    config,
    env: ctx.env,
    output: ctx.output,
    agentName: inputs.agentName,
    port,
    agentPort,
    mode: inputs.process ? "process" : "auto",
    // A process-mode agent's missing dependencies: --install installs them, a terminal is asked, else an error.
    dependencies: {
      install: inputs.install === true,
      confirm: ctx.prompter.interactive ? (message) => ctx.prompter.confirm({ message, default: true }) : undefined,
    },
    onRequest: (event) => report.request(event),
  });
  let watch: ReloadWatch | undefined;
  if (inputs.watch) {
    const agent = selectAgent(config, inputs.agentName);
    try {
      watch = await watchAndReload(runtime, { projectDir: config.dir, entrypoint: agent.entrypoint }, (event) => report.reloaded(event));
    } catch (error) {
      await runtime.stop();
      throw error;
    }
  }
  report.ready({
    document: { ...readyDocument(runtime), ...(watch ? { watching: watch.root } : {}) },
    agentFlag: Boolean(inputs.agentName),
  });
  await shutdown;
  report.stopping();
  watch?.close();
  await runtime.stop();
  report.stopped();
}

/** The --json document of a running local runtime (this process is the one to signal to stop it). */
export function readyDocument(runtime: LocalRuntime): LocalLaunchDocument {
  return {
    agent: runtime.agentName,
    gatewayUrl: runtime.gatewayUrl,
    agentUrl: runtime.agentUrl,
    agentRuntimeArn: runtime.agentRuntimeArn,
    mode: runtime.mode,
    auth: runtime.auth,
    protocol: runtime.protocol,
    logFile: runtime.logFile,
    pid: process.pid,
  };
}
