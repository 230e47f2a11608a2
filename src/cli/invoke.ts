import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { run } from "./run.js";

// Placeholder registration: replaced by the issue that delivers `invoke`.
export function register(program: Command): void {
  program
    .command("invoke")
    .description("invoke an agent (not implemented yet)")
    .allowUnknownOption()
    .action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      await run(command, async () => {
        throw new UsageError("`invoke` is not implemented yet.");
      });
    });
}
