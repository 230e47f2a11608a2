/**
 * CloudWatch Logs, read side: one page of FilterLogEvents over a log group
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html), and a
 * StartLiveTail session (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html):
 * a response event stream (application/vnd.amazon.eventstream over HTTP/1.1 with the SDK's default handler)
 * of one sessionStart, then a sessionUpdate every second with the events ingested since, until the session
 * ends (SessionTimeoutException after three hours).
 * A missing log group is a value (undefined, "noGroup"), not an error: a runtime writes its group on its first start.
 */
import type { CloudWatchLogsClient, StartLiveTailResponseStream } from "@aws-sdk/client-cloudwatch-logs";
import { type AgentcoreError, fromAwsError } from "../errors.js";
import { isAwsError } from "./sdk-errors.js";

export interface LogEvent {
  /** Milliseconds since the epoch, as CloudWatch stores it. */
  timestamp: number;
  logStreamName: string;
  message: string;
  eventId: string;
}

export interface LogPage {
  events: LogEvent[];
  nextToken?: string;
}

/** One page of events at or after `startTime` (ms); undefined when the log group does not exist. */
export async function filterLogEvents(
  client: CloudWatchLogsClient,
  logGroupName: string,
  startTime: number,
  nextToken?: string,
): Promise<LogPage | undefined> {
  const { FilterLogEventsCommand } = await import("@aws-sdk/client-cloudwatch-logs");
  try {
    const page = await client.send(new FilterLogEventsCommand({ logGroupName, startTime, ...(nextToken ? { nextToken } : {}) }));
    return {
      events: (page.events ?? []).map((e) => ({
        timestamp: e.timestamp ?? 0,
        logStreamName: e.logStreamName ?? "",
        message: (e.message ?? "").replace(/\r?\n$/, ""),
        eventId: e.eventId ?? `${e.logStreamName}:${e.timestamp}:${e.message}`,
      })),
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    };
  } catch (error) {
    if (isAwsError(error, "ResourceNotFoundException")) return undefined;
    throw fromAwsError(error, `Read log group ${logGroupName}`);
  }
}

/** `arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME`: how StartLiveTail names a log group (no trailing `:*`). */
export function logGroupArn(partition: string, region: string, account: string, logGroupName: string): string {
  return `arn:${partition}:logs:${region}:${account}:log-group:${logGroupName}`;
}

export type LiveTail =
  /** `updates`: the events of each sessionUpdate; ends when the session does (timed out or closed by the service). */
  | { kind: "started"; updates: AsyncIterable<LogEvent[]> }
  | { kind: "noGroup" }
  /** Not allowed (AccessDeniedException without logs:StartLiveTail), not available (an endpoint without it), or failed. */
  | { kind: "refused"; error: AgentcoreError };

/**
 * Starts a live tail of one log group; resolves once the service sent sessionStart (the SDK waits for the
 * first event). `signal` ends the session (the request is aborted).
 */
export async function startLiveTail(client: CloudWatchLogsClient, logGroupArn: string, signal: AbortSignal): Promise<LiveTail> {
  const { StartLiveTailCommand } = await import("@aws-sdk/client-cloudwatch-logs");
  let stream: AsyncIterable<StartLiveTailResponseStream> | undefined;
  try {
    stream = (await client.send(new StartLiveTailCommand({ logGroupIdentifiers: [logGroupArn] }), { abortSignal: signal })).responseStream;
  } catch (error) {
    if (isAwsError(error, "ResourceNotFoundException")) return { kind: "noGroup" };
    return { kind: "refused", error: fromAwsError(error, `Start a live tail of ${logGroupArn}`) };
  }
  if (!stream) return { kind: "refused", error: fromAwsError(new Error("no event stream in the answer"), "StartLiveTail") };
  return { kind: "started", updates: updatesOf(stream, logGroupArn) };
}

async function* updatesOf(stream: AsyncIterable<StartLiveTailResponseStream>, arn: string): AsyncGenerator<LogEvent[]> {
  try {
    for await (const event of stream) {
      if (!event.sessionUpdate) continue;
      yield (event.sessionUpdate.sessionResults ?? []).map((e) => {
        const message = (e.message ?? "").replace(/\r?\n$/, "");
        // Live tail events carry no eventId: the caller tells them apart by stream, time and message.
        return { timestamp: e.timestamp ?? 0, logStreamName: e.logStreamName ?? "", message, eventId: "" };
      });
    }
  } catch (error) {
    // The session's three hours are over: the caller starts another one.
    if (isAwsError(error, "SessionTimeoutException")) return;
    throw fromAwsError(error, `Live tail of ${arn}`);
  }
}
