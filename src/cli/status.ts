import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { run } from "./run.js";

// Placeholder registration: replaced by the issue that delivers `status`.
export function register(program: Command): void {
  program
    .command("status")
    .description("show the agent's status (not implemented yet)")
    .allowUnknownOption()
    .action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      await run(command, async () => {
        throw new UsageError("`status` is not implemented yet.");
      });
    });
}
