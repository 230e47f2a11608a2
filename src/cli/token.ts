import type { Command } from "commander";
import { run } from "./run.js";

export function register(program: Command): void {
  const token = program
    .command("token")
    .description("Access tokens: get one from any OAuth issuer, refresh, show or verify the cached one against an agent's authorizer");

  token
    .command("get")
    .description(
      "Get an access token from an OAuth issuer (client credentials, browser sign-in with PKCE, or device code) into the token cache",
    )
    .option("--agent <name>", "defaults from this agent's JWT authorizer (discovery URL, allowed client, allowed scopes)")
    .option("--discovery-url <url>", "the issuer's discovery URL (default: the agent's authorizer, else `cognito setup`'s pool)")
    .option("--client-id <id>", "the OAuth client (default: the authorizer's allowed client, else `cognito setup --m2m`'s client)")
    .option("--client-secret-stdin", "read the client secret from stdin (else AGENTCORE_TS_CLIENT_SECRET, the saved file, or Cognito)")
    .option("--save-client-secret", "keep the secret read from stdin in AGENTCORE_TS_HOME/client-secrets.json (mode 0600)")
    .option("--scope <scope...>", "scopes to ask for (default: the authorizer's allowedScopes, or the M2M client's)")
    .option("--flow <flow>", "client-credentials | authorization-code | device (default: client-credentials when a secret is known)")
    .option("--audience <aud>", "an audience parameter for issuers that want one (Auth0)")
    .option("--resource <uri>", "an RFC 8707 resource indicator")
    .option("--redirect-port <port>", "loopback port of the sign-in redirect http://localhost:<port>/callback (default 8976)")
    .option("--no-browser", "do not open a browser (the sign-in URL is printed either way)")
    .option("--timeout <seconds>", "how long to wait for the browser sign-in (default 300)")
    .option("--force", "get a new token even when the cached one is still good")
    .addHelpText(
      "after",
      `
The token goes to the token cache (AGENTCORE_TS_HOME, 0600), never to stdout; \`invoke\` sends it and
renews it by itself. The client secret is never written anywhere unless --save-client-secret.

Examples:
  $ agentcore-ts token get                                   # after \`cognito setup --m2m\`
  $ printf '%s' "$SECRET" | agentcore-ts token get --discovery-url https://issuer/.well-known/openid-configuration \
      --client-id my-client --client-secret-stdin --scope api/invoke
  $ agentcore-ts token get --flow authorization-code --client-id web-app --redirect-port 8976
  $ agentcore-ts token get --flow device --client-id cli-app`,
    )
    .action(async (flags: Record<string, unknown>, command: Command) => {
      await run(command, async (ctx) => {
        const [{ tokenGet }, { printTokenGet }, { outcome }, { parseTokenGetFlags }] = await Promise.all([
          import("../commands/token/get.js"),
          import("../commands/token/print.js"),
          import("../core/context.js"),
          import("../commands/token/flags.js"),
        ]);
        return outcome(await tokenGet(parseTokenGetFlags(flags), ctx), printTokenGet);
      });
    });

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
