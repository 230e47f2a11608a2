/**
 * `agentcore-ts logs`: the deployed agent's CloudWatch log group (/aws/bedrock-agentcore/runtimes/{id}-DEFAULT,
 * https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/runtime-observability.html) through
 * FilterLogEvents, every line with its stream and time.
 *
 * --follow polls FilterLogEvents (every 2 s) instead of StartLiveTail: StartLiveTail answers with an
 * event stream on a `stream-` host prefix (the SDK prepends it to the endpoint, so an endpoint override
 * such as the test fakes' AWS_ENDPOINT_URL_CLOUDWATCH_LOGS would need `disableHostPrefix`), and its
 * sessions end after 3 hours and are billed per session minute
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html).
 * Polling sees the same events a few seconds later, through the same call as the non-follow read.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { filterLogEvents, type LogEvent } from "../../aws/logs.js";
import { timingFrom } from "../../aws/polling.js";
import { logGroupFor } from "../../aws/runtime.js";
import type { CommandContext } from "../../core/context.js";
import { listenForStop } from "../../core/signals.js";
import { UsageError } from "../../errors.js";
import { openCloudAgent } from "../shared/cloud-agent.js";
import { parseSince } from "./since.js";
import type { LogLine, LogsInputs, LogsReporter, LogsResult } from "./types.js";

/** Poll interval of --follow, in AGENTCORE_TS_POLL_MS units (1 s by default). */
const FOLLOW_UNITS = 2;

export interface LogsDeps {
  /** --follow: each new line as it arrives. */
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
  const fresh = (events: LogEvent[]): LogEvent[] => {
    const out = events.filter((e) => !seen.has(e.eventId));
    for (const e of out) {
      seen.add(e.eventId);
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
    let waitingSaid = false;
    if (!first) {
      deps.report.waiting(logGroup);
      waitingSaid = true;
    }
    const interval = timingFrom(ctx.env).unitMs * FOLLOW_UNITS;
    while (!stop.aborted) {
      await sleep(interval, undefined, { signal: stop }).catch(() => undefined);
      if (stop.aborted) break;
      // From the last event's millisecond on (inclusive: more events may share it); `seen` drops repeats.
      const events = await readAll(last);
      if (!events) {
        if (!waitingSaid) deps.report.waiting(logGroup);
        waitingSaid = true;
        continue;
      }
      result.logGroupExists = true;
      for (const event of fresh(events)) {
        const line = lineOf(event);
        result.events.push(line);
        deps.report.line(line);
      }
    }
  }
}
