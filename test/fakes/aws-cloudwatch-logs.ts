/**
 * Wire-level fake of CloudWatch Logs (JSON 1.1, X-Amz-Target Logs_20140328.*) over log groups a test
 * fills with putEvents (what the runtime's log agent would write):
 * - FilterLogEvents with the request's constraints (logGroupName xor logGroupIdentifier, limit 1..10000,
 *   non-negative times), paging through an opaque nextToken, and ResourceNotFoundException for a group that
 *   does not exist (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html);
 * - StartLiveTail: log groups by ARN (1 to 10), answered over HTTP/1.1 with an event stream
 *   (application/vnd.amazon.eventstream, encoded with the SDK's own codec from @smithy/core/event-streams):
 *   one sessionStart, then a sessionUpdate every `liveTailUpdateMs` (the service: every second) with the events
 *   ingested since (at most 500), until the session times out with a SessionTimeoutException (the service: after
 *   three hours) (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html).
 *   `liveTailRefusal` makes it answer an error instead (AccessDeniedException without logs:StartLiveTail).
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import { EventStreamCodec } from "@smithy/core/event-streams";
import { fromUtf8, toUtf8 } from "@smithy/core/serde";
import { EventStreamOutput, FakeAwsError, invalid, Json11Service } from "./aws-wire.js";

interface StoredEvent {
  logStreamName: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
  eventId: string;
}

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** A log group's ARN as StartLiveTail takes it (no trailing `:*`). */
const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([.\-_/#A-Za-z0-9]{1,512})$/;
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One event-stream message: an event (`:event-type`) or a modeled exception (`:exception-type`), JSON payload. */
function streamMessage(kind: "event" | "exception", type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":message-type": { type: "string", value: kind },
      [kind === "event" ? ":event-type" : ":exception-type"]: { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

interface LiveSession {
  groups: Map<string, string>;
  pending: { group: string; event: StoredEvent }[];
}

export class FakeCloudWatchLogs extends Json11Service {
  readonly groups = new Map<string, StoredEvent[]>();
  /** Events per FilterLogEvents page (the service's default is up to 10,000 or 1 MB). */
  pageSize = 10_000;
  /** StartLiveTail: the interval of sessionUpdate messages and the session's lifetime. */
  liveTailUpdateMs = 1_000;
  liveTailSessionMs = 3 * 3_600_000;
  /** StartLiveTail answers this error instead of a session (e.g. AccessDeniedException). */
  liveTailRefusal: { type: string; message: string; status?: number } | undefined;
  /** Called when a StartLiveTail request arrives, before its session starts (what it does is not in the session). */
  onLiveTailStart: (() => void) | undefined;
  /** The live tail sessions open now. */
  readonly liveSessions = new Set<LiveSession>();
  private nextEventId = 1;

  constructor(
    readonly region = "us-east-1",
    readonly account?: string,
  ) {
    super("logs", "logs", region, "Logs_20140328");
  }

  /** Appends events to a stream of a group (created when missing), as the runtime's logging would. */
  putEvents(logGroupName: string, logStreamName: string, events: { timestamp: number; message: string }[]): void {
    const stored = this.groups.get(logGroupName) ?? [];
    for (const e of events) {
      const event = { logStreamName, ...e, ingestionTime: Date.now(), eventId: String(this.nextEventId++).padStart(56, "0") };
      stored.push(event);
      for (const session of this.liveSessions) if (session.groups.has(logGroupName)) session.pending.push({ group: logGroupName, event });
    }
    this.groups.set(logGroupName, stored);
  }

  protected operation(name: string, input: Record<string, unknown>): unknown {
    if (name === "FilterLogEvents") return this.filterLogEvents(input);
    if (name === "StartLiveTail") return this.startLiveTail(input);
    throw invalid("UnknownOperationException", `fake CloudWatch Logs does not implement ${name}`);
  }

  private startLiveTail(input: Record<string, unknown>) {
    const ids = input.logGroupIdentifiers;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > 10) {
      throw invalid("InvalidParameterException", "logGroupIdentifiers must hold 1 to 10 log group ARNs");
    }
    const groups = new Map<string, string>();
    for (const id of ids) {
      const arn = typeof id === "string" ? LOG_GROUP_ARN.exec(id) : null;
      if (!arn)
        throw invalid("InvalidParameterException", `'${String(id)}' is not a log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME)`);
      if (arn[1] !== this.region || (this.account && arn[2] !== this.account)) {
        throw invalid("InvalidParameterException", `Log group ${String(id)} is not in this account and region`);
      }
      groups.set(arn[3]!, id as string);
    }
    if (input.logStreamNames !== undefined && input.logStreamNamePrefixes !== undefined) {
      throw invalid("InvalidParameterException", "logStreamNames and logStreamNamePrefixes are mutually exclusive");
    }
    if (this.liveTailRefusal) {
      const { status = 400, type, message } = this.liveTailRefusal;
      throw new FakeAwsError(status, type, message);
    }
    for (const group of groups.keys()) {
      if (!this.groups.has(group)) throw new FakeAwsError(400, "ResourceNotFoundException", "The specified log group does not exist.");
    }
    this.onLiveTailStart?.();
    return new EventStreamOutput((res: http.ServerResponse) => this.liveTail(res, groups, ids as string[]));
  }

  private liveTail(res: http.ServerResponse, groups: Map<string, string>, ids: string[]): void {
    const session: LiveSession = { groups, pending: [] };
    this.liveSessions.add(session);
    res.write(streamMessage("event", "sessionStart", { requestId: randomUUID(), sessionId: randomUUID(), logGroupIdentifiers: ids }));
    const updates = setInterval(() => {
      const results = session.pending.splice(0, 500).map(({ group, event }) => ({
        logStreamName: event.logStreamName,
        logGroupIdentifier: groups.get(group),
        message: event.message,
        timestamp: event.timestamp,
        ingestionTime: event.ingestionTime,
      }));
      res.write(streamMessage("event", "sessionUpdate", { sessionMetadata: { sampled: false }, sessionResults: results }));
    }, this.liveTailUpdateMs);
    const timeout = setTimeout(() => {
      end();
      res.end(streamMessage("exception", "SessionTimeoutException", { message: "Live Tail session has timed out." }));
    }, this.liveTailSessionMs);
    const end = () => {
      clearInterval(updates);
      clearTimeout(timeout);
      this.liveSessions.delete(session);
    };
    res.once("close", end);
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
