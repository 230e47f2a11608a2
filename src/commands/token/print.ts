/** The human text of the `token` commands' results (--json prints the results themselves). */

import { describeExpiry, formatTime } from "../../ui/format.js";
import type { Output } from "../../ui/output.js";
import type { TokenRawResult, TokenRefreshResult, TokenShowResult, TokenVerifyResult } from "./types.js";

export function printTokenRefresh(result: TokenRefreshResult, output: Output): void {
  output.info(
    `  Access token ${describeExpiry(new Date(result.expiresAt))} (via ${result.method === "refresh_token" ? "the refresh token" : "a password login"}).`,
  );
}

export function printTokenShow(result: TokenShowResult | TokenRawResult, output: Output): void {
  if ("raw" in result) {
    output.write(`${result.accessToken}\n`);
    return;
  }
  const pad = (label: string) => `  ${label.padEnd(11)}`;
  output.info(
    `Access token of "${result.username}" (pool ${result.userPoolId}, client ${result.clientId}${result.local ? ", embedded local Cognito" : `, ${result.region}`})`,
  );
  output.info(`${pad("token")}${result.token}`);
  for (const name of ["client_id", "aud", "scope", "token_use", "iss", "username"]) {
    const value = result.claims[name];
    if (value !== undefined) output.info(`${pad(name)}${Array.isArray(value) ? value.join(", ") : String(value)}`);
  }
  output.info(`${pad("exp")}${describeExpiry(new Date(result.expiresAt))}`);
  const { cached, issuedAt } = result.refreshToken;
  output.info(
    `${pad("refresh")}${cached ? `cached${issuedAt ? ` (from the login at ${formatTime(new Date(issuedAt))})` : ""}` : "none: `token refresh` will need the password"}`,
  );
}

export function printTokenVerify(result: TokenVerifyResult, output: Output): void {
  const from =
    result.token.source === "cache"
      ? `the cached token of "${result.token.username ?? "?"}"`
      : `the token from --${result.token.source === "flag" ? "token" : "token-stdin"}`;
  output.info(`Checking ${from} against agent "${result.agent}"'s authorizer (token ${result.token.masked}):`);
  const width = Math.max(...result.checks.map((c) => c.name.length), 8);
  for (const check of result.checks) {
    const mark = check.status === "pass" ? "✔" : check.status === "fail" ? "✖" : "-";
    const status = check.status === "skip" ? "skip" : check.status;
    output.info(`  ${mark} ${check.name.padEnd(width)}  ${status.padEnd(4)}  ${check.detail}`);
    if (check.status === "fail" && check.fix) output.info(`  ${" ".repeat(width + 3)}  fix:  ${check.fix}`);
  }
  if (result.allowed) {
    output.success("Allowed: AgentCore Runtime would accept this token.");
  } else {
    output.info(`✖ Rejected: the runtime would answer ${result.httpStatus} ${result.errorType}: ${result.message}`);
  }
}
