import type { Command } from "commander";
import { run } from "./run.js";

export interface LogsFlags {
  agent?: string;
  follow?: boolean;
  since?: string;
}

export function register(program: Command): void {
  program
    .command("logs")
    .description("Print the deployed agent's logs from its CloudWatch log group, each line with its time and stream")
    .option("--agent <name>", "agent whose logs to print (default: the default agent)")
    .option("-f, --follow", "keep printing new lines as they arrive (Ctrl-C stops)")
    .option("--since <when>", "start this far back (30s, 10m, 2h, 1d) or at an ISO 8601 time (default 1h)")
    .addHelpText(
      "after",
      `
Each line shows its time and its CloudWatch log stream.

Examples:
  $ agentcore-ts logs --since 10m
  $ agentcore-ts logs --follow
  $ agentcore-ts logs --agent my_agent --json`,
    )
    .action(async (flags: LogsFlags, command: Command) => {
      await run(command, async (ctx) => {
        const [{ logs }, print, { outcome }] = await Promise.all([
          import("../commands/logs/logs.js"),
          import("../commands/logs/print.js"),
          import("../core/context.js"),
        ]);
        const result = await logs({ agentName: flags.agent, follow: flags.follow, since: flags.since }, ctx, {
          report: print.logsReporter(ctx.output),
        });
        // --follow printed every line as it came.
        return flags.follow ? undefined : outcome(result, print.printLogs);
      });
    });
}
