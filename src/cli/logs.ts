import type { Command } from "commander";
import { run } from "./run.js";

export interface LogsFlags {
  agent?: string;
  follow?: boolean;
  since?: string;
  local?: boolean;
}

export function register(program: Command): void {
  program
    .command("logs")
    .description(
      "Print the deployed agent's logs from its CloudWatch log group, or (--local) the running local runtime's agent output and request log, each line with its time and source",
    )
    .option("--agent <name>", "agent whose logs to print (default: the default agent)")
    .option("-f, --follow", "keep printing new lines as they arrive (Ctrl-C stops; --local: also the local runtime stopping)")
    .option("--since <when>", "start this far back (30s, 10m, 2h, 1d) or at an ISO 8601 time (default 1h; --local: the whole run)")
    .option("--local", "the local runtime started by `launch --local`: the agent's output and the gateway's requests, merged by time")
    .addHelpText(
      "after",
      `
Each line shows its time and its CloudWatch log stream; with --local, its source (agent, agent:stderr or gateway).

Examples:
  $ agentcore-ts logs --since 10m
  $ agentcore-ts logs --follow
  $ agentcore-ts logs --local --follow
  $ agentcore-ts logs --agent my_agent --json`,
    )
    .action(async (flags: LogsFlags, command: Command) => {
      await run(command, async (ctx) => {
        const [print, { outcome }] = await Promise.all([import("../commands/logs/print.js"), import("../core/context.js")]);
        const inputs = { agentName: flags.agent, follow: flags.follow, since: flags.since };
        // --follow prints every line as it comes: no document at the end.
        if (flags.local) {
          const { logsLocal } = await import("../commands/logs/local.js");
          const result = await logsLocal(inputs, ctx, { report: print.localLogsReporter(ctx.output) });
          return flags.follow ? undefined : outcome(result, print.printLocalLogs);
        }
        const { logs } = await import("../commands/logs/logs.js");
        const result = await logs(inputs, ctx, { report: print.logsReporter(ctx.output) });
        return flags.follow ? undefined : outcome(result, print.printLogs);
      });
    });
}
