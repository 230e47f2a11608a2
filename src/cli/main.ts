/**
 * agentcore-ts: the program, its global flags and the command list. Each command lives in its own
 * file under src/cli/ (registration only) and calls its command under src/commands/<command>/.
 * Nothing heavy is imported here: operations and the AWS SDK load inside the command that runs.
 */
import { Command, CommanderError } from "commander";
import { register as registerAgents } from "./agents.js";
import { register as registerCognito } from "./cognito.js";
import { register as registerConfigure } from "./configure.js";
import { register as registerDestroy } from "./destroy.js";
import { register as registerInvoke } from "./invoke.js";
import { register as registerLaunch } from "./launch.js";
import { register as registerLogs } from "./logs.js";
import { register as registerPackage } from "./package.js";
import { register as registerQuickstart } from "./quickstart.js";
import { register as registerStatus } from "./status.js";
import { register as registerToken } from "./token.js";

export const VERSION = "0.1.0";

export function buildProgram(options: { json?: boolean; writeOut?: (text: string) => void; only?: string } = {}): Command {
  const program = new Command("agentcore-ts")
    // Subcommands copy these settings when they are created (below): every help lists the global flags.
    .configureHelp({ showGlobalOptions: true })
    .configureOutput(options.writeOut ? { writeOut: options.writeOut } : {})
    .description("Take an agent to Amazon Bedrock AgentCore Runtime with Inbound Auth (OAuth/JWT: Amazon Cognito or any OIDC issuer).")
    .version(VERSION, "-V, --version")
    .option("--region <region>", "AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region, .agentcore.json)")
    .option("--profile <name>", "AWS shared-config profile (else AWS_PROFILE)")
    .option("--json", "print one machine-readable JSON document on stdout")
    .option("--verbose", "print details and stack traces")
    .option("--non-interactive", "never prompt (also when stdin is not a terminal or CI=true)")
    .showHelpAfterError(options.json ? false : "(run with --help for usage)")
    .exitOverride()
    .addHelpText(
      "after",
      `
Workflow:
  $ agentcore-ts quickstart --local        the whole workflow offline, on an embedded Cognito
  $ agentcore-ts cognito setup             user pool, app client, test user, access token
  $ agentcore-ts configure --entrypoint agent.py
  $ agentcore-ts launch                    build (linux/arm64), push, create/update the runtime
  $ agentcore-ts invoke '{"prompt":"Hello"}' --bearer`,
    );
  const registrations = options.only ? [COMMANDS[options.only]] : Object.values(COMMANDS);
  for (const register of registrations) register(program);
  return program;
}

/** Every command, in the order `--help` lists them. */
const COMMANDS: Record<string, (program: Command) => void> = {
  quickstart: registerQuickstart,
  cognito: registerCognito,
  configure: registerConfigure,
  agents: registerAgents,
  package: registerPackage,
  launch: registerLaunch,
  status: registerStatus,
  invoke: registerInvoke,
  logs: registerLogs,
  token: registerToken,
  destroy: registerDestroy,
};

/**
 * The command the command line names, when it is one of ours: only it is registered, which spares
 * every run building the other commands' options (a few ms of the everyday `invoke`, bench/invoke.mjs).
 * A bare run, `--help`, `help` and an unknown or misspelt name register them all (commander lists
 * them, or suggests the closest).
 */
export function namedCommand(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") return undefined;
    // The global flags that take a value (buildProgram): their value is not a command name.
    if (arg === "--region" || arg === "--profile") {
      i += 1;
      continue;
    }
    if (arg.startsWith("-")) continue;
    return Object.hasOwn(COMMANDS, arg) ? arg : undefined;
  }
  return undefined;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  // The SDK versions are pinned and support this Node; its notice about *future* releases would
  // otherwise print on every command that touches AWS.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // `agentcore-ts invoke ... | head`: a closed pipe ends the command quietly, like other Unix tools. A
  // closed terminal (EIO) too; a foreground command (launch --local) first stops what it started.
  let outputGone = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (outputGone) return;
      if (error.code !== "EPIPE" && error.code !== "EIO") throw error;
      outputGone = true;
      void import("../core/signals.js").then(({ outputClosed }) => outputClosed(Number(process.exitCode ?? 0)));
    });
  }
  const json = wantsJson(argv);
  // With --json, help and the version become the one JSON document on stdout (below) instead of text.
  const shown: string[] = [];
  const only = namedCommand(argv);
  const program = buildProgram({ ...(json ? { json, writeOut: (text: string) => void shown.push(text) } : {}), ...(only ? { only } : {}) });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every other commander error is a usage error (exit 2).
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      if (!json) return;
      // commander printed any error on stderr; with --json, stdout still gets its one document.
      let document: Record<string, unknown>;
      if (error.code === "commander.version") document = { version: VERSION };
      else if (error.exitCode === 0) document = { version: VERSION, help: shown.join("") };
      else if (error.code === "commander.help") {
        // A command group run without its subcommand: commander showed the group's help on stderr.
        document = { error: "UsageError", message: "a subcommand is required", hint: "Run with --help for usage." };
      } else {
        const message = error.message.replace(/^error: /, "").replace(/\s*\n\s*/g, " ");
        document = { error: "UsageError", message, hint: "Run with --help for usage." };
      }
      process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
      return;
    }
    throw error;
  }
}

/** --json among the options (before a `--`), read from argv because parsing failed. */
function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

await main();
// Leftover keep-alive sockets must not hold a finished command open; foreground commands (launch --local)
// only return from main() once they have stopped.
process.exit(process.exitCode ?? 0);
