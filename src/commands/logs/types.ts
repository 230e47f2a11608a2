/** The inputs and results of `logs` (CloudWatch for a deployed agent; --local: the running local runtime's logs). */
import type { GatewayLogEvent } from "../../local/gateway.js";
import type { LocalRuntimeMode } from "../../local/runtime-state.js";

export interface LogsInputs {
  agentName?: string;
  follow?: boolean;
  /** "10m", "2h", "1d", "30s" or an ISO 8601 time; default 1h. */
  since?: string;
}

/** One log line: when, from which stream, what. */
export interface LogLine {
  /** ISO 8601. */
  time: string;
  stream: string;
  message: string;
}

export interface LogsResult {
  agent: string;
  region: string;
  logGroup: string;
  /** ISO 8601: the start of the window read. */
  since: string;
  /** False when the log group does not exist yet (the runtime has not started). */
  logGroupExists: boolean;
  events: LogLine[];
}

/** What `logs --follow` reports as it runs: each new line as it arrives, the wait for a missing group, the fall back to polling. */
export interface LogsReporter {
  line(line: LogLine): void;
  waiting(logGroup: string): void;
  /** StartLiveTail is not available (`reason`): FilterLogEvents is polled instead. */
  polling(reason: string): void;
}

/** The inputs of `logs --local`: the running local runtime's logs. */
export interface LocalLogsInputs {
  agentName?: string;
  follow?: boolean;
  /** As for the cloud; default: everything the running local runtime logged. */
  since?: string;
}

/** A line of the agent's output (stdout or stderr), stamped when the runtime received it. */
export interface LocalAgentLine {
  /** ISO 8601. */
  time: string;
  source: "agent";
  stream: "stdout" | "stderr";
  message: string;
}

/** A request the local gateway answered, stamped when it ended: the access-log fields and the access-log line as `message`. */
export interface LocalGatewayLine extends GatewayLogEvent {
  time: string;
  source: "gateway";
  message: string;
}

export type LocalLogLine = LocalAgentLine | LocalGatewayLine;

export interface LocalLogsResult {
  agent: string;
  mode: LocalRuntimeMode;
  /** ISO 8601, when --since was given. */
  since?: string;
  /** The JSON-lines files read, and the agent's plain text log. */
  files: { agent: string; requests: string; text: string };
  events: LocalLogLine[];
}

/** What `logs --local --follow` reports as it runs: each line as it arrives, and the end of the runtime it follows. */
export interface LocalLogsReporter {
  line(line: LocalLogLine): void;
  runtimeStopped(agent: string): void;
}
