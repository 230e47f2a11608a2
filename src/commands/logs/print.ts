/** The human text of `logs`: one line per event, its time and stream first. */
import type { Output } from "../../ui/output.js";
import type { LogLine, LogsReporter, LogsResult } from "./types.js";

export function formatLogLine(line: LogLine, output: Output): string {
  const dim = output.out?.dim ?? ((s: string) => s);
  return `${dim(line.time)} ${dim(`[${line.stream}]`)} ${line.message}`;
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
 * --follow prints as lines arrive. With --json each line is its own JSON document (a stream of
 * documents, as `jq` reads them), since a followed log has no end to wait for.
 */
export function logsReporter(output: Output): LogsReporter {
  return {
    line(line) {
      if (output.json) output.result(line);
      else output.info(formatLogLine(line, output));
    },
    waiting(logGroup) {
      output.warn(`No log group ${logGroup} yet: waiting for the runtime to write it (Ctrl-C stops).`);
    },
  };
}
