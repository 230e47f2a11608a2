/**
 * The bridge between commander and an operation: builds the CommandContext from the global flags,
 * runs the handler, prints errors (message + hint; the stack only with --verbose) and sets the exit
 * code. No command file catches errors itself.
 */
import type { Command } from "commander";
import type { CommandContext, CommandOutcome, GlobalOptions } from "../core/context.js";

// Every command file imports `run`, so this module loads on every start, `--help` included. What it
// needs (output, prompts, colours, the context and its AWS factory) is imported inside `run`, when a
// command actually runs: that keeps startup within 2.5x `node -e 0` (bench/startup.mjs).

interface RawGlobals {
  region?: string;
  profile?: string;
  json?: boolean;
  verbose?: boolean;
  nonInteractive?: boolean;
  interactive?: boolean;
}

export function globalsOf(command: Command): GlobalOptions {
  const raw = command.optsWithGlobals<RawGlobals>();
  return {
    region: raw.region,
    profile: raw.profile,
    json: raw.json === true,
    verbose: raw.verbose === true,
    // commander turns --non-interactive into { interactive: false }.
    nonInteractive: raw.nonInteractive === true || raw.interactive === false,
  };
}

export async function run(
  command: Command,
  // biome-ignore lint/suspicious/noExplicitAny: each command's outcome carries its own result type; run only hands it back to its printer.
  handler: (ctx: CommandContext) => Promise<undefined | CommandOutcome<any>>,
): Promise<void> {
  const globals = globalsOf(command);
  const [{ ConsoleOutput }, { InquirerPrompter, NonInteractivePrompter, isInteractive }, { createContext }] = await Promise.all([
    import("../ui/output.js"),
    import("../ui/prompts.js"),
    import("../core/context.js"),
  ]);
  const output = new ConsoleOutput({ json: globals.json, verbose: globals.verbose });
  const interactive = !globals.json && isInteractive({ nonInteractive: globals.nonInteractive });
  const ctx = createContext({
    cwd: process.cwd(),
    env: process.env,
    globals: { ...globals, nonInteractive: !interactive },
    output,
    prompter: interactive ? new InquirerPrompter() : new NonInteractivePrompter(),
    stdin: process.stdin,
  });
  // Safety net: if the event loop empties while the command is still pending (e.g. Ctrl-D at a
  // prompt closes stdin and @inquirer never settles), Node would exit 0 as if it had succeeded.
  let settled = false;
  const abandoned = () => {
    if (settled) return;
    settled = true;
    process.stderr.write("✖ The command stopped before it finished: its input ended (Ctrl-D?) while it was waiting.\n");
    process.exitCode = 130;
  };
  process.once("beforeExit", abandoned);
  try {
    const outcome = await handler(ctx);
    if (outcome?.result !== undefined) {
      if (globals.json) process.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
      else outcome.print?.(outcome.result, output);
    }
    if (outcome && outcome.exitCode !== undefined) process.exitCode = outcome.exitCode;
  } catch (error) {
    await reportError(error, globals);
  } finally {
    settled = true;
    process.removeListener("beforeExit", abandoned);
  }
}

export async function reportError(error: unknown, globals: Pick<GlobalOptions, "json" | "verbose">): Promise<void> {
  // Ctrl-C inside an @inquirer prompt: every command asks before it changes anything, so say that, and
  // leave with the conventional code (128 + SIGINT).
  if (error instanceof Error && error.name === "ExitPromptError") {
    process.stderr.write("✖ Cancelled at the prompt: nothing was changed.\n");
    process.exitCode = 130;
    return;
  }
  const [{ AgentcoreError, toAgentcoreError }, { colorsFor }] = await Promise.all([import("../errors.js"), import("../ui/style.js")]);
  const failure = toAgentcoreError(error);
  const c = colorsFor(process.stderr);
  process.stderr.write(`${c.red("✖")} ${failure.message}\n`);
  if (failure.hint) process.stderr.write(`  ${c.dim("hint:")} ${failure.hint}\n`);
  if (globals.verbose) {
    const root = failure.cause instanceof Error ? failure.cause : failure;
    process.stderr.write(`${c.dim(root.stack ?? String(root))}\n`);
  } else if (!(error instanceof AgentcoreError) && failure.code !== "FileSystemError") {
    process.stderr.write(`  ${c.dim("(run with --verbose for details)")}\n`);
  }
  if (globals.json) process.stdout.write(`${JSON.stringify(failure.toJSON(), null, 2)}\n`);
  process.exitCode = failure.exitCode;
}
