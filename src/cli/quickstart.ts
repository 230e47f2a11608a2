import type { Command } from "commander";
import type { QuickstartInputs } from "../commands/quickstart/types.js";
import { run } from "./run.js";

/** commander's flags: the operation's inputs as they are (type-only import: nothing loads). */
export type QuickstartFlags = QuickstartInputs;

export function register(program: Command): void {
  program
    .command("quickstart")
    .description(
      "The whole Inbound Auth workflow on this machine, no AWS account needed: embedded Cognito, cognito setup, configure the example agent, launch --local, invoke without and with a token, token refresh",
    )
    .option("--local", "run everything locally: embedded Cognito, the agent as a process behind the inbound-auth gateway (required)")
    .option("--dir <path>", "project directory, created or reused (default: ./agentcore-quickstart)")
    .option("--force", "use a non-empty directory that is not a quickstart project, and restore edited example files")
    .option("--port <port>", "the local gateway's port on 127.0.0.1 (default: 8081 when free, else a free port; 0: any free port)")
    .option("-p, --protocol <protocol>", "HTTP (default: the example agent) or MCP (the example MCP server: tools/list and tools/call)")
    .option("--agent-port <port>", "the agent's port on 127.0.0.1 (default: 8080 when free, else a free port)")
    .addHelpText(
      "after",
      `
Creates its project in ./agentcore-quickstart (or --dir) and leaves it there; rerunning reuses it.
Each step prints what it did and the equivalent command. Exit 0 only when every step gave its
expected result; a failed step stops the run, and everything started is stopped (also on Ctrl-C).

Examples:
  $ agentcore-ts quickstart --local
  $ agentcore-ts quickstart --local --dir ~/inbound-auth-demo
  $ agentcore-ts quickstart --local --protocol MCP --dir ~/mcp-demo   # an MCP server behind the JWT authorizer
  $ agentcore-ts quickstart --local --json      # one document: each step's name, ok and key facts`,
    )
    .action(async (flags: QuickstartFlags, command: Command) => {
      await run(command, async (ctx) => {
        const [{ quickstart }, { printQuickstart }, { outcome }] = await Promise.all([
          import("../commands/quickstart/quickstart.js"),
          import("../commands/quickstart/print.js"),
          import("../core/context.js"),
        ]);
        return outcome(await quickstart(flags, ctx), printQuickstart);
      });
    });
}
