import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { run } from "./run.js";

// Placeholder registration: replaced by the issue that delivers `destroy`.
export function register(program: Command): void {
  program
    .command("destroy")
    .description("delete a launched agent runtime (not implemented yet)")
    .allowUnknownOption()
    .action(async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      await run(command, async () => {
        throw new UsageError("`destroy` is not implemented yet.");
      });
    });
}
