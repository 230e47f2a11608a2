import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { run } from "./run.js";

// Placeholder registration: replaced by the issue that delivers `cognito`.
export function register(program: Command): void {
  program
    .command("cognito")
    .description("cognito setup|delete: a Cognito user pool, app client and test user (not implemented yet)")
    .allowUnknownOption()
    .action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      await run(command, async () => {
        throw new UsageError("`cognito` is not implemented yet.");
      });
    });
}
