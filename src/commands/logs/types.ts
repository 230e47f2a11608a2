/** The inputs and results of `logs` (CloudWatch for a deployed agent). */

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

/** What `logs --follow` reports as it runs: each new line as it arrives, and the wait for a missing group. */
export interface LogsReporter {
  line(line: LogLine): void;
  waiting(logGroup: string): void;
}
