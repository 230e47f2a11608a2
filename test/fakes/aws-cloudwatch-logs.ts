/**
 * Wire-level fake of CloudWatch Logs (JSON 1.1, X-Amz-Target Logs_20140328.*): FilterLogEvents over
 * log groups a test fills with putEvents (what the runtime's log agent would write), with the
 * request's constraints (logGroupName xor logGroupIdentifier, limit 1..10000, non-negative times),
 * paging through an opaque nextToken, and ResourceNotFoundException for a group that does not exist
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html).
 */
import { FakeAwsError, invalid, Json11Service } from "./aws-wire.js";

interface StoredEvent {
  logStreamName: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
  eventId: string;
}

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

export class FakeCloudWatchLogs extends Json11Service {
  readonly groups = new Map<string, StoredEvent[]>();
  /** Events per FilterLogEvents page (the service's default is up to 10,000 or 1 MB). */
  pageSize = 10_000;
  private nextEventId = 1;

  constructor(readonly region = "us-east-1") {
    super("logs", "logs", region, "Logs_20140328");
  }

  /** Appends events to a stream of a group (created when missing), as the runtime's logging would. */
  putEvents(logGroupName: string, logStreamName: string, events: { timestamp: number; message: string }[]): void {
    const stored = this.groups.get(logGroupName) ?? [];
    for (const e of events) {
      stored.push({ logStreamName, ...e, ingestionTime: Date.now(), eventId: String(this.nextEventId++).padStart(56, "0") });
    }
    this.groups.set(logGroupName, stored);
  }

  protected operation(name: string, input: Record<string, unknown>): unknown {
    if (name === "FilterLogEvents") return this.filterLogEvents(input);
    throw invalid("UnknownOperationException", `fake CloudWatch Logs does not implement ${name}`);
  }

  private filterLogEvents(input: Record<string, unknown>) {
    const group = input.logGroupName;
    if ((group === undefined) === (input.logGroupIdentifier === undefined)) {
      throw invalid("InvalidParameterException", "Exactly one of logGroupName and logGroupIdentifier must be given.");
    }
    if (group !== undefined && (typeof group !== "string" || !LOG_GROUP_NAME.test(group))) {
      throw invalid(
        "InvalidParameterException",
        `1 validation error detected: Value '${String(group)}' at 'logGroupName' failed to satisfy constraint`,
      );
    }
    for (const key of ["startTime", "endTime"] as const) {
      const v = input[key];
      if (v !== undefined && (typeof v !== "number" || !Number.isInteger(v) || v < 0)) {
        throw invalid("InvalidParameterException", `${key} must be a non-negative long (milliseconds since the epoch)`);
      }
    }
    const limit = input.limit;
    if (limit !== undefined && (typeof limit !== "number" || limit < 1 || limit > 10_000)) {
      throw invalid("InvalidParameterException", "limit must be between 1 and 10000");
    }
    const stored = this.groups.get(String(group ?? input.logGroupIdentifier));
    if (!stored) throw new FakeAwsError(400, "ResourceNotFoundException", "The specified log group does not exist.");
    const start = (input.startTime as number | undefined) ?? 0;
    const end = (input.endTime as number | undefined) ?? Number.POSITIVE_INFINITY;
    const streams = input.logStreamNames as string[] | undefined;
    const matching = stored
      .filter((e) => e.timestamp >= start && e.timestamp <= end && (!streams || streams.includes(e.logStreamName)))
      .sort((a, b) => a.timestamp - b.timestamp);
    const offset = typeof input.nextToken === "string" ? Number(Buffer.from(input.nextToken, "base64url").toString("utf8")) : 0;
    if (Number.isNaN(offset)) throw invalid("InvalidParameterException", "The given nextToken is invalid.");
    const size = Math.min(this.pageSize, (limit as number | undefined) ?? 10_000);
    const page = matching.slice(offset, offset + size);
    const more = offset + size < matching.length;
    return {
      events: page,
      searchedLogStreams: [...new Set(stored.map((e) => e.logStreamName))].map((logStreamName) => ({
        logStreamName,
        searchedCompletely: true,
      })),
      ...(more ? { nextToken: Buffer.from(String(offset + size)).toString("base64url") } : {}),
    };
  }
}
