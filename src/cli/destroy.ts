import type { Command } from "commander";
import { parseTimeoutFlag } from "../aws/polling.js";
import { run } from "./run.js";

export interface DestroyFlags {
  agent?: string;
  deleteEcrRepo?: boolean;
  yes?: boolean;
  timeout?: string;
}

export function register(program: Command): void {
  program
    .command("destroy")
    .description(
      "Delete the agent's AgentCore runtime (waiting until it is gone) and the IAM roles and CodeBuild project agentcore-ts created for it; optionally its ECR repository",
    )
    .option("--agent <name>", "agent to destroy (default: the default agent)")
    .option("--delete-ecr-repo", "also delete the agent's ECR repository and all its images")
    .option("-y, --yes", "do not ask for confirmation (required when prompts are off)")
    .option("--timeout <seconds>", "longest wait for the runtime to be deleted (default 900)")
    .addHelpText(
      "after",
      `
Only resources agentcore-ts created (tagged agentcore-ts:managed=true) are deleted; a role you
configured yourself is kept. The deployment section of .agentcore.json is cleared.

Examples:
  $ agentcore-ts destroy                          # asks before deleting
  $ agentcore-ts destroy --agent my_agent --yes   # no prompt (scripts, CI)
  $ agentcore-ts destroy --yes --delete-ecr-repo  # also the repository and its images`,
    )
    .action(async (flags: DestroyFlags, command: Command) => {
      await run(command, async (ctx) => {
        const timeoutSeconds = parseTimeoutFlag(flags.timeout);
        const [{ destroy }, { printDestroy }, { outcome }] = await Promise.all([
          import("../commands/destroy/destroy.js"),
          import("../commands/destroy/print.js"),
          import("../core/context.js"),
        ]);
        const result = await destroy({ agentName: flags.agent, deleteEcrRepo: flags.deleteEcrRepo, yes: flags.yes, timeoutSeconds }, ctx);
        return outcome(result, printDestroy);
      });
    });
}
