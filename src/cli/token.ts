import type { Command } from "commander";
import { run } from "./run.js";

export function register(program: Command): void {
  const token = program
    .command("token")
    .description("The cached Cognito access token: refresh it, show it, verify it against an agent's authorizer");

  token
    .command("refresh")
    .description("Get a new access token (refresh token first; the password when the refresh token is missing, expired or revoked)")
    .option("--agent <name>", "refresh the token that fits this agent's authorizer (default: the project's Cognito user)")
    .option("--password-stdin", "read the password for the fallback login from stdin (else COGNITO_PASSWORD, else a prompt)")
    .addHelpText(
      "after",
      `
Examples:
  $ agentcore-ts token refresh
  $ COGNITO_PASSWORD='…' agentcore-ts token refresh       # when the refresh token has expired
  $ agentcore-ts token refresh --json                     # expiry and claims, never the token`,
    )
    .action(async (flags: { agent?: string; passwordStdin?: boolean }, command: Command) => {
      await run(command, async (ctx) => {
        const [{ tokenRefresh }, { printTokenRefresh }, { outcome }] = await Promise.all([
          import("../commands/token/refresh.js"),
          import("../commands/token/print.js"),
          import("../core/context.js"),
        ]);
        return outcome(await tokenRefresh({ agentName: flags.agent, passwordStdin: flags.passwordStdin }, ctx), printTokenRefresh);
      });
    });

  token
    .command("show")
    .description("Show the cached access token's claims and expiry (the token masked), or --raw the bare token")
    .option("--agent <name>", "the token that fits this agent's authorizer (default: the project's Cognito user)")
    .option("--raw", "print only the access token (fails when it has expired)")
    .addHelpText(
      "after",
      `
Examples:
  $ agentcore-ts token show
  $ curl -H "Authorization: Bearer $(agentcore-ts token show --raw)" …`,
    )
    .action(async (flags: { agent?: string; raw?: boolean }, command: Command) => {
      await run(command, async (ctx) => {
        const [{ tokenShow }, { printTokenShow }, { outcome }] = await Promise.all([
          import("../commands/token/show.js"),
          import("../commands/token/print.js"),
          import("../core/context.js"),
        ]);
        return outcome(await tokenShow({ agentName: flags.agent, raw: flags.raw }, ctx), printTokenShow);
      });
    });

  token
    .command("verify")
    .description("Check a token the way AgentCore Runtime will, against an agent's customJWTAuthorizer; exit 1 if it would be rejected")
    .option("--agent <name>", "agent whose authorizer to check against (default: the default agent)")
    .option("--token <jwt>", "the token to check (default: the cached one fitting the authorizer)")
    .option("--token-stdin", "read the token to check from stdin (keeps it out of shell history)")
    .addHelpText(
      "after",
      `
Checks: discovery document, JWKS signature, iss, exp/nbf, client_id in allowedClients,
aud in allowedAudience, a scope in allowedScopes, customClaims. Each failure says why and the fix.

Examples:
  $ agentcore-ts token verify
  $ agentcore-ts token verify --agent my_agent --json
  $ pbpaste | agentcore-ts token verify --token-stdin`,
    )
    .action(async (flags: { agent?: string; token?: string; tokenStdin?: boolean }, command: Command) => {
      await run(command, async (ctx) => {
        const [{ tokenVerify }, { printTokenVerify }, { outcome }] = await Promise.all([
          import("../commands/token/verify.js"),
          import("../commands/token/print.js"),
          import("../core/context.js"),
        ]);
        const result = await tokenVerify({ agentName: flags.agent, token: flags.token, tokenStdin: flags.tokenStdin }, ctx);
        return outcome(result, printTokenVerify, result.allowed ? 0 : 1);
      });
    });
}
