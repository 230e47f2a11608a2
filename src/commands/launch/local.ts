/** `launch --local`: the local runtime in the foreground until Ctrl-C, SIGTERM or SIGHUP, then everything stopped. */
import type { CommandContext, CommandOutcome } from "../../core/context.js";
import { listenForStop } from "../../core/signals.js";
import type { GatewayLogEvent } from "../../local/gateway.js";
import { parsePort } from "../../local/ports.js";
import { startLocalRuntime } from "../../local/runtime.js";

export interface LaunchLocalInputs {
  agentName?: string;
  port?: string;
  agentPort?: string;
  /** Run the agent as a process even when a container engine is reachable. */
  process?: boolean;
}

export interface LaunchLocalDeps {
  /** Resolves when the runtime should stop (default: SIGINT or SIGTERM). */
  shutdownSignal?: Promise<unknown>;
}

function accessLogLine(event: GatewayLogEvent): string {
  const session = event.sessionId ? ` session=${event.sessionId}` : "";
  const error = event.errorType ? ` ${event.errorType}` : "";
  return `${event.method} ${event.path} ${event.status}${error} ${event.ms}ms${session}`;
}

/** `launch --local`: runs in the foreground until Ctrl-C or SIGTERM, then stops everything. */
export async function launchLocal(
  inputs: LaunchLocalInputs,
  ctx: Pick<CommandContext, "cwd" | "env" | "output">,
  deps: LaunchLocalDeps = {},
): Promise<CommandOutcome> {
  const port = parsePort(inputs.port, "--port");
  const agentPort = parsePort(inputs.agentPort, "--agent-port");
  // Listen for signals from the start: a Ctrl-C during start-up stops what was started.
  const stop = listenForStop();
  const shutdown = deps.shutdownSignal ?? stop.received;
  const startup = new AbortController();
  void shutdown.then(() => startup.abort());
  try {
    return await runInForeground(inputs, ctx, { port, agentPort, shutdown, startup: startup.signal });
  } finally {
    stop.dispose();
  }
}

async function runInForeground(
  inputs: LaunchLocalInputs,
  ctx: Pick<CommandContext, "cwd" | "env" | "output">,
  { port, agentPort, shutdown, startup }: { port?: number; agentPort?: number; shutdown: Promise<unknown>; startup: AbortSignal },
): Promise<CommandOutcome> {
  const runtime = await startLocalRuntime({
    signal: startup,
    cwd: ctx.cwd,
    env: ctx.env,
    output: ctx.output,
    agentName: inputs.agentName,
    port,
    agentPort,
    mode: inputs.process ? "process" : "auto",
    onRequest: (event) => ctx.output.info(accessLogLine(event)),
  });
  const out = ctx.output;
  out.success(`Agent ${runtime.agentName} running as a ${runtime.mode} on ${runtime.agentUrl} (log: ${runtime.logFile})`);
  out.success(
    `Gateway on ${runtime.gatewayUrl} ${runtime.auth === "jwt" ? "enforcing the customJWTAuthorizer" : "with IAM (SigV4) auth: signatures are NOT verified locally"}`,
  );
  out.info("");
  out.info(`  Invoke:  agentcore-ts invoke --local '{"prompt": "Hello"}'${inputs.agentName ? ` --agent ${runtime.agentName}` : ""}`);
  out.info(
    `  or:      curl -N -X POST '${runtime.gatewayUrl}/runtimes/${runtime.agentName}/invocations?qualifier=DEFAULT' ${
      runtime.auth === "jwt" ? `-H "Authorization: Bearer $TOKEN" ` : ""
    }-H 'Content-Type: application/json' -d '{"prompt": "Hello"}'`,
  );
  out.info("  Press Ctrl-C to stop.");
  out.info("");
  out.result({
    agent: runtime.agentName,
    gatewayUrl: runtime.gatewayUrl,
    agentUrl: runtime.agentUrl,
    agentRuntimeArn: runtime.agentRuntimeArn,
    mode: runtime.mode,
    auth: runtime.auth,
    logFile: runtime.logFile,
    pid: process.pid,
  });
  await shutdown;
  out.info("Stopping the gateway and the agent…");
  await runtime.stop();
  out.success("Stopped.");
  return { exitCode: 0 };
}
