/**
 * `token show`: the cached access token's claims and expiry, the token masked. `--raw` prints the
 * bare token and nothing else, for `$(agentcore-ts token show --raw)`; an expired token is refused
 * (exit 1, nothing on stdout) so a script never sends one.
 */
import type { JWTPayload } from "jose";
import { decodeClaims } from "../../auth/cognito.js";
import { maskToken } from "../../config/secrets.js";
import type { CommandContext } from "../../core/context.js";
import { AgentcoreError, UsageError } from "../../errors.js";
import { describeExpiry, formatDuration, formatTime } from "../../ui/format.js";
import { summaryClaims } from "./format.js";
import { resolveTokenTarget } from "./target.js";

export type ShowContext = Pick<CommandContext, "cwd" | "env" | "output">;

export interface TokenShowInput {
  agentName?: string;
  raw?: boolean;
}

export interface TokenShowResult {
  username: string;
  userPoolId: string;
  clientId: string;
  region: string;
  local: boolean;
  issuer: string;
  token: string;
  expiresAt: string;
  expiresInSeconds: number;
  expired: boolean;
  claims: JWTPayload;
  refreshToken: { cached: boolean; issuedAt?: string };
}

export async function tokenShow(input: TokenShowInput, ctx: ShowContext): Promise<TokenShowResult | undefined> {
  const { output } = ctx;
  if (input.raw && output.json) {
    throw new UsageError("--raw prints the bare token; it does not combine with --json.", { code: "ConflictingFlags" });
  }
  const { entry } = await resolveTokenTarget(input.agentName, ctx);
  if (!entry) {
    throw new AgentcoreError(`No cached access token${input.agentName ? ` fits agent "${input.agentName}"'s authorizer` : ""}.`, {
      code: "NoAccessToken",
      hint: "Run `agentcore-ts cognito setup` or `agentcore-ts token refresh`.",
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
    output.write(`${entry.accessToken}\n`);
    return undefined;
  }
  const claims = decodeClaims(entry.accessToken);
  const result: TokenShowResult = {
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
    claims: summaryClaims(claims),
    refreshToken: { cached: Boolean(entry.refreshToken), ...(entry.refreshTokenIssuedAt ? { issuedAt: entry.refreshTokenIssuedAt } : {}) },
  };
  const pad = (label: string) => `  ${label.padEnd(11)}`;
  output.info(
    `Access token of "${entry.username}" (pool ${entry.userPoolId}, client ${entry.clientId}${entry.local ? ", embedded local Cognito" : `, ${entry.region}`})`,
  );
  output.info(`${pad("token")}${result.token}`);
  for (const name of ["client_id", "aud", "scope", "token_use", "iss", "username"]) {
    const value = claims[name];
    if (value !== undefined) output.info(`${pad(name)}${Array.isArray(value) ? value.join(", ") : String(value)}`);
  }
  output.info(`${pad("exp")}${describeExpiry(expiresAt)}`);
  output.info(
    `${pad("refresh")}${entry.refreshToken ? `cached${entry.refreshTokenIssuedAt ? ` (from the login at ${formatTime(new Date(entry.refreshTokenIssuedAt))})` : ""}` : "none: `token refresh` will need the password"}`,
  );
  if (result.expired) output.warn("The access token has expired: run `agentcore-ts token refresh`.");
  output.result(result);
  return result;
}
