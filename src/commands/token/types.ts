/** Inputs and results of the `token` commands. No result holds a token in the clear except TokenRawResult. */
import type { JWTPayload } from "jose";
import type { AuthorizerCheck } from "../../auth/authorizer.js";
import type { RenewMethod } from "../../auth/tokens.js";

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

/**
 * `token show --raw`: the bare access token, which the printer writes alone on stdout for
 * `$(agentcore-ts token show --raw)`. Never a --json document: --raw with --json is refused first.
 */
export interface TokenRawResult {
  raw: true;
  accessToken: string;
}

export interface TokenVerifyInput {
  agentName?: string;
  /** The token to check; default: the cached one matching the agent's authorizer. */
  token?: string;
  /** Read the token from stdin (keeps it out of shell history). */
  tokenStdin?: boolean;
}

export interface TokenVerifyResult {
  agent: string;
  discoveryUrl: string;
  token: { source: "cache" | "flag" | "stdin"; masked: string; username?: string };
  allowed: boolean;
  httpStatus?: number;
  errorType?: string;
  message?: string;
  checks: AuthorizerCheck[];
  claims?: JWTPayload;
}
