/**
 * `token show`: the cached access token's claims and expiry, the token masked. `--raw` gives the
 * bare token and nothing else, for `$(agentcore-ts token show --raw)`; an expired token is refused
 * (exit 1, nothing on stdout) so a script never sends one.
 */
import { decodeClaims } from "../../auth/cognito.js";
import { maskToken } from "../../config/secrets.js";
import type { CommandContext } from "../../core/context.js";
import { AgentcoreError, UsageError } from "../../errors.js";
import { formatDuration, formatTime } from "../../ui/format.js";
import { summaryClaims } from "./format.js";
import { resolveTokenTarget } from "./target.js";
import type { TokenRawResult, TokenShowInput, TokenShowResult } from "./types.js";

export type ShowContext = Pick<CommandContext, "cwd" | "env" | "output">;

export async function tokenShow(input: TokenShowInput, ctx: ShowContext): Promise<TokenShowResult | TokenRawResult> {
  const { output } = ctx;
  if (input.raw && output.json) {
    throw new UsageError("--raw prints the bare token; it does not combine with --json.", { code: "ConflictingFlags" });
  }
  const { entry } = await resolveTokenTarget(input.agentName, ctx);
  if (!entry) {
    throw new AgentcoreError(`No cached access token${input.agentName ? ` fits agent "${input.agentName}"'s authorizer` : ""}.`, {
      code: "NoAccessToken",
      // Not `token refresh`: with nothing cached it has nothing to refresh either.
      hint: "Run `agentcore-ts cognito setup` (or `agentcore-ts cognito setup --local` for the embedded Cognito): it creates the test user and caches its token.",
    });
  }
  const expiresAt = new Date(entry.accessTokenExpiresAt);
  const left = expiresAt.getTime() - Date.now();
  if (input.raw) {
    if (left <= 0) {
      throw new AgentcoreError(
        `The cached access token of "${entry.username}" expired ${formatDuration(left)} ago (${formatTime(expiresAt)}).`,
        {
          code: "TokenExpired",
          hint: "Run `agentcore-ts token refresh`, then try again.",
        },
      );
    }
    return { raw: true, accessToken: entry.accessToken };
  }
  // A warning, not result text: it reaches stderr with --json too.
  if (left <= 0) output.warn("The access token has expired: run `agentcore-ts token refresh`.");
  return {
    username: entry.username,
    userPoolId: entry.userPoolId,
    clientId: entry.clientId,
    region: entry.region,
    local: entry.local,
    issuer: entry.issuer,
    token: maskToken(entry.accessToken),
    expiresAt: entry.accessTokenExpiresAt,
    expiresInSeconds: Math.round(left / 1000),
    expired: left <= 0,
    claims: summaryClaims(decodeClaims(entry.accessToken)),
    refreshToken: { cached: Boolean(entry.refreshToken), ...(entry.refreshTokenIssuedAt ? { issuedAt: entry.refreshTokenIssuedAt } : {}) },
    ...(entry.flow ? { flow: entry.flow } : {}),
  };
}
