/** The human text of `logs`: one line per event, its time and stream first. */
import type { Output } from "../../ui/output.js";
import type { LocalLogLine, LocalLogsReporter, LocalLogsResult, LogLine, LogsReporter, LogsResult } from "./types.js";

/** `TIME [tag] message`, time and tag dimmed: the one shape of every line `logs` prints. */
function stampedLine(time: string, tag: string, message: string, output: Output): string {
  const dim = output.out?.dim ?? ((s: string) => s);
  return `${dim(time)} ${dim(`[${tag}]`)} ${message}`;
}

export function formatLogLine(line: LogLine, output: Output): string {
  return stampedLine(line.time, line.stream, line.message, output);
}

export function printLogs(result: LogsResult, output: Output): void {
  if (!result.logGroupExists) {
    output.info(`No log group ${result.logGroup} yet: the runtime writes it when it first starts (after an invocation).`);
    return;
  }
  if (result.events.length === 0) {
    output.info(`No log events in ${result.logGroup} since ${result.since}.`);
    return;
  }
  for (const line of result.events) output.info(formatLogLine(line, output));
}

/**
 * --follow prints as lines arrive. With --json each event is its own JSON document on one line (a stream
 * of documents, as `jq` and line readers take them), since a followed log has no end to wait for.
 */
export function logsReporter(output: Output): LogsReporter {
  return {
    line(line) {
      if (output.json) output.result(line, { line: true });
      else output.info(formatLogLine(line, output));
    },
    waiting(logGroup) {
      output.warn(`No log group ${logGroup} yet: waiting for the runtime to write it (Ctrl-C stops).`);
    },
    polling(reason) {
      output.warn(`No live tail (${reason}): reading new events with FilterLogEvents every 2 s instead.`);
    },
  };
}

/** `TIME [agent] line`, `TIME [agent:stderr] line` or `TIME [gateway] POST /… 200 12ms caller=…`. */
export function formatLocalLine(line: LocalLogLine, output: Output): string {
  const source = line.source === "agent" && line.stream === "stderr" ? "agent:stderr" : line.source;
  return stampedLine(line.time, source, line.message, output);
}

export function printLocalLogs(result: LocalLogsResult, output: Output): void {
  if (result.events.length === 0) {
    output.info(`No log lines from the local runtime of ${result.agent}${result.since ? ` since ${result.since}` : ""} yet.`);
    return;
  }
  for (const line of result.events) output.info(formatLocalLine(line, output));
}

/** As logsReporter: under --json each line is its own document. */
export function localLogsReporter(output: Output): LocalLogsReporter {
  return {
    line(line) {
      if (output.json) output.result(line, { line: true });
      else output.info(formatLocalLine(line, output));
    },
    runtimeStopped(agent) {
      output.info(`The local runtime of ${agent} stopped: nothing more to follow.`);
    },
  };
}
