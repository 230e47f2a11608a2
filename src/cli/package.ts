import type { Command } from "commander";
import { run } from "./run.js";

interface PackageFlags {
  agent?: string;
  out?: string;
}

export function register(program: Command): void {
  program
    .command("package")
    .description(
      "Build the agent's code-deployment zip here, without AWS: an esbuild bundle (Node/TypeScript) or the source with aarch64 wheels (Python)",
    )
    .option("--agent <name>", "agent to package (default: the default agent)")
    .option("--out <file>", "where to write the zip (default: .agentcore-ts/<agent>.zip in the project directory)")
    .addHelpText(
      "after",
      `
Prints the size, file count, SHA-256, runtime and entry point; --json gives them as one document
(path, bytes, files, sha256, runtime, entryPoint). Files named in .dockerignore stay out (Python);
more than 250 MB zipped or 750 MB unzipped is refused.

Examples:
  $ agentcore-ts package                         # .agentcore-ts/<agent>.zip
  $ agentcore-ts package --agent writer --out dist/writer.zip
  $ agentcore-ts package --json | jq .sha256`,
    )
    .action(async (flags: PackageFlags, command: Command) => {
      await run(command, async (ctx) => {
        const [{ packageAgent }, { printPackage }, { outcome }] = await Promise.all([
          import("../commands/package/package.js"),
          import("../commands/package/print.js"),
          import("../core/context.js"),
        ]);
        return outcome(await packageAgent({ agentName: flags.agent, out: flags.out }, ctx), printPackage);
      });
    });
}
