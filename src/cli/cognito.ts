import type { Command } from "commander";
import type { CognitoSetupInput } from "../commands/cognito/setup.js";
import { run } from "./run.js";

export function register(program: Command): void {
  const cognito = program
    .command("cognito")
    .description("A Cognito user pool, app client and test user for inbound auth (in AWS, or in the embedded local Cognito)");

  cognito
    .command("setup")
    .description("Create (or reuse) a user pool, a public app client and a test user, log in, and save the discovery URL and client id")
    .option("--pool-name <name>", "user pool name (default: agentcore-ts-<project directory>, or the recorded one)")
    .option("--client-name <name>", "app client name (default: <pool name>-client)")
    .option("--username <name>", "test user (default: testuser, or the recorded one)")
    .option("--password-stdin", "read the test user's password from stdin (else COGNITO_PASSWORD, a prompt, or a generated one)")
    .option("--reset-password", "set a new password for an existing user (the given one, else a generated one)")
    .option("--local", "use the embedded local Cognito on 127.0.0.1 (no AWS account or network needed)")
    .option("--no-local", "use Cognito in AWS even when the recorded setup is local")
    .option("--m2m", "also set up machine-to-machine tokens: a resource server, a domain, a confidential client, a first token")
    .option("--scopes <names...>", "with --m2m: scope names besides invoke on the resource server")
    .option("--domain <prefix>", "with --m2m: the user pool domain prefix (default: derived from the pool name)")
    .option(
      "--browser-login",
      "enable the browser sign-in (authorization code + PKCE) on the app client: a domain and a localhost callback",
    )
    .option("--redirect-port <port>", "with --browser-login: the callback http://localhost:<port>/callback (default 8976)", (v) =>
      Number(v),
    )
    .option("--write-token-to-env", "also write the access token to .env as COGNITO_ACCESS_TOKEN (keep .env out of git!)")
    .addHelpText(
      "after",
      `
Writes the ids (never a token or password) to .agentcore.json (cognito) and COGNITO_DISCOVERY_URL,
COGNITO_CLIENT_ID and AWS_REGION to .env; the tokens go to the token cache (AGENTCORE_TS_HOME, 0600).
Rerunning reuses the pool, client and user and creates nothing new.

Examples:
  $ agentcore-ts cognito setup --region us-west-2
  $ agentcore-ts cognito setup --local                       # offline, on the embedded Cognito
  $ printf '%s' "$PW" | agentcore-ts cognito setup --password-stdin
  $ COGNITO_PASSWORD='…' agentcore-ts cognito setup --username alice
  $ agentcore-ts cognito setup --local --m2m --scopes read write   # then: agentcore-ts token get`,
    )
    .action(async (flags: CognitoSetupInput, command: Command) => {
      await run(command, async (ctx) => {
        const [{ cognitoSetup }, { printCognitoSetup }, { outcome }] = await Promise.all([
          import("../commands/cognito/setup.js"),
          import("../commands/cognito/print.js"),
          import("../core/context.js"),
        ]);
        return outcome(await cognitoSetup(flags, ctx), printCognitoSetup);
      });
    });

  cognito
    .command("delete")
    .description("Delete the user pool `cognito setup` recorded, its cognito section in .agentcore.json and its cached tokens")
    .option("-y, --yes", "do not ask for confirmation")
    .addHelpText(
      "after",
      `
Examples:
  $ agentcore-ts cognito delete
  $ agentcore-ts cognito delete --yes`,
    )
    .action(async (flags: { yes?: boolean }, command: Command) => {
      await run(command, async (ctx) => {
        const [{ cognitoDelete }, { printCognitoDelete }, { outcome }] = await Promise.all([
          import("../commands/cognito/delete.js"),
          import("../commands/cognito/print.js"),
          import("../core/context.js"),
        ]);
        return outcome(await cognitoDelete({ yes: flags.yes }, ctx), printCognitoDelete);
      });
    });

  const local = cognito
    .command("local")
    .description("The embedded local Cognito (starts on demand by itself; these keep it running between commands)")
    .addHelpText(
      "after",
      `
It listens on 127.0.0.1:19229 for the default home (another AGENTCORE_TS_HOME gets a stable port derived from its
path; AGENTCORE_TS_COGNITO_PORT overrides) and keeps its pools under AGENTCORE_TS_HOME/cognito-local.

Examples:
  $ agentcore-ts cognito local start            # foreground; Ctrl-C stops it
  $ agentcore-ts cognito local start --detach   # background, with a pid file
  $ agentcore-ts cognito local status
  $ agentcore-ts cognito local stop`,
    );

  local
    .command("start")
    .description("Start the embedded Cognito (foreground, or in the background with --detach)")
    .option("--detach", "run in the background and return at once")
    .addHelpText("after", "\nExample:\n  $ agentcore-ts cognito local start --detach")
    .action(async (flags: { detach?: boolean }, command: Command) => {
      await run(command, async (ctx) => {
        const [{ cognitoLocalStart }, { cognitoLocalReporter, printCognitoLocalStart }, { outcome }] = await Promise.all([
          import("../commands/cognito/local.js"),
          import("../commands/cognito/print.js"),
          import("../core/context.js"),
        ]);
        // In the foreground what it says (its --json document included) goes out while it runs, through the
        // reporter, and nothing is returned; a reused or detached start returns its result.
        const result = await cognitoLocalStart({ detach: flags.detach }, ctx, { report: cognitoLocalReporter(ctx.output) });
        return result && outcome(result, printCognitoLocalStart);
      });
    });

  local
    .command("stop")
    .description("Stop the embedded Cognito (its data stays)")
    .addHelpText("after", "\nExample:\n  $ agentcore-ts cognito local stop")
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (ctx) => {
        const [{ cognitoLocalStop }, { printCognitoLocalStop }, { outcome }] = await Promise.all([
          import("../commands/cognito/local.js"),
          import("../commands/cognito/print.js"),
          import("../core/context.js"),
        ]);
        return outcome(await cognitoLocalStop(ctx), printCognitoLocalStop);
      });
    });

  local
    .command("status")
    .description("Say whether the embedded Cognito runs, where, and how many user pools it holds")
    .addHelpText("after", "\nExample:\n  $ agentcore-ts cognito local status --json")
    .action(async (_flags: unknown, command: Command) => {
      await run(command, async (ctx) => {
        const [{ cognitoLocalStatus }, { printCognitoLocalStatus }, { outcome }] = await Promise.all([
          import("../commands/cognito/local.js"),
          import("../commands/cognito/print.js"),
          import("../core/context.js"),
        ]);
        return outcome(await cognitoLocalStatus(ctx), printCognitoLocalStatus);
      });
    });
}
