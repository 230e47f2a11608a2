import type { Command } from "commander";
import { run } from "./run.js";

export function register(program: Command): void {
  program
    .command("agents")
    .description(
      "List the agents of .agentcore.json: protocol, inbound auth, deploy mode, local runtime, cloud deployment, and the default",
    )
    .addHelpText(
      "after",
      `
The cloud column is what .agentcore.json records of the last launch (no AWS call); \`status\` asks AWS.

Examples:
  $ agentcore-ts agents
  $ agentcore-ts agents --json
  $ agentcore-ts configure --set-default other_agent   # what commands without --agent act on`,
    )
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (ctx) => {
        const [{ agents }, { printAgents }, { outcome }] = await Promise.all([
          import("../commands/agents/agents.js"),
          import("../commands/agents/print.js"),
          import("../core/context.js"),
        ]);
        return outcome(await agents(ctx), printAgents);
      });
    });
}
