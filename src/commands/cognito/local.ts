/**
 * `cognito local start|stop|status`: the embedded Cognito on demand is enough for every command;
 * these are for keeping it up between commands (e.g. while an app outside agentcore-ts logs in).
 */

import { promises as fsp } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ensureHomeDir } from "../../config/home.js";
import type { CommandContext } from "../../core/context.js";
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

export type LocalContext = Pick<CommandContext, "env" | "output">;

export interface CognitoLocalStatus {
  running: boolean;
  endpoint: string;
  dataDir: string;
  pid?: number;
  mode?: EmbeddedCognitoInfo["mode"];
  /** Commands holding an on-demand server open right now. */
  holds?: number;
  startedAt?: string;
  pools: number;
}

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
  if (status.running) {
    ctx.output.info(
      `Embedded Cognito: running on ${status.endpoint} (pid ${status.pid}, ${status.mode === "persistent" ? "started by `cognito local start`" : `on demand, held by ${status.holds} command(s)`})`,
    );
  } else {
    ctx.output.info(`Embedded Cognito: not running (starts on demand on ${status.endpoint})`);
  }
  ctx.output.info(`  data: ${status.dataDir} (${status.pools} user pool${status.pools === 1 ? "" : "s"})`);
  ctx.output.result(status);
  return status;
}

export interface CognitoLocalStartInput {
  /** Run in the background with a pid file and return at once. */
  detach?: boolean;
  /** Foreground mode: resolves when the user wants it stopped (the CLI passes SIGINT/SIGTERM). */
  until?: Promise<unknown>;
}

export async function cognitoLocalStart(input: CognitoLocalStartInput, ctx: LocalContext): Promise<CognitoLocalStatus> {
  const { output, env } = ctx;
  const running = await ours(env);
  if (running) {
    output.info(`The embedded Cognito is already running on ${running.endpoint} (pid ${running.pid}); reusing it.`);
    return cognitoLocalStatus(ctx);
  }
  const dataDir = await ensureHomeDir(env, "cognito-local");
  const started = performance.now();
  const server = await spawnCognitoServer({
    dataDir,
    port: embeddedCognitoPort(env),
    mode: "persistent",
    pidFile: embeddedCognitoPidFile(env),
    detached: input.detach === true,
  });
  const ms = Math.round(performance.now() - started);
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
  if (input.detach) {
    server.detach();
    output.success(`Embedded Cognito running on ${server.endpoint} (pid ${server.pid}, started in ${ms} ms; data in ${dataDir})`);
    output.info("Stop it with `agentcore-ts cognito local stop`.");
    output.result(status);
    return status;
  }
  output.success(`Embedded Cognito running on ${server.endpoint} (pid ${server.pid}, started in ${ms} ms; data in ${dataDir})`);
  output.info("Press Ctrl-C to stop it.");
  output.result(status);
  await Promise.race([server.exited, input.until ?? new Promise(() => {})]);
  await server.kill();
  output.info("Embedded Cognito stopped.");
  return { ...status, running: false };
}

export interface CognitoLocalStopResult {
  stopped: boolean;
  wasRunning: boolean;
  pid?: number;
}

export async function cognitoLocalStop(ctx: LocalContext): Promise<CognitoLocalStopResult> {
  const info = await ours(ctx.env);
  if (!info) {
    await removeStalePidFile(ctx.env);
    ctx.output.info("The embedded Cognito is not running.");
    const result = { stopped: false, wasRunning: false };
    ctx.output.result(result);
    return result;
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
  ctx.output.success(`Stopped the embedded Cognito (pid ${info.pid}); its data stays in ${embeddedCognitoDataDir(ctx.env)}.`);
  const result = { stopped: true, wasRunning: true, pid: info.pid };
  ctx.output.result(result);
  return result;
}
