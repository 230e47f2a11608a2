/**
 * `agentcore-ts logs`: the deployed agent's CloudWatch log group (/aws/bedrock-agentcore/runtimes/{id}-DEFAULT,
 * https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-observability.html) through
 * FilterLogEvents, every line with its stream and time.
 *
 * --follow prints that window, then keeps a StartLiveTail session open and prints each sessionUpdate's events
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html). Each session
 * starts with a FilterLogEvents read from the last event seen, so nothing ingested before the session began (or
 * between two sessions) is lost; what both report is printed once. A session ends after three hours
 * (SessionTimeoutException): another one starts at once. While the log group does not exist, FilterLogEvents is
 * polled until it does. When StartLiveTail is refused (AccessDeniedException without logs:StartLiveTail, an
 * endpoint without it, a failed STS lookup of the account for the group's ARN) or its sessions keep failing,
 * --follow says so and polls FilterLogEvents every 2 s instead.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { callerIdentity } from "../../aws/account.js";
import { filterLogEvents, type LogEvent, logGroupArn, startLiveTail } from "../../aws/logs.js";
import { timingFrom } from "../../aws/polling.js";
import { logGroupFor } from "../../aws/runtime.js";
import type { CommandContext } from "../../core/context.js";
import { listenForStop } from "../../core/signals.js";
import { UsageError } from "../../errors.js";
import { openCloudAgent } from "../shared/cloud-agent.js";
import { parseSince } from "./since.js";
import type { LogLine, LogsInputs, LogsReporter, LogsResult } from "./types.js";

/** Poll interval of --follow (waiting for the group, the polling fallback, a retry), in AGENTCORE_TS_POLL_MS units (1 s by default). */
const FOLLOW_UNITS = 2;
/** Live tail sessions that fail in a row before --follow falls back to polling. */
const MAX_SESSION_FAILURES = 3;
/** Events this much older than the newest seen are forgotten by the duplicate check (a follow runs for hours). */
const DEDUPE_WINDOW_MS = 5 * 60_000;

export interface LogsDeps {
  /** --follow: each new line as it arrives (the result then holds the first window only). */
  report: LogsReporter;
  /** --follow stops when this aborts (default: SIGINT, SIGTERM or SIGHUP). */
  stop?: AbortSignal;
}

function lineOf(event: LogEvent): LogLine {
  return { time: new Date(event.timestamp).toISOString(), stream: event.logStreamName, message: event.message };
}

export async function logs(inputs: LogsInputs, ctx: Pick<CommandContext, "cwd" | "aws" | "env">, deps: LogsDeps): Promise<LogsResult> {
  const startTime = parseSince(inputs.since);
  const { agent, aws, region } = await openCloudAgent(ctx, inputs.agentName);
  const runtimeId = agent.deployment?.runtimeId;
  if (!runtimeId) {
    throw new UsageError(`Agent ${agent.name} has not been launched: it has no CloudWatch logs.`, {
      hint: "Run `agentcore-ts launch` first; for the local runtime (`launch --local`) use `agentcore-ts logs --local`.",
      code: "NotDeployed",
    });
  }
  const logGroup = logGroupFor(runtimeId);
  const client = await aws.logs();
  const result: LogsResult = {
    agent: agent.name,
    region,
    logGroup,
    since: new Date(startTime).toISOString(),
    logGroupExists: true,
    events: [],
  };

  // Everything since startTime, page by page.
  const seen = new Set<string>();
  const live = new LiveDedupe();
  let last = startTime;
  const readAll = async (from: number): Promise<LogEvent[] | undefined> => {
    const events: LogEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await filterLogEvents(client, logGroup, from, nextToken);
      if (!page) return undefined;
      events.push(...page.events);
      nextToken = page.nextToken;
    } while (nextToken && !deps.stop?.aborted);
    return events.sort((a, b) => a.timestamp - b.timestamp);
  };
  /** FilterLogEvents events not printed yet (by eventId, and not already shown by a live tail). */
  const fresh = (events: LogEvent[]): LogEvent[] => {
    const out = events.filter((e) => !seen.has(e.eventId) && !live.shownLive(e));
    for (const e of out) {
      seen.add(e.eventId);
      live.remember(e, false);
      last = Math.max(last, e.timestamp);
    }
    return out;
  };

  const first = await readAll(startTime);
  if (!first) result.logGroupExists = false;
  else result.events = fresh(first).map(lineOf);
  if (!inputs.follow) return result;

  for (const line of result.events) deps.report.line(line);
  const listener = deps.stop ? undefined : listenForStop();
  try {
    await follow(deps.stop ?? listener!.signal);
  } finally {
    listener?.dispose();
  }
  return result;

  async function follow(stop: AbortSignal): Promise<void> {
    const interval = timingFrom(ctx.env).unitMs * FOLLOW_UNITS;
    const pause = () => sleep(interval, undefined, { signal: stop }).catch(() => undefined);
    const print = (event: LogEvent) => deps.report.line(lineOf(event));
    let waitingSaid = false;
    const waiting = () => {
      if (!waitingSaid) deps.report.waiting(logGroup);
      waitingSaid = true;
    };
    /** FilterLogEvents from the last event seen: what is new is printed; false while the group does not exist. */
    const readNew = async (): Promise<boolean> => {
      const events = await readAll(last);
      if (!events) return false;
      for (const event of fresh(events)) print(event);
      return true;
    };
    const fallBack = async (reason: string) => {
      deps.report.polling(reason);
      while (!stop.aborted) {
        await pause();
        if (!stop.aborted && !(await readNew())) waiting();
      }
    };

    if (!first) waiting();
    let arn: string | undefined;
    let failures = 0;
    while (!stop.aborted) {
      if (!result.logGroupExists) {
        await pause();
        if (stop.aborted || !(await readNew())) continue;
        result.logGroupExists = true;
      }
      try {
        arn ??= await groupArn();
      } catch (error) {
        return fallBack(`the log group's ARN needs the account: ${(error as Error).message}`);
      }
      const tail = await startLiveTail(client, arn, stop);
      if (stop.aborted) return;
      if (tail.kind === "noGroup") {
        result.logGroupExists = false;
        waiting();
        continue;
      }
      if (tail.kind === "refused") return fallBack(`StartLiveTail: ${tail.error.message}`);
      let problem = "its sessions end without an update";
      try {
        // What was ingested since the last read, up to the session's start (and a bit after: printed once).
        await readNew();
        for await (const batch of tail.updates) {
          failures = 0;
          problem = "";
          for (const event of batch) {
            if (!live.fresh(event)) continue;
            last = Math.max(last, event.timestamp);
            print(event);
          }
        }
        // The session ended (its three hours): the next one starts at once.
      } catch (error) {
        problem = (error as Error).message;
      }
      if (stop.aborted) return;
      if (problem) {
        // Failed, or ended before its first update: retried after a pause, then given up for polling.
        if (++failures >= MAX_SESSION_FAILURES) return fallBack(`the live tail keeps failing: ${problem}`);
        await pause();
      }
    }
  }

  /** The group's ARN for StartLiveTail: partition and account from the runtime's ARN, else from STS. */
  async function groupArn(): Promise<string> {
    const fields = agent.deployment?.runtimeArn?.split(":") ?? [];
    if (fields.length >= 6 && fields[1] && /^\d{12}$/.test(fields[4] ?? "")) return logGroupArn(fields[1], region, fields[4]!, logGroup);
    const identity = await callerIdentity(aws);
    return logGroupArn(identity.partition, region, identity.account, logGroup);
  }
}

/**
 * Live tail events carry no eventId: one is told apart by its stream, time and message. An event both a
 * FilterLogEvents read and the session report (ingested just after the session started) is printed once.
 */
class LiveDedupe {
  /** Key -> the event's time and whether the live tail printed it. */
  private readonly keys = new Map<string, { at: number; live: boolean }>();
  private newest = 0;

  /** A live tail event: true when no read printed it yet. */
  fresh(event: LogEvent): boolean {
    if (this.keys.has(keyOf(event))) return false;
    this.remember(event, true);
    return true;
  }

  /** A FilterLogEvents event the live tail printed already. */
  shownLive(event: LogEvent): boolean {
    return this.keys.get(keyOf(event))?.live === true;
  }

  remember(event: LogEvent, live: boolean): void {
    this.keys.set(keyOf(event), { at: event.timestamp, live });
    this.newest = Math.max(this.newest, event.timestamp);
    if (this.keys.size > 10_000) {
      for (const [key, { at }] of this.keys) if (at < this.newest - DEDUPE_WINDOW_MS) this.keys.delete(key);
    }
  }
}

function keyOf(event: LogEvent): string {
  return `${event.logStreamName}\u0000${event.timestamp}\u0000${event.message}`;
}
