/** The human text of the `token` commands' results (--json prints the results themselves). */

import { describeExpiry, formatTime } from "../../ui/format.js";
import type { Output } from "../../ui/output.js";
import type { TokenGetResult, TokenRawResult, TokenRefreshResult, TokenShowResult, TokenVerifyResult } from "./types.js";

const SECRET_FROM: Record<NonNullable<TokenGetResult["clientSecretSource"]>, string> = {
  stdin: "stdin",
  env: "AGENTCORE_TS_CLIENT_SECRET",
  file: "the saved client-secrets file",
  cognito: "Cognito (DescribeUserPoolClient)",
};

export function printTokenGet(result: TokenGetResult, output: Output): void {
  const how =
    result.source === "cache" ? "cached, still good" : result.source === "refresh_token" ? "renewed with the refresh token" : "new";
  output.success(`Access token for "${result.subject}" from ${result.issuer} (${result.flow}, ${how})`);
  const pad = (label: string) => `  ${label.padEnd(9)}`;
  output.info(`${pad("token")}${result.token}`);
  output.info(`${pad("client")}${result.clientId}`);
  if (result.scope) output.info(`${pad("scope")}${result.scope}`);
  output.info(`${pad("exp")}${describeExpiry(new Date(result.expiresAt))}`);
  output.info(
    `${pad("refresh")}${result.refreshToken ? "cached" : result.flow === "client-credentials" ? "none (a new token is fetched when it expires)" : "none"}`,
  );
  if (result.clientSecretSource) output.info(`${pad("secret")}from ${SECRET_FROM[result.clientSecretSource]}`);
  if (result.clientSecretSavedTo) output.info(`  The client secret was saved to ${result.clientSecretSavedTo} (mode 0600).`);
  output.info("  In the token cache: `agentcore-ts invoke` sends it; `agentcore-ts token show --raw` prints it.");
}

const RENEWED_VIA: Record<TokenRefreshResult["method"], string> = {
  refresh_token: "the refresh token",
  password: "a password login",
  client_credentials: "a new client-credentials token",
};

export function printTokenRefresh(result: TokenRefreshResult, output: Output): void {
  output.info(`  Access token ${describeExpiry(new Date(result.expiresAt))} (via ${RENEWED_VIA[result.method]}).`);
  if (result.dotenv?.updated) output.info(`  Updated COGNITO_ACCESS_TOKEN in ${result.dotenv.file} (the --write-token-to-env copy).`);
  if (result.dotenv && !result.dotenv.updated) {
    output.warn(
      `COGNITO_ACCESS_TOKEN in ${result.dotenv.file} holds another token than the one refreshed (not the --write-token-to-env copy of this login): left as it is; once loaded into the environment, invoke sends it instead of the refreshed one.`,
    );
  }
  if (result.environmentStale) {
    output.warn(
      "COGNITO_ACCESS_TOKEN in your environment still holds another token, and invoke and token verify use it before the cached one: `unset COGNITO_ACCESS_TOKEN`" +
        `${result.dotenv?.updated ? " (or load the updated .env again)" : ""}.`,
    );
  }
}

export function printTokenShow(result: TokenShowResult | TokenRawResult, output: Output): void {
  if ("raw" in result) {
    output.write(`${result.accessToken}\n`);
    return;
  }
  const pad = (label: string) => `  ${label.padEnd(11)}`;
  const where = result.local ? ", embedded local Cognito" : result.region ? `, ${result.region}` : "";
  const issuer = result.userPoolId.includes("://") ? `issuer ${result.userPoolId}` : `pool ${result.userPoolId}`;
  output.info(
    `Access token of "${result.username}" (${issuer}, client ${result.clientId}${where}${result.flow ? `, ${result.flow.replace("_", " ")}` : ""})`,
  );
  output.info(`${pad("token")}${result.token}`);
  for (const name of ["client_id", "aud", "scope", "token_use", "iss", "username"]) {
    const value = result.claims[name];
    if (value !== undefined) output.info(`${pad(name)}${Array.isArray(value) ? value.join(", ") : String(value)}`);
  }
  output.info(`${pad("exp")}${describeExpiry(new Date(result.expiresAt))}`);
  const { cached, issuedAt } = result.refreshToken;
  output.info(
    `${pad("refresh")}${cached ? `cached${issuedAt ? ` (from the login at ${formatTime(new Date(issuedAt))})` : ""}` : result.flow === "client_credentials" ? "none: `token refresh` fetches a new client-credentials token" : result.flow ? "none: sign in again with `token get`" : "none: `token refresh` will need the password"}`,
  );
}

export function printTokenVerify(result: TokenVerifyResult, output: Output): void {
  const from =
    result.token.source === "cache"
      ? `the cached token of "${result.token.username ?? "?"}"${result.token.note ? ` (${result.token.note})` : ""}`
      : result.token.source === "env"
        ? "the token in COGNITO_ACCESS_TOKEN (the one invoke sends: it comes before the cached token)"
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
