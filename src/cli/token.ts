import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { run } from "./run.js";

// Placeholder registration: replaced by the issue that delivers `token`.
export function register(program: Command): void {
  program
    .command("token")
    .description("token refresh|show|verify (not implemented yet)")
    .allowUnknownOption()
    .action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      await run(command, async () => {
        throw new UsageError("`token` is not implemented yet.");
      });
    });
}
