/**
 * `token verify`: checks a token the way AgentCore Runtime will, against an agent's
 * customJWTAuthorizer (src/auth/authorizer.ts does the checking); the result lists every check with
 * pass/fail and, for a failure, why and the fix. Exit 1 when the runtime would reject it.
 */
import { JwtAuthorizer } from "../../auth/authorizer.js";
import { readSecretFromStdin } from "../../auth/cognito.js";
import { TokenCache } from "../../auth/token-cache.js";
import { issuerFromDiscoveryUrl, matchCachedTokens, poolIdFromDiscoveryUrl } from "../../auth/tokens.js";
import { maskToken } from "../../config/secrets.js";
import { requireConfig, selectAgent } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { ensureEmbeddedCognito, isEmbeddedCognitoUrl } from "../../embedded-cognito/control.js";
import { AgentcoreError, UsageError } from "../../errors.js";
import { summaryClaims } from "./format.js";
import { noAuthorizerError } from "./target.js";
import type { TokenVerifyInput, TokenVerifyResult } from "./types.js";

export type VerifyContext = Pick<CommandContext, "cwd" | "env" | "stdin">;

async function tokenToVerify(
  input: TokenVerifyInput,
  ctx: VerifyContext,
  match: () => Promise<{ token: string; username: string; note?: string } | undefined>,
) {
  if (input.token !== undefined && input.tokenStdin) {
    throw new UsageError("Pass the token with --token or --token-stdin, not both.", { code: "ConflictingFlags" });
  }
  const strip = (t: string) => t.trim().replace(/^Bearer\s+/i, "");
  if (input.token !== undefined) {
    if (strip(input.token) === "") throw new UsageError("--token is empty.", { code: "EmptyToken" });
    return { token: strip(input.token), source: "flag" as const };
  }
  if (input.tokenStdin) {
    return { token: strip(await readSecretFromStdin(ctx.stdin, { flag: "--token-stdin", name: "token" })), source: "stdin" as const };
  }
  // The token invoke would send: COGNITO_ACCESS_TOKEN wins over the cache there, so it is the one checked here.
  const fromEnv = ctx.env.COGNITO_ACCESS_TOKEN?.trim();
  if (fromEnv) return { token: strip(fromEnv), source: "env" as const };
  const cached = await match();
  if (!cached) return undefined;
  return { token: cached.token, source: "cache" as const, username: cached.username, ...(cached.note ? { note: cached.note } : {}) };
}

export async function tokenVerify(input: TokenVerifyInput, ctx: VerifyContext): Promise<TokenVerifyResult> {
  const loaded = await requireConfig(ctx.cwd, ctx.env);
  const agent = selectAgent(loaded, input.agentName);
  const authorizer = agent.authorizerConfiguration?.customJWTAuthorizer;
  if (!authorizer) throw noAuthorizerError(agent);
  const chosen = await tokenToVerify(input, ctx, async () => {
    const entries = await new TokenCache(ctx.env).entries();
    const [entry] = matchCachedTokens(entries, { authorizer, cognito: loaded.config.cognito });
    if (entry) return { token: entry.accessToken, username: entry.username };
    // None fits (a wrong allowedClients, say): a token of the same issuer shows which check fails, and the fix.
    const issuer = issuerFromDiscoveryUrl(authorizer.discoveryUrl);
    const poolId = poolIdFromDiscoveryUrl(authorizer.discoveryUrl);
    const [sameIssuer] = entries
      .filter((e) => e.issuer === issuer || (poolId !== undefined && e.userPoolId === poolId))
      .sort((a, b) => Date.parse(b.accessTokenExpiresAt) - Date.parse(a.accessTokenExpiresAt));
    return sameIssuer
      ? {
          token: sameIssuer.accessToken,
          username: sameIssuer.username,
          note: `no cached token fits the authorizer; this one is from the same issuer (client ${sameIssuer.clientId})`,
        }
      : undefined;
  });
  if (!chosen) {
    throw new AgentcoreError(`No cached token fits agent "${agent.name}"'s authorizer (${authorizer.discoveryUrl}).`, {
      code: "NoAccessToken",
      hint: "Run `agentcore-ts cognito setup` or `agentcore-ts token refresh`, or pass one with --token / --token-stdin.",
    });
  }

  // A local pool's discovery document and JWKS come from the embedded Cognito: run it while checking.
  const embedded = isEmbeddedCognitoUrl(authorizer.discoveryUrl, ctx.env) ? await ensureEmbeddedCognito(ctx.env) : undefined;
  let decision: Awaited<ReturnType<JwtAuthorizer["authorize"]>>;
  try {
    decision = await new JwtAuthorizer(authorizer).authorize(chosen.token);
  } finally {
    await embedded?.stop();
  }

  return {
    agent: agent.name,
    discoveryUrl: authorizer.discoveryUrl,
    token: {
      source: chosen.source,
      masked: maskToken(chosen.token),
      ...("username" in chosen && chosen.username ? { username: chosen.username } : {}),
      ...("note" in chosen && chosen.note ? { note: chosen.note } : {}),
    },
    allowed: decision.allowed,
    ...(decision.allowed ? {} : { httpStatus: decision.httpStatus, errorType: decision.errorType, message: decision.message }),
    checks: decision.checks,
    ...(decision.claims ? { claims: summaryClaims(decision.claims) } : {}),
  };
}
