/**
 * `token refresh`: new tokens for the project's Cognito user (or the user matching --agent's
 * authorizer). REFRESH_TOKEN_AUTH with the cached refresh token; when it is missing, expired or
 * revoked, USER_PASSWORD_AUTH with the password from --password-stdin, COGNITO_PASSWORD or a prompt.
 */
import path from "node:path";
import { decodeClaims, promptPassword, suppliedPassword } from "../../auth/cognito.js";
import type { CachedTokens } from "../../auth/token-cache.js";
import { type RenewMethod, renewTokens } from "../../auth/tokens.js";
import { findConfigFile } from "../../config/store.js";
import type { CommandContext } from "../../core/context.js";
import { AgentcoreError } from "../../errors.js";
import { readDotenvFile, updateDotenvFile } from "../../util/dotenv-file.js";
import { summaryClaims } from "./format.js";
import { resolveTokenTarget } from "./target.js";
import type { TokenRefreshInput, TokenRefreshResult } from "./types.js";

// The quickstart may import only this entry point of the folder (test/architecture): its types are re-exported here.
export type { TokenRefreshInput, TokenRefreshResult } from "./types.js";

export type RefreshContext = Pick<CommandContext, "cwd" | "env" | "output" | "prompter" | "stdin" | "aws">;

export async function tokenRefresh(input: TokenRefreshInput, ctx: RefreshContext): Promise<TokenRefreshResult> {
  const { output } = ctx;
  const resolved = await resolveTokenTarget(input.agentName, ctx);
  const key = resolved.key;
  if (!key) {
    throw new AgentcoreError(
      input.agentName
        ? `No cached tokens fit agent "${input.agentName}"'s authorizer, and the project's Cognito user does not either.`
        : "Nothing to refresh: no Cognito setup is recorded in .agentcore.json and the token cache is empty.",
      { code: "NoAccessToken", hint: "Run `agentcore-ts cognito setup` first (or pass a token to commands with --bearer-token)." },
    );
  }
  if (resolved.entry?.flow) {
    const { renewOAuthEntry } = await import("../../auth/oauth-tokens.js");
    const oauthEntry = resolved.entry;
    const renewed = await output.task(`Renew the ${oauthEntry.flow?.replace("_", " ")} token of "${oauthEntry.username}"`, async () =>
      renewOAuthEntry(oauthEntry, { env: ctx.env, aws: await ctx.aws(oauthEntry.region || undefined), cache: resolved.cache }),
    );
    return withCopies(refreshResult(renewed.entry, renewed.method), oauthEntry.accessToken, renewed.entry.accessToken, ctx);
  }
  const password = async () =>
    (await suppliedPassword({ passwordStdin: input.passwordStdin, stdin: ctx.stdin, env: ctx.env }))?.password ??
    (await promptPassword(ctx.prompter, `Password of "${key.username}"`));
  const { entry, method } = await output.task(`Refresh the access token of "${key.username}"`, async () =>
    renewTokens({
      key,
      previous: resolved.entry,
      aws: await ctx.aws(key.region),
      env: ctx.env,
      password,
      cache: resolved.cache,
      onFallback: (reason) => output.warn(`${reason[0].toUpperCase()}${reason.slice(1)}: logged in with the password instead.`),
    }),
  );
  return withCopies(refreshResult(entry, method), resolved.entry?.accessToken, entry.accessToken, ctx);
}

/**
 * The copies of the token outside the cache: the .env copy `cognito setup --write-token-to-env` wrote is
 * updated when it held the token just replaced (it was asked for); a COGNITO_ACCESS_TOKEN in the
 * environment that is not the new token is stale, and invoke sends it before the cache: said.
 */
async function withCopies(
  result: TokenRefreshResult,
  previous: string | undefined,
  renewed: string,
  ctx: Pick<RefreshContext, "cwd" | "env">,
): Promise<TokenRefreshResult> {
  const configFile = await findConfigFile(ctx.cwd);
  const file = path.join(configFile ? path.dirname(configFile) : ctx.cwd, ".env");
  const text = await readDotenvFile(file);
  if (text !== undefined) {
    const { parse } = await import("dotenv");
    const copy = parse(text).COGNITO_ACCESS_TOKEN?.trim();
    if (copy && copy !== renewed) {
      if (previous !== undefined && copy === previous) {
        await updateDotenvFile(file, { COGNITO_ACCESS_TOKEN: renewed });
        result.dotenv = { file, updated: true };
      } else {
        result.dotenv = { file, updated: false };
      }
    }
  }
  const fromEnv = ctx.env.COGNITO_ACCESS_TOKEN?.trim();
  if (fromEnv && fromEnv !== renewed) result.environmentStale = true;
  return result;
}

function refreshResult(entry: CachedTokens, method: RenewMethod): TokenRefreshResult {
  const expiresAt = new Date(entry.accessTokenExpiresAt);
  const claims = decodeClaims(entry.accessToken);
  return {
    method,
    username: entry.username,
    userPoolId: entry.userPoolId,
    clientId: entry.clientId,
    local: entry.local,
    expiresAt: entry.accessTokenExpiresAt,
    expiresInSeconds: Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000)),
    claims: summaryClaims(claims),
  };
}
