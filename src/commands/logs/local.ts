/**
 * `agentcore-ts logs --local`: the running local runtime's logs, found through its runtime record
 * (src/local/runtime-state.ts): the agent's output lines and the gateway's request log
 * (src/local/log-files.ts), merged by time. --follow reads what the two files gain until Ctrl-C or
 * until the runtime stops (then it prints the last lines, says so, and ends with exit code 0).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { loadConfig, selectAgent } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { listenForStop } from "../../core/signals.js";
import { AgentcoreError } from "../../errors.js";
import type { AgentLogEvent } from "../../local/agent-output.js";
import { JsonLinesReader, type RequestLogEvent } from "../../local/log-files.js";
import { isProcessAlive, type LocalRuntimeRecord, listLocalRuntimes, readLocalRuntime } from "../../local/runtime-state.js";
import { accessLogText } from "../shared/access-log.js";
import { parseSince } from "./since.js";
import type { LocalLogLine, LocalLogsInputs, LocalLogsReporter, LocalLogsResult } from "./types.js";

/** How often --follow reads the files and the record. */
const FOLLOW_POLL_MS = 200;
/**
 * Lines younger than this wait for the next read before they are printed: a line of the other file with an
 * earlier time may still be on its way (each is written right after it is stamped), and must come first.
 */
const SETTLE_MS = 100;
/** After the record is gone, how long to wait for the runtime's process to finish writing (the agent's stop grace is 5 s). */
const STOP_WAIT_MS = 10_000;

export interface LocalLogsDeps {
  report: LocalLogsReporter;
  /** --follow stops when this aborts (default: SIGINT, SIGTERM or SIGHUP). */
  stop?: AbortSignal;
}

/** The record of the runtime to read: --agent's, else the project's default agent's, else the most recently started one. */
async function findRuntime(ctx: Pick<CommandContext, "cwd" | "env">, agentName: string | undefined): Promise<LocalRuntimeRecord> {
  const loaded = agentName === undefined ? await loadConfig(ctx.cwd) : undefined;
  const name = agentName ?? (loaded ? selectAgent(loaded).name : undefined);
  const record = await readLocalRuntime(ctx.env, name);
  if (record) return record;
  const others = (await listLocalRuntimes(ctx.env)).map((r) => r.agentName);
  throw new AgentcoreError(name ? `No local runtime is running for agent "${name}".` : "No local runtime is running.", {
    code: "NoLocalRuntime",
    hint:
      "Start it with `agentcore-ts launch --local` (it stays in the foreground: run `logs --local` in a second terminal)" +
      (others.length ? `, or pick a running one with --agent ${others.join(" / --agent ")}.` : "."),
  });
}

function agentLine(event: AgentLogEvent): LocalLogLine {
  return { time: event.time, source: "agent", stream: event.stream === "stderr" ? "stderr" : "stdout", message: event.message };
}

function gatewayLine(event: RequestLogEvent): LocalLogLine {
  return { ...event, source: "gateway", message: accessLogText(event) };
}

/** By time; on a tie the agent's line first (it was written while the request was under way). Stable. */
function byTime(lines: LocalLogLine[]): LocalLogLine[] {
  return lines.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

export async function logsLocal(
  inputs: LocalLogsInputs,
  ctx: Pick<CommandContext, "cwd" | "env">,
  deps: LocalLogsDeps,
): Promise<LocalLogsResult> {
  const since = inputs.since === undefined ? undefined : new Date(parseSince(inputs.since)).toISOString();
  const record = await findRuntime(ctx, inputs.agentName);
  if (!record.logs) {
    throw new AgentcoreError(
      `The local runtime of "${record.agentName}" was started by an older agentcore-ts, which writes no request log.`,
      {
        code: "LocalLogsUnavailable",
        hint: `Restart it (Ctrl-C, then \`agentcore-ts launch --local\`); its agent's output is in ${record.logFile}.`,
      },
    );
  }
  const agentLog = new JsonLinesReader<AgentLogEvent>(record.logs.agent);
  const requestLog = new JsonLinesReader<RequestLogEvent>(record.logs.requests);
  const inWindow = (line: LocalLogLine) => since === undefined || line.time >= since;
  const read = async (all: boolean): Promise<LocalLogLine[]> => {
    const [agent, requests] = all
      ? await Promise.all([agentLog.readAll(), requestLog.readAll()])
      : await Promise.all([agentLog.readNew(), requestLog.readNew()]);
    return [...agent.map(agentLine), ...requests.map(gatewayLine)].filter(inWindow);
  };

  const result: LocalLogsResult = {
    agent: record.agentName,
    mode: record.mode,
    ...(since ? { since } : {}),
    files: { agent: record.logs.agent, requests: record.logs.requests, text: record.logFile },
    events: [],
  };
  if (!inputs.follow) {
    result.events = byTime(await read(true));
    return result;
  }

  const listener = deps.stop ? undefined : listenForStop();
  const stop = deps.stop ?? listener!.signal;
  // Lines read but not yet printed (younger than SETTLE_MS when read).
  let pending: LocalLogLine[] = [];
  const release = (cutoff: string | undefined) => {
    byTime(pending);
    const ready = cutoff === undefined ? pending : pending.filter((l) => l.time <= cutoff);
    pending = cutoff === undefined ? [] : pending.filter((l) => l.time > cutoff);
    for (const line of ready) {
      result.events.push(line);
      deps.report.line(line);
    }
  };
  try {
    let all = true;
    while (!stop.aborted) {
      const cutoff = new Date(Date.now() - SETTLE_MS).toISOString();
      pending.push(...(await read(all)));
      all = false;
      release(cutoff);
      if (!(await stillRunning(ctx.env, record))) {
        await waitForExit(record.pid, stop);
        pending.push(...(await read(false)));
        release(undefined);
        deps.report.runtimeStopped(record.agentName);
        break;
      }
      await sleep(FOLLOW_POLL_MS, undefined, { signal: stop }).catch(() => undefined);
    }
    // Ctrl-C: what was read is printed, nothing is left behind.
    release(undefined);
  } finally {
    listener?.dispose();
  }
  return result;
}

/** The same runtime's record is still there (a new `launch --local` writes one with another pid). */
async function stillRunning(env: NodeJS.ProcessEnv, record: LocalRuntimeRecord): Promise<boolean> {
  const now = await readLocalRuntime(env, record.agentName);
  return now !== undefined && now.pid === record.pid;
}

/** The record goes first when a runtime stops; its process ends once the agent stopped and the logs are closed. */
async function waitForExit(pid: number, stop: AbortSignal): Promise<void> {
  const deadline = Date.now() + STOP_WAIT_MS;
  while (isProcessAlive(pid) && Date.now() < deadline && !stop.aborted) {
    await sleep(50, undefined, { signal: stop }).catch(() => undefined);
  }
}
