/**
 * CloudWatch Logs, read side: one page of FilterLogEvents over a log group
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html).
 * A missing log group is a value (undefined), not an error: a runtime writes its group on its first start.
 */
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { fromAwsError } from "../errors.js";
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
