/**
 * Where a running `launch --local` listens, so `invoke --local` and `status --local` find it.
 * One JSON record per agent under AGENTCORE_TS_HOME/local/ (mode 0600), written when the runtime is
 * ready and removed when it stops. A record whose pid is no longer alive (a killed launch) is stale
 * and ignored.
 */
import { promises as fsp, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ensureHomeDir, homeDir } from "../config/home.js";
import type { ServerProtocol } from "../config/protocols.js";
import { writeFileAtomic } from "../util/fs.js";
import { isProcessAlive } from "../util/process.js";

export { isProcessAlive };

export type LocalRuntimeMode = "process" | "container";

export interface LocalRuntimeRecord {
  agentName: string;
  /** e.g. http://127.0.0.1:8081: invoke with POST {gatewayUrl}/runtimes/{name}/invocations?qualifier=DEFAULT or {gatewayUrl}/invocations. */
  gatewayUrl: string;
  /** The agent itself (no auth): http://127.0.0.1:{port}. */
  agentUrl: string;
  /** The process hosting the gateway (the `launch --local` CLI, or a test). */
  pid: number;
  /** The agent's process (in container mode: the engine client running the container). */
  agentPid?: number;
  mode: LocalRuntimeMode;
  /** The agent's stdout/stderr. */
  logFile: string;
  /** The JSON-lines logs `logs --local` reads (src/local/log-files.ts); absent in records of older versions. */
  logs?: LocalRuntimeLogs;
  /** ISO-8601. */
  startedAt: string;
  /** The .agentcore.json the agent came from, when known. */
  configFile?: string;
  /** "jwt" when the gateway enforces a customJWTAuthorizer, "iam" otherwise. */
  auth: "jwt" | "iam";
  /** A local ARN the gateway accepts in /runtimes/{arn}/invocations (the agent name and the deployed ARN work too). */
  agentRuntimeArn: string;
  /** The region in that ARN (SigV4 signing region for IAM agents). */
  region: string;
  /** The agent's server protocol (absent in records of older versions: HTTP). */
  protocol?: ServerProtocol;
}

export interface LocalRuntimeLogs {
  /** The agent's output lines: {time, stream, message}. */
  agent: string;
  /** The gateway's request log: {time, method, path, status, ms, caller?, …} (never a token). */
  requests: string;
}

const RECORD_PREFIX = "runtime-";

export function localStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(homeDir(env), "local");
}

function recordFile(env: NodeJS.ProcessEnv, agentName: string): string {
  return path.join(localStateDir(env), `${RECORD_PREFIX}${agentName}.json`);
}

async function readRecord(file: string): Promise<LocalRuntimeRecord | undefined> {
  try {
    const record = JSON.parse(await fsp.readFile(file, "utf8")) as LocalRuntimeRecord;
    if (typeof record.agentName !== "string" || typeof record.gatewayUrl !== "string" || typeof record.pid !== "number") return undefined;
    return isProcessAlive(record.pid) ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Every live local runtime, most recently started first. */
export async function listLocalRuntimes(env: NodeJS.ProcessEnv = process.env): Promise<LocalRuntimeRecord[]> {
  let names: string[];
  try {
    names = await fsp.readdir(localStateDir(env));
  } catch {
    return [];
  }
  const records = await Promise.all(
    names.filter((n) => n.startsWith(RECORD_PREFIX) && n.endsWith(".json")).map((n) => readRecord(path.join(localStateDir(env), n))),
  );
  return records.filter((r): r is LocalRuntimeRecord => r !== undefined).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/**
 * The live local runtime of `agentName`, or (without a name) the most recently started one.
 * Undefined when none runs; a record left by a process that died is ignored.
 */
export async function readLocalRuntime(env: NodeJS.ProcessEnv = process.env, agentName?: string): Promise<LocalRuntimeRecord | undefined> {
  if (agentName !== undefined) return readRecord(recordFile(env, agentName));
  return (await listLocalRuntimes(env))[0];
}

export async function writeLocalRuntime(env: NodeJS.ProcessEnv, record: LocalRuntimeRecord): Promise<string> {
  await ensureHomeDir(env, "local");
  const file = recordFile(env, record.agentName);
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`, 0o600);
  return file;
}

/** removeLocalRuntime for a process "exit" handler, where nothing asynchronous runs any more. */
export function removeLocalRuntimeSync(env: NodeJS.ProcessEnv, agentName: string, pid = process.pid): void {
  const file = recordFile(env, agentName);
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as Partial<LocalRuntimeRecord>;
    if (record.pid === pid) rmSync(file, { force: true });
  } catch {
    // gone or unreadable: nothing of ours to remove
  }
}

/** Removes the record of `agentName` if it is ours (same pid): a second launch's record is never removed by the first. */
export async function removeLocalRuntime(env: NodeJS.ProcessEnv, agentName: string, pid = process.pid): Promise<void> {
  const file = recordFile(env, agentName);
  try {
    const record = JSON.parse(await fsp.readFile(file, "utf8")) as Partial<LocalRuntimeRecord>;
    if (record.pid !== pid && record.pid !== undefined && isProcessAlive(record.pid)) return;
  } catch {
    // unreadable or gone: remove whatever is there
  }
  await fsp.rm(file, { force: true });
}
