/**
 * `cognito local start|stop|status`: the embedded Cognito on demand is enough for every command;
 * these are for keeping it up between commands (e.g. while an app outside agentcore-ts logs in).
 */

import { promises as fsp } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureHomeDir } from "../../config/home.js";
import type { CommandContext } from "../../core/context.js";
import { withJsonDocument } from "../../core/document.js";
import { listenForStop } from "../../core/signals.js";
import {
  EMBEDDED_COGNITO_PORT_ENV,
  type EmbeddedCognitoInfo,
  embeddedCognitoDataDir,
  embeddedCognitoEndpoint,
  embeddedCognitoPidFile,
  embeddedCognitoPort,
  probeEmbeddedCognito,
  spawnCognitoServer,
} from "../../embedded-cognito/control.js";
import { AgentcoreError } from "../../errors.js";
import type {
  CognitoLocalReporter,
  CognitoLocalStartInput,
  CognitoLocalStartResult,
  CognitoLocalStatus,
  CognitoLocalStopResult,
} from "./types.js";

export type LocalContext = Pick<CommandContext, "env" | "output">;

async function countPools(dataDir: string): Promise<number> {
  try {
    const files = await fsp.readdir(path.join(dataDir, ".cognito", "db"));
    return files.filter((f) => f.endsWith(".json") && f !== "clients.json").length;
  } catch {
    return 0;
  }
}

/** The running server for this environment, or undefined; fails when the port is someone else's. */
async function ours(env: NodeJS.ProcessEnv): Promise<EmbeddedCognitoInfo | undefined> {
  const endpoint = embeddedCognitoEndpoint(env);
  const probe = await probeEmbeddedCognito(endpoint);
  if (probe.state === "stopped") return undefined;
  if (probe.state === "foreign" || path.resolve(probe.info.dataDir) !== path.resolve(embeddedCognitoDataDir(env))) {
    const detail = probe.state === "foreign" ? probe.detail : `it belongs to another AGENTCORE_TS_HOME (${probe.info.dataDir})`;
    throw new AgentcoreError(`Port ${embeddedCognitoPort(env)} is not this environment's embedded Cognito: ${detail}.`, {
      code: "EmbeddedCognitoPortTaken",
      hint: `Set ${EMBEDDED_COGNITO_PORT_ENV} to a free port, or stop the program on it.`,
    });
  }
  return probe.info;
}

async function removeStalePidFile(env: NodeJS.ProcessEnv): Promise<void> {
  await fsp.rm(embeddedCognitoPidFile(env), { force: true });
}

export async function cognitoLocalStatus(ctx: LocalContext): Promise<CognitoLocalStatus> {
  const dataDir = embeddedCognitoDataDir(ctx.env);
  const info = await ours(ctx.env);
  const status: CognitoLocalStatus = info
    ? {
        running: true,
        endpoint: info.endpoint,
        dataDir,
        pid: info.pid,
        mode: info.mode,
        holds: info.holds,
        startedAt: info.startedAt,
        pools: await countPools(dataDir),
      }
    : { running: false, endpoint: embeddedCognitoEndpoint(ctx.env), dataDir, pools: await countPools(dataDir) };
  if (!info) await removeStalePidFile(ctx.env);
  return status;
}

/** The status document of a start: what `started` and `startedInMs` add is for the printer only. */
function startResult(result: CognitoLocalStartResult): CognitoLocalStartResult {
  return withJsonDocument(result, ({ started: _started, startedInMs: _ms, ...status }) => status);
}

export interface CognitoLocalStartDeps {
  /** What a foreground run reports while it runs (its --json document included): print.ts's cognitoLocalReporter. */
  report: CognitoLocalReporter;
}

/**
 * Reuses a running server, or starts one: in the background (--detach), or in the foreground until
 * `until` (default: a stop signal). A foreground run reports through `deps.report` as it goes and
 * returns nothing; the other two return their result.
 */
export async function cognitoLocalStart(
  input: CognitoLocalStartInput,
  ctx: LocalContext,
  deps: CognitoLocalStartDeps,
): Promise<CognitoLocalStartResult | undefined> {
  // Listening from the start, unless the caller says when to stop: a Ctrl-C while the server starts stops a
  // foreground server once it is up, and does not end this process halfway through a --detach start.
  const stop = input.until === undefined ? listenForStop() : undefined;
  try {
    return await start({ detach: input.detach, until: input.until ?? stop!.received }, ctx, deps.report);
  } finally {
    stop?.dispose();
  }
}

async function start(
  input: CognitoLocalStartInput,
  ctx: LocalContext,
  report: CognitoLocalReporter,
): Promise<CognitoLocalStartResult | undefined> {
  const { env } = ctx;
  if (await ours(env)) return startResult({ ...(await cognitoLocalStatus(ctx)), started: "already-running" });
  const dataDir = await ensureHomeDir(env, "cognito-local");
  const started = performance.now();
  let stopRequested = false;
  void input.until?.then(() => {
    stopRequested = true;
  });
  let server: Awaited<ReturnType<typeof spawnCognitoServer>>;
  try {
    server = await spawnCognitoServer({
      dataDir,
      port: embeddedCognitoPort(env),
      mode: "persistent",
      pidFile: embeddedCognitoPidFile(env),
      detached: input.detach === true,
    });
  } catch (error) {
    // A foreground server shares the terminal's process group: Ctrl-C while it starts reaches it too,
    // and it exits before its ready line. That is the stop the user asked for, not a failure.
    if (input.until) await Promise.race([input.until, sleep(200)]);
    if (stopRequested) throw new AgentcoreError("Stopped before the embedded Cognito was ready.", { code: "Cancelled", exitCode: 130 });
    throw error;
  }
  const status: CognitoLocalStatus = {
    running: true,
    endpoint: server.endpoint,
    dataDir,
    pid: server.pid,
    mode: "persistent",
    holds: 0,
    startedAt: new Date().toISOString(),
    pools: await countPools(dataDir),
  };
  const startedInMs = Math.round(performance.now() - started);
  if (input.detach) {
    server.detach();
    return startResult({ ...status, started: "detached", startedInMs });
  }
  report.ready(status, startedInMs);
  await Promise.race([server.exited, input.until ?? new Promise(() => {})]);
  await server.kill();
  report.stopped();
  return undefined;
}

/** The stop document; where the data stays is for the printer only. */
function stopResult(result: CognitoLocalStopResult): CognitoLocalStopResult {
  return withJsonDocument(result, ({ dataDir: _dataDir, ...document }) => document);
}

export async function cognitoLocalStop(ctx: LocalContext): Promise<CognitoLocalStopResult> {
  const dataDir = embeddedCognitoDataDir(ctx.env);
  const info = await ours(ctx.env);
  if (!info) {
    await removeStalePidFile(ctx.env);
    return stopResult({ stopped: false, wasRunning: false, dataDir });
  }
  if (info.mode === "on-demand" && info.holds > 0) {
    ctx.output.warn(`${info.holds} running command(s) are using it; they will fail their next Cognito call.`);
  }
  try {
    process.kill(info.pid, "SIGTERM");
  } catch (error) {
    throw new AgentcoreError(`Cannot stop the embedded Cognito (pid ${info.pid}): ${(error as NodeJS.ErrnoException).code}.`, {
      code: "StopFailed",
    });
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && (await probeEmbeddedCognito(info.endpoint, 500)).state !== "stopped") {
    await sleep(50);
  }
  await removeStalePidFile(ctx.env);
  return stopResult({ stopped: true, wasRunning: true, pid: info.pid, dataDir });
}
