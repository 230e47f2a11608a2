/**
 * `token refresh`: new tokens for the project's Cognito user (or the user matching --agent's
 * authorizer). REFRESH_TOKEN_AUTH with the cached refresh token; when it is missing, expired or
 * revoked, USER_PASSWORD_AUTH with the password from --password-stdin, COGNITO_PASSWORD or a prompt.
 */
import type { JWTPayload } from "jose";
import { decodeClaims, promptPassword, suppliedPassword } from "../../auth/cognito.js";
import { type RenewMethod, renewTokens } from "../../auth/tokens.js";
import type { CommandContext } from "../../core/context.js";
import { AgentcoreError } from "../../errors.js";
import { describeExpiry } from "../../ui/format.js";
import { summaryClaims } from "./format.js";
import { resolveTokenTarget } from "./target.js";

export type RefreshContext = Pick<CommandContext, "cwd" | "env" | "output" | "prompter" | "stdin" | "aws">;

export interface TokenRefreshInput {
  agentName?: string;
  passwordStdin?: boolean;
}

export interface TokenRefreshResult {
  method: RenewMethod;
  username: string;
  userPoolId: string;
  clientId: string;
  local: boolean;
  expiresAt: string;
  expiresInSeconds: number;
  claims: JWTPayload;
}

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
  const expiresAt = new Date(entry.accessTokenExpiresAt);
  const claims = decodeClaims(entry.accessToken);
  output.info(
    `  Access token ${describeExpiry(expiresAt)} (via ${method === "refresh_token" ? "the refresh token" : "a password login"}).`,
  );
  const result: TokenRefreshResult = {
    method,
    username: entry.username,
    userPoolId: entry.userPoolId,
    clientId: entry.clientId,
    local: entry.local,
    expiresAt: entry.accessTokenExpiresAt,
    expiresInSeconds: Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000)),
    claims: summaryClaims(claims),
  };
  output.result(result);
  return result;
}
