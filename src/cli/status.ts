import type { Command } from "commander";
import { run } from "./run.js";

export interface StatusFlags {
  agent?: string;
  local?: boolean;
}

export function register(program: Command): void {
  program
    .command("status")
    .description("Show the agent's runtime and endpoint status, its authorization mode, the cached token's expiry and where its logs are")
    .option("--agent <name>", "agent to show (default: the default agent)")
    .option("--local", "show the local runtime started by `launch --local` instead")
    .addHelpText(
      "after",
      `
Examples:
  $ agentcore-ts status
  $ agentcore-ts status --agent my_agent --json
  $ agentcore-ts status --local`,
    )
    .action(async (flags: StatusFlags, command: Command) => {
      await run(command, async (ctx) => {
        const [print, { outcome }] = await Promise.all([import("../commands/status/print.js"), import("../core/context.js")]);
        if (flags.local) {
          const { statusLocal } = await import("../commands/status/local.js");
          return outcome(await statusLocal({ agentName: flags.agent }, ctx), print.printStatusLocal);
        }
        const { status } = await import("../commands/status/status.js");
        return outcome(await status({ agentName: flags.agent }, ctx), print.printStatus);
      });
    });
}
